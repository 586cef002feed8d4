import { Role } from './role';
import type { RequestOrigin } from '../http/request-origin';

/** What a member does in a clinic (see access/access.policy.ts). */
export type ClinicRole = 'manager' | 'staff' | 'clinician';

/** The authenticated caller, as the guards put it on the request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  /** Access tokens issued before this instant (ms since the epoch) are refused; null for none. */
  tokensValidAfter?: number | null;
  /** Whether the account has two-factor authentication on (MFA_REQUIRED_ROLES shuts out those without). */
  mfaEnabled?: boolean;
  /**
   * The clinics the caller is an active member of, with its role in each. Loaded with the caller,
   * so a change of a membership forgets the caller like a change of the account. Absent: none.
   */
  clinics?: ReadonlyArray<{ id: number; role: ClinicRole }>;
  /** The session (login) the request's access token belongs to; absent for tokens older than sessions. */
  sessionId?: number;
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
  /** The session (login) that issued it. */
  sid?: number;
  /** Issued at, in milliseconds: `iat` has whole seconds, too coarse to tell a token from a logout in the same second. */
  iat_ms?: number;
  /** Issued at, in seconds since the epoch (set by the signer). */
  iat?: number;
  /** Expiry, in seconds since the epoch (set by the signer from JWT_ACCESS_TTL). */
  exp?: number;
}
