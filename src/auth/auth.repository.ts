import { Injectable } from '@nestjs/common';
import { EntityManager, In, IsNull, MoreThan, Not } from 'typeorm';
import { accountNameSkeleton } from '../users/account-names';
import { User } from '../users/user.entity';
import { RefreshToken } from './refresh-token.entity';
import { EmailVerification } from './email-verification.entity';
import { PasswordResetToken } from './password-reset-token.entity';
import { Session } from './session.entity';

/** What a new session records of the login that started it. */
export type NewSession = Pick<Session, 'familyId' | 'userId' | 'userAgent' | 'clientAddress' | 'expiresAt'>;

/**
 * Every statement of the auth feature, through TypeORM's entity manager, each in the caller's
 * transaction (`manager`): the refresh tokens, and the account a rotation issues for.
 */
@Injectable()
export class AuthRepository {
  /** The stored refresh token, row-locked: two concurrent uses of one token are then a detected reuse, never two sessions. */
  findTokenForUpdate(manager: EntityManager, id: string): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findToken(manager: EntityManager, id: string): Promise<RefreshToken | null> {
    return manager.findOneBy(RefreshToken, { id });
  }

  /** The token's account, if it is still active. */
  findActiveUser(manager: EntityManager, id: number): Promise<User | null> {
    return manager.findOneBy(User, { id, isActive: true });
  }

  async insertToken(
    manager: EntityManager,
    token: Pick<RefreshToken, 'id' | 'familyId' | 'userId' | 'tokenHash' | 'expiresAt'>,
  ): Promise<void> {
    await manager.insert(RefreshToken, token);
  }

  async markSpent(manager: EntityManager, id: string): Promise<void> {
    await manager.update(RefreshToken, id, { spentAt: new Date() });
  }

  /** Ends the session and revokes its tokens not revoked yet. */
  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    const now = new Date();
    await manager.update(Session, { familyId, endedAt: IsNull() }, { endedAt: now });
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: now });
  }

  findSessionOfFamily(manager: EntityManager, familyId: string): Promise<Session | null> {
    return manager.findOneBy(Session, { familyId });
  }

  async insertSession(manager: EntityManager, session: NewSession): Promise<Session> {
    return manager.save(manager.create(Session, session));
  }

  /** Stamps a refresh: the session was used now, and lasts as long as its newest token. */
  async touchSession(manager: EntityManager, familyId: string, expiresAt: Date): Promise<void> {
    await manager.update(Session, { familyId }, { lastUsedAt: new Date(), expiresAt });
  }

  /** A page of the account's sessions that have neither ended nor expired, the most recently used first, and how many there are. */
  findLiveSessions(manager: EntityManager, userId: number, offset: number, limit: number): Promise<[Session[], number]> {
    return manager.findAndCount(Session, {
      where: { userId, endedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC', id: 'DESC' },
      skip: offset,
      take: limit,
    });
  }

  /** One live session of the account, or null (someone else's, ended, expired or none). */
  findLiveSession(manager: EntityManager, userId: number, id: number): Promise<Session | null> {
    return manager.findOneBy(Session, { id, userId, endedAt: IsNull(), expiresAt: MoreThan(new Date()) });
  }

  /** Ends every session of the account but `except`, revoking their tokens. */
  async endSessions(manager: EntityManager, userId: number, except?: number): Promise<void> {
    const sessions = await manager.find(Session, {
      where: { userId, endedAt: IsNull(), ...(except === undefined ? {} : { id: Not(except) }) },
      select: { familyId: true },
    });
    if (sessions.length === 0) return;
    const now = new Date();
    const familyId = In(sessions.map((session) => session.familyId));
    await manager.update(Session, { familyId, endedAt: IsNull() }, { endedAt: now });
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: now });
  }

  /** A new password, which also ends any lock and the failed logins counted. */
  async setPasswordHash(manager: EntityManager, userId: number, passwordHash: string): Promise<void> {
    await manager.update(User, userId, { passwordHash, failedLogins: 0, lockedUntil: null, lockCount: 0 });
  }

  /** The account's lockout state, row-locked: concurrent failures count one after the other, on every instance. */
  findLockoutForUpdate(
    manager: EntityManager,
    userId: number,
  ): Promise<Pick<User, 'id' | 'failedLogins' | 'lockedUntil' | 'lockCount'> | null> {
    return manager.findOne(User, {
      where: { id: userId },
      select: { id: true, failedLogins: true, lockedUntil: true, lockCount: true },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async setLockout(manager: EntityManager, userId: number, state: Pick<User, 'failedLogins' | 'lockedUntil' | 'lockCount'>): Promise<void> {
    await manager.update(User, userId, state);
  }

  /** The reset token with this hash, unless it was used, voided or has expired. */
  findUsableResetToken(manager: EntityManager, tokenHash: string): Promise<PasswordResetToken | null> {
    return manager.findOneBy(PasswordResetToken, { tokenHash, usedAt: IsNull(), expiresAt: MoreThan(new Date()) });
  }

  /** A new reset token for the account, voiding its older ones. */
  async replaceResetTokens(manager: EntityManager, userId: number, tokenHash: string, expiresAt: Date): Promise<void> {
    await manager.update(PasswordResetToken, { userId, usedAt: IsNull() }, { usedAt: new Date() });
    await manager.insert(PasswordResetToken, { userId, tokenHash, expiresAt });
  }

  /** Spends a usable reset token; false when it was spent, voided or expired meanwhile. */
  async spendResetToken(manager: EntityManager, id: number): Promise<boolean> {
    const result = await manager.update(
      PasswordResetToken,
      { id, usedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      { usedAt: new Date() },
    );
    return result.affected === 1;
  }

  /** A new verification link's token for `email`, voiding the account's older ones. */
  async replaceVerifications(manager: EntityManager, userId: number, email: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await manager.update(EmailVerification, { userId, usedAt: IsNull() }, { usedAt: new Date() });
    await manager.insert(EmailVerification, { userId, email, tokenHash, expiresAt });
  }

  /** Spends a usable verification token: the account and the address it verifies, or null. */
  async spendVerification(manager: EntityManager, tokenHash: string): Promise<Pick<EmailVerification, 'userId' | 'email'> | null> {
    const found = await manager.findOne(EmailVerification, {
      where: { tokenHash, usedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!found) return null;
    await manager.update(EmailVerification, found.id, { usedAt: new Date() });
    return found;
  }

  /**
   * The account's email is `email`, verified (a change of address takes effect here), with its
   * skeleton, so the look-alike index judges the new address; a taken one is a unique violation (409).
   */
  async setVerifiedEmail(manager: EntityManager, userId: number, email: string): Promise<void> {
    await manager.update(User, userId, { email, emailSkeleton: accountNameSkeleton(email), emailVerified: true });
  }

  /** The account's current email is verified (a reset link sent to it was followed). */
  async markEmailVerified(manager: EntityManager, userId: number): Promise<void> {
    await manager.update(User, userId, { emailVerified: true });
  }

  /** Refuses the account's access tokens issued before `instant`. */
  async refuseTokensBefore(manager: EntityManager, userId: number, instant: Date): Promise<void> {
    await manager.update(User, userId, { tokensValidAfter: instant });
  }
}
