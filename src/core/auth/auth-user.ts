import { Role } from '../../users/role';

/** The authenticated caller, as the guards put it on the request. */
export interface AuthUser {
  id: number;
  username: string;
  role: Role;
}

/** Claims of an access token. */
export interface AccessTokenClaims {
  sub: string;
  jti: string;
  username: string;
  role: Role;
  type: 'access';
}
