import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequestAuthenticator } from '../core/auth/request-authenticator';
import { JwtStrategy } from './jwt.strategy';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { CredentialsService } from './credentials.service';
import { PasswordsController } from './passwords.controller';
import { SessionsController } from './sessions.controller';
import { RefreshToken } from './refresh-token.entity';
import { PasswordResetToken } from './password-reset-token.entity';
import { Session } from './session.entity';
import { TokensService } from './tokens.service';
import { MfaController } from './mfa/mfa.controller';
import { MfaRecoveryCode } from './mfa/mfa-recovery-code.entity';
import { MfaRepository } from './mfa/mfa.repository';
import { MfaService } from './mfa/mfa.service';

@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([RefreshToken, Session, PasswordResetToken, MfaRecoveryCode])],
  controllers: [AuthController, PasswordsController, SessionsController, MfaController],
  providers: [
    AuthService,
    CredentialsService,
    AuthRepository,
    TokensService,
    MfaService,
    MfaRepository,
    JwtStrategy,
    { provide: RequestAuthenticator, useExisting: JwtStrategy },
  ],
  // For the global guards (rate limits, JWT), which AppModule provides.
  exports: [RequestAuthenticator],
})
export class AuthModule {}
