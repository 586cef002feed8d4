import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  PreconditionFailedException,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExtension, ApiHeader, ApiPreconditionFailedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { OPENAPI_ETAG } from '../openapi/markers';

/** A record's version as a strong entity tag. */
export const etagOf = (version: number) => `"${version}"`;

/** Sends `ETag` for responses that carry a `version`. */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown): unknown => {
        const version = (body as { version?: unknown } | undefined)?.version;
        if (typeof version === 'number') void reply.header('ETag', etagOf(version));
        return body;
      }),
    );
  }
}

/** Marks a single-record operation: ETag on the response, and documents it. */
export const WithETag = () => applyDecorators(UseInterceptors(ETagInterceptor), ApiExtension(OPENAPI_ETAG, true));

/** Documents optimistic concurrency on a write operation. */
export const AcceptsIfMatch = () =>
  applyDecorators(
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'The `ETag` the client last saw (or `*`); the write is refused with 412 if the record changed since. Without it the write goes through.',
      schema: { type: 'string', example: '"3"' },
    }),
    ApiPreconditionFailedResponse({ description: 'The record changed since the version given in `If-Match`; reload it and try again.' }),
  );

/**
 * Throws 412 unless `ifMatch` (an If-Match header, possibly absent) matches `version`. Without
 * the header the write goes through, as the clients we replace expect.
 */
export function assertIfMatch(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = etagOf(version);
  const matches = ifMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === current);
  if (!matches) throw new PreconditionFailedException('The record was changed since you read it; reload it and try again.');
}
