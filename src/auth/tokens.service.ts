import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccessTokenClaims } from '../core/auth/auth-user';
import { InjectAccessTokens, InjectRefreshTokens } from '../core/auth/token-signers';
import type { AppConfig } from '../core/config/app-config';
import { NotAuthenticatedError } from '../core/errors';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { User } from '../users/user.entity';
import { AuthRepository } from './auth.repository';
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
 * Issues access tokens and rotates refresh tokens (stored hashed, one family per login). With
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
  issue(user: User): Promise<TokenPairDto> {
    return this.db.transaction((manager) => this.issueInFamily(manager, user, randomUUID()));
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
      if (!rotation) return { tokens: { access: await this.signAccess(user), refresh }, userId: stored.userId };
      await this.repository.markSpent(manager, stored.id);
      return { tokens: await this.issueInFamily(manager, user, stored.familyId), userId: stored.userId };
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

  private signAccess(user: User): Promise<string> {
    // A jti makes every access token unique: without it, two issued within one second are identical.
    const accessClaims: AccessTokenClaims = {
      sub: String(user.id),
      jti: randomUUID(),
      username: user.username,
      role: user.role,
      type: 'access',
    };
    return this.accessTokens.signAsync(accessClaims);
  }

  private async issueInFamily(manager: EntityManager, user: User, familyId: string): Promise<TokenPairDto> {
    const access = await this.signAccess(user);
    const id = randomUUID();
    const refreshClaims: RefreshClaims = { sub: String(user.id), jti: id, type: 'refresh' };
    const refresh = await this.refreshTokens.signAsync(refreshClaims);
    await this.repository.insertToken(manager, {
      id,
      familyId,
      userId: user.id,
      tokenHash: sha256(refresh),
      expiresAt: new Date(Date.now() + this.config.jwt.refreshTtlSeconds * 1000),
    });
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
