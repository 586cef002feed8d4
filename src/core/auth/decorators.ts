import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Role } from './role';
import { OPENAPI_BEFORE_MFA, OPENAPI_PUBLIC } from '../openapi/markers';
import { AuthUser } from './auth-user';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';
export const BEFORE_MFA = 'auth:beforeMfa';

/**
 * Opens a route (or a controller) to anonymous callers. Every other route needs a valid access
 * token; the OpenAPI document gives public operations an empty security requirement to match
 * (through a marker, as `@nestjs/swagger` drops an empty `@ApiSecurity` list set on a method).
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC, true));

/**
 * Lets an account that must have two-factor authentication (its role is in MFA_REQUIRED_ROLES)
 * and has none yet use this route; every other route answers it 403 until it has set it up.
 */
export const AllowedBeforeMfa = () => applyDecorators(SetMetadata(BEFORE_MFA, true), ApiExtension(OPENAPI_BEFORE_MFA, true));

/** Restricts a route (or controller) to the given roles; others get 403. */
export const Roles = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiForbiddenResponse({ description: `The caller's role is not ${roles.join(' or ')}.` }),
  );

/** The authenticated caller. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest<FastifyRequest & { user: AuthUser }>().user,
);
