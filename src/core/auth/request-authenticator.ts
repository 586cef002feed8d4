import type { FastifyRequest } from 'fastify';
import type { AccessTokenClaims, AuthUser } from './auth-user';

/** What a request's `Authorization` header proved: an access token's claims, or why not. */
export type TokenCheck = { claims: AccessTokenClaims } | { refusal: string };

/**
 * Who is calling, as the global guards ask it. Core names only this contract; the auth feature
 * provides it (its JwtStrategy), so core depends on no feature.
 */
export abstract class RequestAuthenticator {
  /** The request's access token, checked (signature, expiry, kind) but not yet its user. */
  abstract check(request: FastifyRequest): TokenCheck;

  /** The caller of a request; 401 when it carries no valid access token of an active user. */
  abstract authenticate(request: FastifyRequest): Promise<AuthUser>;
}
