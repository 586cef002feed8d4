import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { AppInstance, startAppOn } from './support/instances';
import { freePort } from './support/ports';
import { useTestApp } from './support/test-app';

describe('health probes', () => {
  const t = useTestApp();

  it('answers live without a token', async () => {
    const res = await t.http().get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('reports the database up when ready', async () => {
    const res = await t.http().get('/health/ready/');
    expect(res.status).toBe(200);
    expect(res.body.info.database.status).toBe('up');
  });
});

/** On a PostgreSQL server of this file's own, which the test stops and starts again. */
describe('readiness while the database is down (e2e)', () => {
  let dataDir: string;
  let port: number;
  let db: RunningEmbeddedPostgres;
  let t: AppInstance;
  const logLines: string[] = [];
  const startDatabase = () => startEmbeddedPostgres({ dataDir, port, database: 'healthcare' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hc-health-postgres-'));
    port = await freePort();
    db = await startDatabase();
    t = await startAppOn(
      db.url,
      { DB_RUN_MIGRATIONS: 'true', DB_CONNECT_TIMEOUT_MS: '2000', LOG_LEVEL: 'info' },
      { logDestination: { write: (line: string) => void logLines.push(line) } },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 problem+json saying so, and logs one warning when the database goes and one line when it is back', async () => {
    expect((await t.http().get('/health/ready')).status).toBe(200);
    await db.stop();
    const before = logLines.length;

    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await t.http().get('/health/ready'));
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'The database is unavailable; retry shortly.',
        instance: '/health/ready',
        request_id: res.headers['x-request-id'],
      });
    }
    type Line = { level: number; msg: string; context?: string; err?: unknown };
    // The readiness probe's own lines; the caller cache's listener may also say that it retries, on a slow machine.
    const fromHealth = (lines: string[]) => lines.map((line) => JSON.parse(line) as Line).filter((line) => line.context === 'Health');
    const noErrors = (lines: string[]) =>
      expect(lines.map((line) => JSON.parse(line) as Line).filter((line) => line.level >= 50)).toEqual([]);
    noErrors(logLines.slice(before));
    const whileDown = fromHealth(logLines.slice(before));
    expect(whileDown, JSON.stringify(whileDown)).toHaveLength(1);
    expect(whileDown[0]).toMatchObject({ level: 40, msg: expect.stringMatching(/database/i) });
    expect(JSON.stringify(whileDown[0])).not.toMatch(/\bat \S+ \(|stack/);

    db = await startDatabase();
    const backAt = logLines.length;
    expect((await t.http().get('/health/ready')).status).toBe(200);
    expect((await t.http().get('/health/ready')).status).toBe(200);
    noErrors(logLines.slice(backAt));
    const afterwards = fromHealth(logLines.slice(backAt));
    expect(afterwards).toEqual([expect.objectContaining({ level: 30, msg: expect.stringMatching(/database/i) })]);
  });
});
