import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import type { RequestOrigin } from '../core/http/request-origin';
import { Mailer } from '../mail/mailer';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { accountLockedMail } from './auth-mails';
import { burnPasswordCheck, verifyPassword } from './passwords';
import { AuthRepository } from './auth.repository';
import { ResetLinks } from './reset-links';

/** The longest a lock lasts, however many came before. */
const MAX_LOCK_MS = 24 * 60 * 60 * 1000;

/**
 * Per-account lockout, beside the per-address rate limit: guesses spread over many addresses
 * still lock the account. The count lives in PostgreSQL, row-locked per failure, so it holds
 * across instances. A locked account's login answers exactly as a wrong password does (no
 * enumeration); its owner is mailed a reset link, and a new password unlocks it.
 */
@Injectable()
export class LockoutService {
  constructor(
    private readonly repository: AuthRepository,
    private readonly users: UsersService,
    private readonly resetLinks: ResetLinks,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  isLocked(user: Pick<User, 'lockedUntil'>): boolean {
    return user.lockedUntil !== null && user.lockedUntil.getTime() > Date.now();
  }

  /** Counts a wrong password; the failure that reaches the threshold locks the account, twice as long as its last lock. */
  async recordFailure(user: Pick<User, 'id' | 'email'>, origin?: RequestOrigin): Promise<void> {
    const { threshold, durationSeconds } = this.config.lockout;
    if (threshold === 0) return;
    const lockedUntil = await this.db.transaction(async (manager) => {
      const state = await this.repository.findLockoutForUpdate(manager, user.id);
      if (!state || this.isLocked(state)) return null;
      const failedLogins = state.failedLogins + 1;
      if (failedLogins < threshold) {
        await this.repository.setLockout(manager, user.id, { failedLogins, lockedUntil: state.lockedUntil, lockCount: state.lockCount });
        return null;
      }
      const until = new Date(Date.now() + Math.min(durationSeconds * 1000 * 2 ** state.lockCount, MAX_LOCK_MS));
      await this.repository.setLockout(manager, user.id, { failedLogins: 0, lockedUntil: until, lockCount: state.lockCount + 1 });
      const link = await this.resetLinks.issue(manager, user.id);
      this.mailer.sendAfterCommit(manager, accountLockedMail(user.email, until, link));
      return until;
    });
    if (lockedUntil) this.audit.of({ id: null, origin }, 'user').session('lock', user.id);
  }

  /**
   * Whether `password` is the signed-in account's own, for a change that asks for it again (the
   * password, the email, turning MFA off): a guess like a login's, so a wrong one counts towards
   * the lockout, and while the account is locked none is even tried, so a stolen session cannot
   * go on guessing where the login cannot.
   */
  async confirmPassword(
    user: Pick<User, 'id' | 'email' | 'passwordHash' | 'lockedUntil'>,
    password: string,
    origin?: RequestOrigin,
  ): Promise<boolean> {
    if (this.isLocked(user)) {
      await burnPasswordCheck(password);
      return false;
    }
    if (await verifyPassword(user.passwordHash, password)) return true;
    await this.recordFailure(user, origin);
    return false;
  }

  /** A successful login starts the count again. */
  async recordSuccess(user: Pick<User, 'id' | 'failedLogins' | 'lockCount'>): Promise<void> {
    if (user.failedLogins === 0 && user.lockCount === 0) return;
    await this.repository.setLockout(this.db.manager, user.id, { failedLogins: 0, lockedUntil: null, lockCount: 0 });
  }

  /** An admin lifts the lock and the count. */
  async unlock(id: number, admin: AuthUser): Promise<void> {
    await this.users.get(id); // 404 for an unknown account
    await this.repository.setLockout(this.db.manager, id, { failedLogins: 0, lockedUntil: null, lockCount: 0 });
    this.audit.of(admin, 'user').session('unlock', id);
  }
}
