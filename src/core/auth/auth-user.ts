import { Role } from './role';
import type { RequestOrigin } from '../http/request-origin';

/** The authenticated caller, as the guards put it on the request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  /** The request this caller is making; absent outside HTTP (the seed script). */
  origin?: RequestOrigin;
}

/** Claims of an access token. */
export interface AccessTokenClaims {
  sub: string;
  jti: string;
  username: string;
  role: Role;
  type: 'access';
  /** Expiry, in seconds since the epoch (set by the signer from JWT_ACCESS_TTL). */
  exp?: number;
}
