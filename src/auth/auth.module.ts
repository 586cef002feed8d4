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
import { CredentialsService } from './credentials.service';
import { PasswordsController } from './passwords.controller';
import { SessionsController } from './sessions.controller';
import { RefreshToken } from './refresh-token.entity';
import { PasswordResetToken } from './password-reset-token.entity';
import { Session } from './session.entity';
import { TokensService } from './tokens.service';

@Module({
  imports: [UsersModule, TypeOrmModule.forFeature([RefreshToken, Session, PasswordResetToken])],
  controllers: [AuthController, PasswordsController, SessionsController, AdminAccountsController, OwnAccountController],
  providers: [
    AuthService,
    CredentialsService,
    AccountsService,
    AuthRepository,
    TokensService,
    JwtStrategy,
    { provide: RequestAuthenticator, useExisting: JwtStrategy },
  ],
  // For the global guards (rate limits, JWT), which AppModule provides.
  exports: [RequestAuthenticator],
})
export class AuthModule {}
