import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RequestAuthenticator } from '../core/auth/request-authenticator';
import { JwtStrategy } from './jwt.strategy';
import { UsersModule } from '../users/users.module';
import { AccountsService } from './accounts.service';
import { AdminAccountsController, OwnAccountController } from './accounts.controller';
import { AuthController } from './auth.controller';
import { AuthRepository } from './auth.repository';
import { AuthService } from './auth.service';
import { AccountLocksController } from './account-locks.controller';
import { CredentialsService } from './credentials.service';
import { EmailVerificationController } from './email-verification.controller';
import { EmailVerificationService } from './email-verification.service';
import { LockoutService } from './lockout.service';
import { ResetLinks } from './reset-links';
import { PasswordsController } from './passwords.controller';
import { SessionsController } from './sessions.controller';
import { RefreshToken } from './refresh-token.entity';
import { EmailVerification } from './email-verification.entity';
import { PasswordResetToken } from './password-reset-token.entity';
import { Session } from './session.entity';
import { TokensService } from './tokens.service';
import { MfaController } from './mfa/mfa.controller';
import { MfaRecoveryCode } from './mfa/mfa-recovery-code.entity';
import { MfaRepository } from './mfa/mfa.repository';
import { MfaService } from './mfa/mfa.service';

@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([RefreshToken, Session, PasswordResetToken, EmailVerification, MfaRecoveryCode])],
  controllers: [
    AuthController,
    PasswordsController,
    SessionsController,
    AccountLocksController,
    EmailVerificationController,
    AdminAccountsController,
    OwnAccountController,
    MfaController,
  ],
  providers: [
    AuthService,
    CredentialsService,
    AccountsService,
    LockoutService,
    EmailVerificationService,
    ResetLinks,
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
