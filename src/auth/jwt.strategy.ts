import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { UsersService } from '../users/users.service';
import { originOf } from '../core/http/request-origin';
import { RecentEntries } from '../core/recent-entries';
import { AccessTokenClaims, AuthUser } from '../core/auth/auth-user';
import { RequestAuthenticator, TokenCheck } from '../core/auth/request-authenticator';
import { InjectAccessTokens } from '../core/auth/token-signers';

const BEARER = /^Bearer\s+(\S+)$/i;
const NOT_AUTHENTICATED = 'Authentication credentials were not provided or are not valid.';
const EXPIRED = 'The access token has expired.';
const ENDED = 'The session of this access token has ended; log in again.';

/**
 * Access tokens whose signature and claims were checked, kept so that a client's next requests
 * with the same token (it is reused for its whole lifetime) skip jsonwebtoken: its verification
 * was a twentieth of a read's CPU. Keyed by the whole token, signature included; expiry is
 * checked on every use.
 */
const VERIFIED_TOKENS_KEPT = 2000;

/** Checked once per request: the rate limiter asks first (to count per user), then the JWT guard. */
const checked = new WeakMap<FastifyRequest, TokenCheck>();

/**
 * Accepts only HS256 access tokens of active users; the role comes from the database (by way of
 * the CallerCache, which forgets an account as soon as it changes), so a change applies at once.
 *
 * Not a Passport strategy on purpose: Passport keeps strategies in one process-wide registry,
 * so with two applications in a process (tests, or two instances sharing a Redis) the last one
 * built checked every token, against its own database and secret.
 */
@Injectable()
export class JwtStrategy extends RequestAuthenticator {
  private readonly verified = new RecentEntries<string, AccessTokenClaims>(VERIFIED_TOKENS_KEPT);

  constructor(
    @InjectAccessTokens() private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {
    super();
  }

  check(request: FastifyRequest): TokenCheck {
    let result = checked.get(request);
    if (!result) {
      result = this.checkHeader(request.headers.authorization);
      checked.set(request, result);
    }
    return result;
  }

  async authenticate(request: FastifyRequest): Promise<AuthUser> {
    const result = this.check(request);
    if ('refusal' in result) throw new UnauthorizedException(result.refusal);
    const { claims } = result;
    const user = await this.users.findActiveById(Number(claims.sub));
    if (!user) throw new UnauthorizedException(NOT_AUTHENTICATED);
    if (user.tokensValidAfter != null && issuedAtMs(claims) < user.tokensValidAfter) throw new UnauthorizedException(ENDED);
    return { ...user, sessionId: claims.sid, origin: originOf(request) };
  }

  private checkHeader(authorization: string | undefined): TokenCheck {
    const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) return { refusal: NOT_AUTHENTICATED };
    const known = this.verified.get(token);
    if (known) {
      // Expiry as jsonwebtoken judges it, for a token it accepted before.
      if (Math.floor(Date.now() / 1000) < (known.exp ?? Infinity)) return { claims: known };
      this.verified.delete(token);
      return { refusal: EXPIRED };
    }
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token);
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      return { refusal: expired ? EXPIRED : NOT_AUTHENTICATED };
    }
    if (claims.type !== 'access' || !Number.isSafeInteger(Number(claims.sub))) return { refusal: NOT_AUTHENTICATED };
    this.verified.set(token, claims);
    return { claims };
  }
}

/** When the token was issued, in milliseconds; tokens from before `iat_ms` have only `iat`, in seconds. */
function issuedAtMs(claims: AccessTokenClaims): number {
  return claims.iat_ms ?? (claims.iat ?? 0) * 1000;
}
