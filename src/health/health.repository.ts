import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';

/** The readiness probe's one statement. */
@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `SELECT 1`, failing after `timeoutMs` (the query itself goes on until the pool's own timeouts end it). */
  async ping(timeoutMs: number): Promise<void> {
    const timeout = new AbortController();
    const late = sleep(timeoutMs, undefined, { signal: timeout.signal, ref: false }).then(() => {
      throw new Error(`timeout of ${timeoutMs}ms exceeded`);
    });
    try {
      await Promise.race([this.db.query('SELECT 1'), late]);
    } finally {
      timeout.abort();
      late.catch(() => undefined);
    }
  }
}
