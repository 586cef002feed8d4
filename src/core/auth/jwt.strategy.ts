import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config';
import { InjectAppConfig } from '../config/app-config.provider';
import { UsersService } from '../../users/users.service';
import { AccessTokenClaims, AuthUser } from './auth-user';

export const JWT_ALGORITHM = 'HS256';

const BEARER = /^Bearer\s+(\S+)$/i;
const NOT_AUTHENTICATED = 'Authentication credentials were not provided or are not valid.';

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
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** The caller of an `Authorization` header; 401 when it carries no valid access token. */
  async authenticate(authorization: string | undefined): Promise<AuthUser> {
    const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!token) throw new UnauthorizedException(NOT_AUTHENTICATED);
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token, {
        secret: this.config.jwt.accessSecret,
        algorithms: [JWT_ALGORITHM],
      });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw new UnauthorizedException(expired ? 'The access token has expired.' : NOT_AUTHENTICATED);
    }
    const id = Number(claims.sub);
    if (claims.type !== 'access' || !Number.isSafeInteger(id)) throw new UnauthorizedException(NOT_AUTHENTICATED);
    const user = await this.users.findActiveById(id);
    if (!user) throw new UnauthorizedException(NOT_AUTHENTICATED);
    return { id: user.id, username: user.username, role: user.role };
  }
}
