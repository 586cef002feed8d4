import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Role } from '../../users/role';
import { AuthUser } from './auth-user';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';

/**
 * Opens a route to anonymous callers. Every other route needs a valid access token; the
 * OpenAPI document gives public operations an empty security requirement to match.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), SetMetadata(SWAGGER_SECURITY, []));

/** `@nestjs/swagger`'s key for operation security; an empty list overrides the global bearer requirement. */
const SWAGGER_SECURITY = 'swagger/apiSecurity';

/** Restricts a route (or controller) to the given roles; others get 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiForbiddenResponse({ description: `Requires role: ${roles.join(' or ')}` }));

/** The authenticated caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>().user,
);
