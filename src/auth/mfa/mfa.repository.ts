import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull, LessThan, Not, Or } from 'typeorm';
import { User } from '../../users/user.entity';
import { MfaRecoveryCode } from './mfa-recovery-code.entity';

/**
 * Every statement of two-factor authentication, through TypeORM's entity manager, each in the
 * caller's transaction (`manager`). The writes that must happen once (a time step, a recovery
 * code) are conditional updates, so of two concurrent requests with the same code one wins.
 */
@Injectable()
export class MfaRepository {
  async setPendingSecret(manager: EntityManager, userId: number, sealed: string): Promise<void> {
    await manager.update(User, userId, { mfaPendingSecret: sealed });
  }

  /**
   * Makes the pending secret the account's, with `step` as its last used time step; false when the
   * pending secret is no longer `sealed` (a new setup meanwhile) or MFA is already on.
   */
  async enable(manager: EntityManager, userId: number, sealed: string, step: number): Promise<boolean> {
    const result = await manager.update(
      User,
      { id: userId, mfaPendingSecret: sealed, mfaEnabledAt: IsNull() },
      { mfaSecret: sealed, mfaPendingSecret: null, mfaEnabledAt: new Date(), mfaLastStep: step },
    );
    return result.affected === 1;
  }

  async disable(manager: EntityManager, userId: number): Promise<void> {
    await manager.update(User, userId, { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null });
    await manager.delete(MfaRecoveryCode, { userId });
  }

  /** Records `step` as the last used one, if it is later than the last; false when it is not (a replayed code). */
  async advanceLastStep(manager: EntityManager, userId: number, step: number): Promise<boolean> {
    const result = await manager.update(
      User,
      { id: userId, mfaEnabledAt: Not(IsNull()), mfaLastStep: Or(IsNull(), LessThan(step)) },
      { mfaLastStep: step },
    );
    return result.affected === 1;
  }

  async replaceRecoveryCodes(manager: EntityManager, userId: number, codeHashes: string[]): Promise<void> {
    await manager.delete(MfaRecoveryCode, { userId });
    await manager.insert(
      MfaRecoveryCode,
      codeHashes.map((codeHash) => ({ userId, codeHash })),
    );
  }

  /** Spends an unused recovery code of the account; false when there is none with this hash. */
  async spendRecoveryCode(manager: EntityManager, userId: number, codeHash: string): Promise<boolean> {
    const result = await manager.update(MfaRecoveryCode, { userId, codeHash, usedAt: IsNull() }, { usedAt: new Date() });
    return result.affected === 1;
  }
}
