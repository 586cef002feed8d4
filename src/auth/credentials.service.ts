import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { InvalidFieldError, NotAuthenticatedError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { Mailer } from '../mail/mailer';
import { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import type { Mail } from '../mail/mail';
import { accountCreatedMail, passwordChangedMail, passwordResetMail } from './auth-mails';
import { AuthRepository } from './auth.repository';
import { ChangePasswordDto, PasswordResetConfirmDto, PasswordResetRequestDto } from './dto/passwords.dto';
import { LockoutService } from './lockout.service';
import { hashPassword, passwordProblems, verifyPassword } from './passwords';
import { ResetLinks, sha256 } from './reset-links';
import { TokensService } from './tokens.service';

const BAD_RESET_TOKEN = 'The reset link is invalid, used or expired; ask for a new one.';
/** How long the link to set the password of an account an admin made stays valid: its owner may not read mail at once. */
export const ACCOUNT_SETUP_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Changing a password, and recovering a forgotten one through a mailed link. */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger('Credentials');

  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    private readonly resetLinks: ResetLinks,
    private readonly lockout: LockoutService,
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /**
   * The caller's new password, given the current one. Every other session ends, and so do all
   * access tokens issued until now: the caller's own session goes on through its next refresh.
   */
  async change(caller: AuthUser, dto: ChangePasswordDto): Promise<void> {
    const user = await this.users.findActive(caller.id);
    if (!user) throw new NotAuthenticatedError('The account is not active.');
    if (!(await this.lockout.confirmPassword(user, dto.current_password, caller.origin))) {
      this.audit.of(caller, 'user').denied('password_change', user.id);
      throw new InvalidFieldError('The current password is wrong.', { current_password: ['The current password is wrong.'] });
    }
    await this.setPassword(user, dto.new_password, caller, caller.sessionId);
  }

  /**
   * Mails a reset link when the account exists and is active. Answered before any of that is
   * looked up (the work goes on after the 202), so the answer and its timing are the same whether
   * the account exists or not.
   */
  requestReset(dto: PasswordResetRequestDto, origin: RequestOrigin): void {
    void this.mailResetLink(dto, origin).catch((error: Error) =>
      this.logger.error({ error: error.message }, 'Password reset request failed'),
    );
  }

  /** Sets the new password of the link's account, spends the link, and ends every session of the account. */
  async confirmReset(dto: PasswordResetConfirmDto, origin: RequestOrigin): Promise<void> {
    const token = await this.repository.findUsableResetToken(this.db.manager, sha256(dto.token));
    const user = token && (await this.users.findActive(token.userId));
    if (!token || !user) throw new InvalidFieldError(BAD_RESET_TOKEN, { token: [BAD_RESET_TOKEN] });
    await this.setPassword(user, dto.new_password, { id: user.id, origin }, undefined, async (manager) => {
      // Spent in the same transaction as the change: of two confirmations at once, one wins.
      if (!(await this.repository.spendResetToken(manager, token.id)))
        throw new InvalidFieldError(BAD_RESET_TOKEN, { token: [BAD_RESET_TOKEN] });
      // The link went to the account's address: following it proves the address is the owner's.
      await this.repository.markEmailVerified(manager, user.id);
    });
  }

  /** An admin's reset for an account: the same link and mail as the owner's own request, audited as the admin's. */
  async sendResetLink(user: User, admin: AuthUser): Promise<void> {
    await this.db.transaction((manager) => this.mailLink(manager, user, this.config.passwordResetTtlSeconds, passwordResetMail));
    this.audit.of(admin, 'user').session('password_reset_request', user.id);
  }

  /**
   * In the transaction that creates an account an admin made: a link to set its first password,
   * the reset token with a week's validity, mailed once the account is committed.
   */
  mailSetupLink(manager: EntityManager, user: User): Promise<void> {
    return this.mailLink(manager, user, ACCOUNT_SETUP_TTL_SECONDS, (to, link, ttl) => accountCreatedMail(to, user.username, link, ttl));
  }

  private async mailResetLink(dto: PasswordResetRequestDto, origin: RequestOrigin): Promise<void> {
    const user = await this.users.findByLogin({ email: dto.email, username: dto.email == null ? dto.username : undefined });
    if (!user?.isActive) return;
    await this.db.transaction((manager) => this.mailLink(manager, user, this.config.passwordResetTtlSeconds, passwordResetMail));
    this.audit.of({ id: null, origin }, 'user').session('password_reset_request', user.id);
  }

  /** A new reset token for `user`, voiding older ones, and the mail with its link, sent after `manager`'s transaction commits. */
  private async mailLink(
    manager: EntityManager,
    user: User,
    ttlSeconds: number,
    mail: (to: string, link: string, ttlSeconds: number) => Mail,
  ): Promise<void> {
    const link = await this.resetLinks.issue(manager, user.id, ttlSeconds);
    this.mailer.sendAfterCommit(manager, mail(user.email, link, ttlSeconds));
  }

  private async setPassword(
    user: User,
    password: string,
    actor: { id: number; origin?: RequestOrigin },
    keptSession: number | undefined,
    within?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    const problems = await passwordProblems(password, user, this.config.passwordMinScore);
    if (problems.length > 0) throw new InvalidFieldError('The new password is not acceptable.', { new_password: problems });
    if (await verifyPassword(user.passwordHash, password)) {
      throw new InvalidFieldError('The new password is the current one.', {
        new_password: ['The new password must differ from the current one.'],
      });
    }
    const hash = await hashPassword(password);
    await this.db.transaction(async (manager) => {
      await within?.(manager);
      // A new password also lifts a lock: the reset link is how a locked-out owner gets back in.
      await this.repository.setPasswordHash(manager, user.id, hash);
      await this.tokens.endAllSessions(manager, user.id, keptSession);
      await this.audit.of(actor, 'user').changed(manager, 'update', user.id, ['password']);
      this.mailer.sendAfterCommit(manager, passwordChangedMail(user.email));
    });
    this.users.forget(user.id);
  }
}
