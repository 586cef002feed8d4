import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.factory';
import { loadAppConfig } from '../src/core/config/app-config';
import { startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { testEnv } from './support/test-app';
import { insertUser } from './support/tokens';
import { freePort } from './support/ports';

/** `npm start` without DATABASE_URL: the app runs its own embedded PostgreSQL and stops it on close. */
describe('shutting down on the embedded database (e2e)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hc-shutdown-'));
    // The data folder is DATA_DIR/postgres; as root, PostgreSQL runs as another OS user that must reach it.
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('writes the pending audit entries before it stops the database', async () => {
    const port = await freePort();
    const env = { ...testEnv(''), DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_DB_PORT: String(port), DB_RUN_MIGRATIONS: 'true' };
    const app = await createApp(loadAppConfig(env));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const user = await insertUser(app.get(DataSource));
    const created = await request(app.getHttpServer())
      .post('/api/patients/')
      .set('Authorization', `Bearer ${user.access}`)
      .send({ name: 'Last' });
    expect(created.status).toBe(201);
    // A read: its entry is batched (a change's is written with the change).
    const read = await request(app.getHttpServer()).get(`/api/patients/${created.body.id}/`).set('Authorization', `Bearer ${user.access}`);
    expect(read.status).toBe(200);
    // Closed at once, within the audit trail's batching delay: the read's entry is still pending.
    await app.close();
    // The server was stopped cleanly (it removes its lock file), not left running.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const server = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port, database: 'healthcare' });
    try {
      const db = await new DataSource({ type: 'postgres', url: server.url, extra: { max: 1 } }).initialize();
      const rows: { n: number }[] = await db.query(
        `SELECT count(*)::int AS n FROM audit_events WHERE entity = 'patient' AND entity_id = $1 AND action = 'read'`,
        [created.body.id],
      );
      await db.destroy();
      expect(rows[0].n).toBe(1);
    } finally {
      await server.stop();
    }
  });
});
