import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

/** deadlock_detected and serialization_failure: PostgreSQL aborted the transaction to let another finish. */
const RETRYABLE_CODES = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

const isRetryable = (error: unknown) =>
  error instanceof QueryFailedError && RETRYABLE_CODES.has(String((error.driverError as { code?: unknown }).code));

/**
 * Runs `work` in a transaction, and again (three attempts in all) when PostgreSQL aborts it as
 * the loser of a deadlock or a serialization conflict. Concurrent bookings of one slot wait on
 * each other's exclusion-constraint check while holding share locks, and PostgreSQL may break
 * such a cycle by aborting one of them; run again, it finds the booking that committed and gets
 * the constraint's own answer (409, the doctor is busy) instead of a bare "retry".
 */
export async function retriedTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
    }
  }
}
