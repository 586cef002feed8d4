import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/core/database/sql';
import { enqueueSql } from '../src/jobs/enqueue-sql';
import { JobQueue, type QueueName } from '../src/jobs/job-queue';
import { startTestApp, type TestApp } from './support/test-app';

interface JobRow extends Record<string, unknown> {
  data: { key: string };
}

/**
 * The job queue's two ways in: pg-boss's own insert (JobQueue.enqueue) and the INSERT a statement
 * of ours runs as a CTE (enqueueSql), which must write the very same row; and both only with the
 * transaction they are part of.
 */
describe('the job queue (e2e)', () => {
  let t: TestApp;
  let jobs: JobQueue;
  // Far ahead, so that no worker of the app takes these jobs while the test reads them.
  const later = new Date(Date.now() + 30 * 86_400_000);

  beforeAll(async () => {
    t = await startTestApp();
    jobs = t.app.get(JobQueue);
  });
  afterAll(() => t.close());

  const rowsOf = (keys: string[]) =>
    t.db.query<JobRow[]>(
      `SELECT name, data, state, priority, retry_limit, retry_count, retry_delay, retry_backoff, start_after, expire_in::text,
              keep_until - start_after AS kept, singleton_key, dead_letter, policy
       FROM pgboss.job WHERE data ->> 'key' = ANY($1) ORDER BY data ->> 'key'`,
      [keys],
    );

  it.each<[QueueName, number | null, number | null]>([
    ['appointment-reminder', null, null],
    ['webhook-delivery', 3, 12],
  ])('writes the row pg-boss writes, queue %s (retry delay %s, expiry %s)', async (queue, retryDelay, expireSeconds) => {
    const [ours, theirs] = [`${queue}-ours`, `${queue}-theirs`];
    await t.db.transaction(async (manager) => {
      await jobs.enqueue(manager, queue, [
        {
          data: { key: theirs },
          startAfter: later,
          retryDelaySeconds: retryDelay ?? undefined,
          expireInSeconds: expireSeconds ?? undefined,
        },
      ]);
      const rows = sql`SELECT ${JSON.stringify({ key: ours })}::jsonb, ${later}::timestamptz, ${retryDelay}::int, ${expireSeconds}::int`;
      const { text, values } = enqueueSql(queue, rows).render();
      await manager.query(text, values);
    });
    const [a, b] = await rowsOf([ours, theirs]);
    expect(a.data.key).toBe(ours);
    expect(b.data.key).toBe(theirs);
    expect({ ...a, data: null }).toEqual({ ...b, data: null });
    expect(a).toMatchObject({ name: queue, state: 'created' });
  });

  it('enqueues nothing when the transaction rolls back, and refuses a manager outside one', async () => {
    const key = 'rolled-back';
    await expect(
      t.db.transaction(async (manager) => {
        await jobs.enqueue(manager, 'appointment-reminder', [{ data: { key }, startAfter: later }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rowsOf([key])).toEqual([]);
    await expect(jobs.enqueue(t.db.manager, 'appointment-reminder', [{ data: { key }, startAfter: later }])).rejects.toThrow(
      /open transaction/,
    );
  });
});
