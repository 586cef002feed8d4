import { sql, type Sql } from '../core/database/sql';
import type { QueueName } from './job-queue';

/**
 * An INSERT of one job of `queue` per row of `rows`, to run as a CTE of the statement that writes
 * what the jobs are about (a booking's event writes its reminders and their jobs in one round trip
 * instead of three). `rows` selects, in this order: `data` (jsonb), `start_after` (timestamptz),
 * `retry_delay` (integer seconds, null for the queue's) and `expire_seconds` (integer, null for
 * the queue's).
 *
 * The row is the one `JobQueue.enqueue` (pg-boss's own insert) writes: the queue's retry, expiry,
 * retention and dead-letter settings, pg-boss's defaults where the queue has none. It targets the
 * schema of the pg-boss version package.json pins, which the EventOutbox migration built and
 * pg-boss checks at every start; test/jobs.e2e-spec.ts compares the two rows column by column.
 */
export function enqueueSql(queue: QueueName, rows: Sql): Sql {
  return sql`INSERT INTO pgboss.job (name, data, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, dead_letter, policy)
    SELECT q.name, j.data, j.start_after,
      coalesce(j.expire_seconds, q.expire_seconds, 900) * interval '1s',
      j.start_after + coalesce(q.retention_minutes * interval '1 minute', interval '14 days'),
      coalesce(q.retry_limit, 2),
      CASE WHEN coalesce(q.retry_backoff, false) THEN greatest(coalesce(j.retry_delay, q.retry_delay, 1), 1)
           ELSE coalesce(j.retry_delay, q.retry_delay, 0) END,
      coalesce(q.retry_backoff, false),
      q.dead_letter,
      q.policy
    FROM (${rows}) AS j (data, start_after, retry_delay, expire_seconds)
    JOIN pgboss.queue q ON q.name = ${queue}::text`;
}
