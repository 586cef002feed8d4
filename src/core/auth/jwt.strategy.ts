import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../config/app-config';
import { InjectAppConfig } from '../config/app-config.provider';
import { UsersService } from '../../users/users.service';
import { AccessTokenClaims, AuthUser } from './auth-user';

export const JWT_ALGORITHM = 'HS256';

/** Accepts only HS256 access tokens of active users; the role comes from the database, so a change applies at once. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @InjectAppConfig() config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.accessSecret,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<AuthUser | false> {
    if (claims.type !== 'access') return false;
    const user = await this.users.findActiveById(Number(claims.sub));
    return user ? { id: user.id, username: user.username, role: user.role } : false;
  }
}
