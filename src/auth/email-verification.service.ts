import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { InvalidFieldError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { Mailer } from '../mail/mailer';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { verifyEmailMail } from './auth-mails';
import { AuthRepository } from './auth.repository';
import { newLinkToken, sha256 } from './reset-links';

const BAD_TOKEN = 'The verification link is invalid, used or expired; ask for a new one.';

/**
 * E-mail verification: a link to the address proves it is the owner's. Sent at registration,
 * again on request, and to a new address the owner asks to move to, which becomes the account's
 * email only once verified.
 */
@Injectable()
export class EmailVerificationService {
  private readonly logger = new Logger('EmailVerification');

  constructor(
    private readonly repository: AuthRepository,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** Mails a link verifying `email` (the account's own by default), voiding older links; in the caller's transaction when given one. */
  async send(user: Pick<User, 'id' | 'email'>, email = user.email, manager?: EntityManager): Promise<void> {
    const ttl = this.config.emailVerificationTtlSeconds;
    const token = newLinkToken();
    const link = `${this.config.mail.publicUrl}/verify-email?token=${token}`;
    const write = async (tx: EntityManager) => {
      await this.repository.replaceVerifications(tx, user.id, email, sha256(token), new Date(Date.now() + ttl * 1000));
      this.mailer.sendAfterCommit(tx, verifyEmailMail(email, link, ttl));
    };
    await (manager ? write(manager) : this.db.transaction(write));
  }

  /**
   * A new link for the account with this email or username, unless it is verified. Answered
   * (202) before anything is looked up, as a reset request is: the answer tells nobody which
   * accounts exist.
   */
  resend(login: { email?: string; username?: string }): void {
    const lookup = this.users.findByLogin({ email: login.email, username: login.email == null ? login.username : undefined });
    void lookup
      .then((user) => (user?.isActive && !user.emailVerified ? this.send(user) : undefined))
      .catch((error: Error) => this.logger.error({ error: error.message }, 'Verification resend failed'));
  }

  /** Follows a link: its address becomes the account's verified email. */
  async verify(token: string, origin: RequestOrigin): Promise<void> {
    const userId = await this.db.transaction(async (manager) => {
      const verification = await this.repository.spendVerification(manager, sha256(token));
      if (!verification) throw new InvalidFieldError(BAD_TOKEN, { token: [BAD_TOKEN] });
      await this.repository.setVerifiedEmail(manager, verification.userId, verification.email);
      await this.audit.of({ id: verification.userId, origin }, 'user').changed(manager, 'update', verification.userId, ['email_verified']);
      return verification.userId;
    });
    this.users.forget(userId);
  }
}
