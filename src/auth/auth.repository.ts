import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { User } from '../users/user.entity';
import { RefreshToken } from './refresh-token.entity';

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

  /** Revokes the family's tokens not revoked yet. */
  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
