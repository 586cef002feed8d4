import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { InjectAppConfig } from '../config/app-config.provider';
import { AuthUser } from './auth-user';
import { Role } from './role';
import { BEFORE_MFA } from './decorators';

export const SET_UP_MFA_FIRST = 'Set up two-factor authentication first.';

/**
 * Global guard, after the JWT guard: an account whose role is in MFA_REQUIRED_ROLES and that has
 * no two-factor authentication may only use the routes marked `@AllowedBeforeMfa()`. It costs
 * nothing to everyone else: whether MFA is on comes with the caller, loaded (or remembered) anyway.
 */
@Injectable()
export class MfaRequiredGuard implements CanActivate {
  private readonly roles: ReadonlySet<Role>;

  constructor(
    private readonly reflector: Reflector,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.roles = new Set(config.mfa.requiredRoles);
  }

  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    // No caller: a public route.
    if (!user || user.mfaEnabled || !this.roles.has(user.role)) return true;
    if (this.reflector.getAllAndOverride<boolean>(BEFORE_MFA, [context.getHandler(), context.getClass()])) return true;
    throw new ForbiddenException(SET_UP_MFA_FIRST);
  }
}
