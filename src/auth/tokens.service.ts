import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessTokenClaims } from '../core/auth/auth-user';
import { InjectAccessTokens, InjectRefreshTokens } from '../core/auth/token-signers';
import type { AppConfig } from '../core/config/app-config';
import { NotAuthenticatedError, NotFoundError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { User } from '../users/user.entity';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { AuthRepository } from './auth.repository';
import { Session } from './session.entity';
import { TokenPairDto } from './dto/tokens.dto';

interface RefreshClaims {
  sub: string;
  jti: string;
  type: 'refresh';
}

const INVALID_REFRESH = 'The refresh token is not valid.';
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** What a refresh attempt found, for the caller to audit. */
export type RefreshOutcome = { tokens: TokenPairDto; userId: number } | { reuseDetected: true; userId: number };

/**
 * Issues access tokens and rotates refresh tokens (stored hashed, one family per login), and keeps
 * the sessions those families are: listed to their owner, ended one by one or all at once. With
 * `JWT_REFRESH_ROTATION=off` a refresh token is not spent: it answers new access tokens until it
 * expires or its session is logged out.
 */
@Injectable()
export class TokensService {
  constructor(
    @InjectAccessTokens() private readonly accessTokens: JwtService,
    @InjectRefreshTokens() private readonly refreshTokens: JwtService,
    // Only to open transactions; the statements are the repository's.
    @InjectDataSource() private readonly db: DataSource,
    private readonly repository: AuthRepository,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** A new session: a new refresh-token family. */
  issue(user: User, origin?: RequestOrigin): Promise<TokenPairDto> {
    return this.db.transaction(async (manager) => {
      const session = await this.repository.insertSession(manager, {
        familyId: randomUUID(),
        userId: user.id,
        userAgent: origin?.userAgent ?? null,
        clientAddress: origin?.clientIp ?? null,
        expiresAt: this.refreshExpiry(),
      });
      return this.issueInFamily(manager, user, session);
    });
  }

  /** A page of the account's live sessions, most recently used first. */
  async sessionsOf(userId: number, query: PageQueryDto): Promise<Page<Session>> {
    const [sessions, total] = await this.repository.findLiveSessions(this.db.manager, userId, query.offset, query.page_size);
    return new Page(sessions, total, query);
  }

  /** Ends one of the account's sessions; someone else's, or one already over, is not found. */
  endSession(userId: number, id: number): Promise<void> {
    return this.db.transaction(async (manager) => {
      const session = await this.repository.findLiveSession(manager, userId, id);
      if (!session) throw new NotFoundError('Session not found.');
      await this.repository.revokeFamily(manager, session.familyId);
    });
  }

  /** Ends every session of the account, and every access token issued until now. */
  endEverySession(userId: number): Promise<void> {
    return this.db.transaction((manager) => this.endAllSessions(manager, userId));
  }

  /**
   * Ends every session of the account but `except` (the caller's own, when it stays), and refuses
   * every access token issued until now: the one session kept gets a new one at its next refresh.
   * In the caller's transaction, so a password change and the end of its sessions are one change.
   */
  async endAllSessions(manager: EntityManager, userId: number, except?: number): Promise<void> {
    await this.repository.endSessions(manager, userId, except);
    await this.repository.refuseTokensBefore(manager, userId, new Date());
  }

  /**
   * Spends `refresh` and issues the next pair of its family. A token spent before is a stolen
   * one being replayed (or the victim's copy after the thief used it): the family dies. With
   * rotation off the token is not spent: the answer is a new access token and `refresh` itself.
   * A token spent while rotation was on has a successor, so presenting it is still a reuse.
   */
  async rotate(refresh: string): Promise<RefreshOutcome> {
    const claims = this.verifyRefresh(refresh);
    const rotation = this.config.jwt.refreshRotation;
    return this.db.transaction(async (manager) => {
      // The row lock makes two concurrent uses of one token a detected reuse, never two sessions.
      // Without rotation concurrent uses are fine, and need no lock.
      const stored = rotation
        ? await this.repository.findTokenForUpdate(manager, claims.jti)
        : await this.repository.findToken(manager, claims.jti);
      if (!stored || stored.tokenHash !== sha256(refresh) || stored.revokedAt) {
        throw new NotAuthenticatedError(INVALID_REFRESH);
      }
      if (stored.spentAt) {
        await this.repository.revokeFamily(manager, stored.familyId);
        return { reuseDetected: true as const, userId: stored.userId };
      }
      const user = await this.repository.findActiveUser(manager, stored.userId);
      if (!user) throw new NotAuthenticatedError(INVALID_REFRESH);
      const session = await this.repository.findSessionOfFamily(manager, stored.familyId);
      if (!session) throw new NotAuthenticatedError(INVALID_REFRESH);
      if (!rotation) {
        await this.repository.touchSession(manager, session.familyId, stored.expiresAt);
        return { tokens: { access: await this.signAccess(user, session), refresh }, userId: stored.userId };
      }
      await this.repository.markSpent(manager, stored.id);
      return { tokens: await this.issueInFamily(manager, user, session), userId: stored.userId };
    });
  }

  /** Ends the session the refresh token belongs to; returns the user it belonged to. */
  async revoke(refresh: string): Promise<number> {
    const claims = this.verifyRefresh(refresh, { ignoreExpiration: true });
    return this.db.transaction(async (manager) => {
      const stored = await this.repository.findToken(manager, claims.jti);
      if (!stored || stored.tokenHash !== sha256(refresh) || stored.revokedAt) {
        throw new NotAuthenticatedError(INVALID_REFRESH);
      }
      await this.repository.revokeFamily(manager, stored.familyId);
      return stored.userId;
    });
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000);
  }

  private signAccess(user: User, session: Session): Promise<string> {
    // A jti makes every access token unique: without it, two issued within one second are identical.
    const accessClaims: AccessTokenClaims = {
      sub: String(user.id),
      jti: randomUUID(),
      username: user.username,
      role: user.role,
      type: 'access',
      sid: session.id,
      iat_ms: Date.now(),
    };
    return this.accessTokens.signAsync(accessClaims);
  }

  private async issueInFamily(manager: EntityManager, user: User, session: Session): Promise<TokenPairDto> {
    const { familyId } = session;
    const access = await this.signAccess(user, session);
    const id = randomUUID();
    const refreshClaims: RefreshClaims = { sub: String(user.id), jti: id, type: 'refresh' };
    const refresh = await this.refreshTokens.signAsync(refreshClaims);
    const expiresAt = this.refreshExpiry();
    await this.repository.insertToken(manager, { id, familyId, userId: user.id, tokenHash: sha256(refresh), expiresAt });
    await this.repository.touchSession(manager, familyId, expiresAt);
    return { access, refresh };
  }

  private verifyRefresh(token: string, options: { ignoreExpiration?: boolean } = {}): RefreshClaims {
    try {
      const claims = this.refreshTokens.verify<RefreshClaims>(token, options);
      if (claims.type !== 'refresh' || typeof claims.jti !== 'string') throw new Error('not a refresh token');
      return claims;
    } catch {
      throw new NotAuthenticatedError(INVALID_REFRESH);
    }
  }
}
