import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { AuthRepository } from './auth.repository';

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** A mailed link's token: 256 random bits, URL-safe; only its SHA-256 is stored. */
export const newLinkToken = () => randomBytes(32).toString('base64url');

/** Password reset links: a 256-bit random token, stored as its SHA-256 only, voiding the account's older ones. */
@Injectable()
export class ResetLinks {
  constructor(
    private readonly repository: AuthRepository,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  /** A new link for the account, in the caller's transaction; valid for `ttlSeconds` (PASSWORD_RESET_TTL by default). */
  async issue(manager: EntityManager, userId: number, ttlSeconds = this.config.passwordResetTtlSeconds): Promise<string> {
    const token = newLinkToken();
    await this.repository.replaceResetTokens(manager, userId, sha256(token), new Date(Date.now() + ttlSeconds * 1000));
    return `${this.config.mail.publicUrl}/reset-password?token=${token}`;
  }
}
