import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { UsersService } from '../../users/users.service';
import { originOf } from '../http/request-origin';
import { AccessTokenClaims, AuthUser } from './auth-user';
import { InjectAccessTokens } from './token-signers';

const BEARER = /^Bearer\s+(\S+)$/i;
const NOT_AUTHENTICATED = 'Authentication credentials were not provided or are not valid.';

/** What a request's `Authorization` header proved: an access token's claims, or why not. */
export type TokenCheck = { claims: AccessTokenClaims } | { refusal: string };

/** Checked once per request: the rate limiter asks first (to count per user), then the JWT guard. */
const checked = new WeakMap<FastifyRequest, TokenCheck>();

/**
 * Accepts only HS256 access tokens of active users; the role comes from the database, so a
 * change applies at once.
 *
 * Not a Passport strategy on purpose: Passport keeps strategies in one process-wide registry,
 * so with two applications in a process (tests, or two instances sharing a Redis) the last one
 * built checked every token, against its own database and secret.
 */
@Injectable()
export class JwtStrategy {
  constructor(
    @InjectAccessTokens() private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  /** The request's access token, checked (signature, expiry, kind) but not yet its user. */
  check(request: FastifyRequest): TokenCheck {
    let result = checked.get(request);
    if (!result) {
      result = this.checkHeader(request.headers.authorization);
      checked.set(request, result);
    }
    return result;
  }

  /** The caller of a request; 401 when it carries no valid access token of an active user. */
  async authenticate(request: FastifyRequest): Promise<AuthUser> {
    const result = this.check(request);
    if ('refusal' in result) throw new UnauthorizedException(result.refusal);
    const user = await this.users.findActiveById(Number(result.claims.sub));
    if (!user) throw new UnauthorizedException(NOT_AUTHENTICATED);
    user.origin = originOf(request);
    return user;
  }

  private checkHeader(authorization: string | undefined): TokenCheck {
    const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) return { refusal: NOT_AUTHENTICATED };
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token);
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      return { refusal: expired ? 'The access token has expired.' : NOT_AUTHENTICATED };
    }
    const valid = claims.type === 'access' && Number.isSafeInteger(Number(claims.sub));
    return valid ? { claims } : { refusal: NOT_AUTHENTICATED };
  }
}
