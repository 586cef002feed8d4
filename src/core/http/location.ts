import { applyDecorators } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OPENAPI_LOCATION } from '../openapi/markers';
import { AddRouteConfig } from './route-config';

const FIELD = /\{([\w.]+)\}/g;

/**
 * Marks a creating route: its 201 carries `Location`, the URL of the created record, built from
 * `template` with each `{field}` (`{user.id}` for a nested one) taken from the response body;
 * also documents the header.
 */
export const CreatedLocation = (template: string) =>
  applyDecorators(AddRouteConfig({ location: template }), ApiExtension(OPENAPI_LOCATION, template));

/**
 * Sends `Location` for the 201 responses of a `@CreatedLocation()` route. A Fastify
 * preSerialization hook, like the ETag's.
 */
export function locateCreated(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const template = (request.routeOptions.config as { location?: string }).location;
  if (!template || reply.statusCode !== 201) return payload;
  let complete = true;
  const location = template.replace(FIELD, (_all, path: string) => {
    const value = path.split('.').reduce<unknown>((object, key) => (object as Record<string, unknown> | null)?.[key], payload);
    if (typeof value !== 'number' && typeof value !== 'string') complete = false;
    return encodeURIComponent(String(value));
  });
  if (complete) void reply.header('Location', location);
  return payload;
}
