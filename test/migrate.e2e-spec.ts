import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../migrations';
import { runMigrationsExclusively } from '../src/core/database/migrate';
import { adminConnection, databaseUrl } from './support/database';

/** Several instances starting at once on a new database, as replicas or a restarted cluster do. */
describe('migrations at start (e2e)', () => {
  const database = `hc_migrate_${randomBytes(4).toString('hex')}`;
  let url: string;
  beforeAll(async () => {
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.destroy();
    url = databaseUrl(inject('serverUrl'), database);
  });
  afterAll(async () => {
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.destroy();
  });

  it('applies each migration exactly once when three instances migrate at the same time', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => runMigrationsExclusively(url)));
    // One instance applied them all; the others, waiting on the lock, found nothing left to do.
    expect(runs.map((applied) => applied.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    const db = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
    const rows: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM typeorm_migrations');
    await db.destroy();
    expect(rows[0].n).toBe(MIGRATIONS.length);
    expect(await runMigrationsExclusively(url)).toEqual([]);
  });
});
