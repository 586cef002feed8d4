import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiHeader, ApiPreconditionFailedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StaleVersionError } from '../errors';
import { OPENAPI_ETAG } from '../openapi/markers';
import { AddRouteConfig } from './route-config';

/** A record's version as a strong entity tag. */
export const etagOf = (version: number) => `"${version}"`;

/** Marks a single-record operation: ETag on the response, and documents it. */
export const WithETag = () => applyDecorators(AddRouteConfig({ etag: true }), ApiExtension(OPENAPI_ETAG, true));

/**
 * Sends `ETag` for the responses of a `@WithETag()` route that carry a `version`. A Fastify
 * preSerialization hook: a Nest interceptor would wrap every such response in rxjs.
 */
export function tagWithVersion(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const version = (payload as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && (request.routeOptions.config as { etag?: boolean }).etag) void reply.header('ETag', etagOf(version));
  return payload;
}

/** Documents optimistic concurrency on a write operation. */
export const AcceptsIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The `ETag` the client last saw, such as `"3"` (or `*`); the write is refused with 412 if the record changed since. Without it the write goes through.',
      // No example: Swagger UI would send it with every try, and most would answer 412.
      schema: { type: 'string' },
    }),
    ApiPreconditionFailedResponse({ description: 'The record changed since the version given in `If-Match`; reload it and try again.' }),
  );

/**
 * Throws StaleVersionError (412) unless `ifMatch` (an If-Match header, possibly absent) matches `version`. Without
 * the header the write goes through, as the clients we replace expect.
 */
export function assertIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = etagOf(version);
  const matches = ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === current);
  if (!matches) throw new StaleVersionError('The record was changed since you read it; reload it and try again.');
}
