import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { retriedTransaction } from './retried-transaction';

const failure = (code: string) => new QueryFailedError('INSERT …', [], Object.assign(new Error(code), { code }));

/** A data source whose transactions fail with the given errors, in turn, then succeed. */
function failingWith(...errors: Error[]): { db: DataSource; attempts: () => number } {
  let attempts = 0;
  const db = {
    transaction: async (work: (manager: EntityManager) => Promise<unknown>) => {
      const error = errors[attempts++];
      if (error) throw error;
      return work({} as EntityManager);
    },
  } as unknown as DataSource;
  return { db, attempts: () => attempts };
}

describe('retriedTransaction', () => {
  it('runs the work again after a deadlock or a serialization failure', async () => {
    const { db, attempts } = failingWith(failure('40P01'), failure('40001'));
    await expect(retriedTransaction(db, () => Promise.resolve('booked'))).resolves.toBe('booked');
    expect(attempts()).toBe(3);
  });

  it('gives up after three attempts, with the last error', async () => {
    const { db, attempts } = failingWith(failure('40P01'), failure('40P01'), failure('40P01'));
    await expect(retriedTransaction(db, () => Promise.resolve('booked'))).rejects.toMatchObject({ driverError: { code: '40P01' } });
    expect(attempts()).toBe(3);
  });

  it('does not retry other errors', async () => {
    const { db, attempts } = failingWith(failure('23P01'));
    await expect(retriedTransaction(db, () => Promise.resolve('booked'))).rejects.toMatchObject({ driverError: { code: '23P01' } });
    expect(attempts()).toBe(1);
  });
});
