import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';

/** The queues, created with their retry policies by the EventOutbox migration. */
export type QueueName = 'webhook-delivery' | 'appointment-reminder';

export interface NewJob<T extends object> {
  data: T;
  /** Not before this time (a reminder); at once when absent. */
  startAfter?: Date;
  /** Overrides the queue's first retry delay, in seconds (then doubled per retry, with jitter). */
  retryDelaySeconds?: number;
  /**
   * How long a run may stay active before the queue takes it for dead (its process killed) and
   * runs it again, in seconds; the queue's when absent. Checked by the maintenance, every
   * JOBS_MAINTENANCE_INTERVAL.
   */
  expireInSeconds?: number;
}

export interface Job<T> {
  id: string;
  data: T;
  /** How many times this job failed before this run. */
  retryCount: number;
}

/** Runs one job; a thrown error fails this run, and the queue retries it on its timetable. */
export type JobHandler<T> = (job: Job<T>) => Promise<void>;

/**
 * The job queue: pg-boss in the service's own PostgreSQL, on its connection pool (no other server). A
 * job is enqueued with the manager of the transaction that makes the change it is about, so it
 * commits with the change or not at all: no crash between the two can lose it. Workers run where
 * WORKERS says (`jobs` or `both`); several instances share the queue, each job fetched by one.
 */
@Injectable()
export class JobQueue implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly boss: PgBoss;
  private readonly handlers = new Map<QueueName, JobHandler<never>>();
  private started = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {
    const runsWorkers = config.workers !== 'api';
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.execute(text, values) },
      schema: 'pgboss',
      // The schema is the migrations' to change; pg-boss only checks that it is the version it knows.
      migrate: false,
      // Expiring stalled jobs (and archiving finished ones) is the workers' business.
      supervise: runsWorkers,
      maintenanceIntervalSeconds: config.jobs.maintenanceIntervalSeconds,
      schedule: false,
    });
    // pg-boss reports a failed poll or maintenance here, and goes on; unheard, an 'error' event would end the process.
    this.boss.on('error', (error) => this.logger.warn({ err: error }, 'Job queue error; it goes on'));
  }

  /** Whether this process runs the workers (WORKERS=jobs or both). */
  get runsWorkers(): boolean {
    return this.config.workers !== 'api';
  }

  /**
   * Enqueues jobs in the transaction of `manager`, in one statement: they commit with it. Outside
   * a transaction a job could commit without its change, or the change without its job.
   */
  async enqueue<T extends object>(manager: EntityManager, queue: QueueName, jobs: NewJob<T>[]): Promise<void> {
    if (jobs.length === 0) return;
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) throw new Error('Jobs are enqueued with the manager of an open transaction.');
    await this.boss.insert(
      jobs.map(({ data, startAfter, retryDelaySeconds, expireInSeconds }) => ({
        name: queue,
        data,
        startAfter: startAfter?.toISOString(),
        retryDelay: retryDelaySeconds,
        expireInSeconds,
      })),
      { db: { executeSql: (text, values) => this.execute(text, values, runner) } },
    );
  }

  /** Runs `handler` for the jobs of `queue` once the application is up, when this process runs workers. */
  work<T>(queue: QueueName, handler: JobHandler<T>): void {
    this.handlers.set(queue, handler);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.boss.start();
    this.started = true;
    if (!this.runsWorkers) return;
    const options = { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: this.config.jobs.pollIntervalMs / 1000 };
    for (const [queue, handler] of this.handlers) {
      // Each work() is one worker taking one job at a time: `concurrency` of them run side by side.
      for (let i = 0; i < this.config.jobs.concurrency; i++) {
        await this.boss.work<object>(queue, options, async ([job]) => {
          await handler({ id: job.id, data: job.data as never, retryCount: job.retryCount });
        });
      }
    }
  }

  /**
   * Lets the jobs being run finish (up to a few seconds); one cut off is run again after its
   * expiry. Before any shutdown hook: the workers must be still before the pool closes and, on
   * the embedded database, the server stops (its connections would be cut under them).
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 5_000, close: false });
  }

  /** pg-boss's statements on the service's pool (or on a transaction's connection), answered as pg answers. */
  private async execute(text: string, values: unknown[] | undefined, runner?: QueryRunner): Promise<{ rows: unknown[] }> {
    const own = runner ?? this.db.createQueryRunner();
    try {
      const result = await own.query(text, values, true);
      return { rows: (result.records ?? []) as unknown[] };
    } finally {
      if (!runner) await own.release();
    }
  }
}
