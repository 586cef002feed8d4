import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';

/**
 * Adds to a route's Fastify config (`request.routeOptions.config`) rather than replacing it, as
 * Nest's `@RouteConfig()` does: several decorators (`@WithETag()`, `@CreatedLocation()`) each
 * add their own key to one route.
 */
export const AddRouteConfig =
  (config: Record<string, unknown>): MethodDecorator =>
  (_target, _key, descriptor) => {
    const current = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, descriptor.value as object) ?? {}) as Record<string, unknown>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...current, ...config }, descriptor.value as object);
  };
