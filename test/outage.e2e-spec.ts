import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditRepository } from '../src/audit/audit.repository';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { AppInstance, OwnApp, startAppOn, startOwnApp } from './support/instances';
import { startTcpProxy, TcpProxy } from './support/tcp-proxy';
import { TestUser, uniqueName } from './support/test-app';
import { insertUser } from './support/tokens';
import { freePort } from './support/ports';

/** Requests must succeed again this soon after the database is back. */
const RECOVERY_MS = 5000;
const CLIENTS = 4;
const MAX_REQUESTS = 3000;

interface Outcome {
  kind: 'read' | 'write';
  startedAt: number;
  ms: number;
  status: number;
  res?: Response;
  id?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The service's error lines (LOG_LEVEL=error), kept so that an answer the test did not expect (a
 * 500 above all) says which error caused it: the filter logs it with the request's id.
 */
function errorLog(): { destination: DestinationStream; explain: (res: Response | undefined) => string } {
  const lines: string[] = [];
  return {
    destination: { write: (line: string) => void lines.push(line) },
    explain: (res) => {
      const requestId = (res?.body as { request_id?: unknown } | undefined)?.request_id;
      if (requestId === undefined) return '';
      const logged = lines
        .map((line) => JSON.parse(line) as { request_id?: unknown; err?: unknown })
        .filter((line) => line.request_id === requestId);
      return logged.length === 0 ? ' (nothing logged)' : `; logged: ${logged.map((line) => JSON.stringify(line.err)).join('; ')}`;
    },
  };
}

/** A bounded, steady stream of reads and writes (creating patients) by a few clients, in the background. */
function traffic(t: AppInstance, user: TestUser): { outcomes: Outcome[]; stop: () => Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let running = true;
  const client = async (n: number) => {
    for (let i = 0; running && outcomes.length < MAX_REQUESTS; i++) {
      const kind = (i + n) % 2 === 0 ? 'write' : 'read';
      const startedAt = Date.now();
      const req =
        kind === 'write'
          ? t
              .as(user)
              .post('/api/patients/')
              .send({ name: uniqueName('Outage ') })
          : t.as(user).get('/api/patients/?page_size=5');
      const res = await req.timeout(20_000).catch((error: { timeout?: number }) => {
        if (error.timeout) return undefined; // hung: counted below as status 0
        throw error;
      });
      const outcome: Outcome = { kind, startedAt, ms: Date.now() - startedAt, status: res?.status ?? 0, res };
      if (kind === 'write' && res?.status === 201) outcome.id = res.body.id;
      outcomes.push(outcome);
      await sleep(5);
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return outcomes;
    },
  };
}

/** Polls until a read succeeds; the time it took. */
async function recovery(t: AppInstance, user: TestUser, since: number): Promise<number> {
  while (Date.now() - since < RECOVERY_MS * 2) {
    if ((await t.as(user).get('/api/patients/?page_size=1')).status === 200) return Date.now() - since;
    await sleep(100);
  }
  throw new Error('requests did not succeed again after the database came back');
}

/** What every outage test asserts of the background traffic, and the figures it prints. */
async function checkOutcomes(
  t: AppInstance,
  user: TestUser,
  outcomes: Outcome[],
  window: { downAt: number; upAt: number; recoveredAt: number; boundMs: number },
  explain: (res: Response | undefined) => string,
): Promise<string> {
  const hung = outcomes.filter((o) => o.status === 0 || o.ms > window.boundMs);
  const maxMs = Math.max(...outcomes.map((o) => o.ms));
  const unavailable = outcomes.filter((o) => o.status === 503);
  const sorted = unavailable.map((o) => o.ms).sort((x, y) => x - y);
  const percentile = (p: number) => sorted[Math.floor((sorted.length - 1) * p)] ?? 0;
  const writes = outcomes.filter((o) => o.kind === 'write');
  const acknowledged = writes.filter((o) => o.id !== undefined).map((o) => o.id!);
  const stored: { id: number }[] = await t.db.query('SELECT id FROM patients WHERE created_by_id = $1', [user.id]);
  const storedIds = new Set(stored.map((row) => row.id));
  const lost = acknowledged.filter((id) => !storedIds.has(id));
  const figures =
    `${outcomes.length} requests (${writes.length} writes, ${outcomes.length - writes.length} reads) by ${CLIENTS} clients, ` +
    `${hung.length} hung, max latency ${maxMs} ms, ${unavailable.length} x 503 (median ${percentile(0.5)} ms, p95 ${percentile(0.95)} ms), ` +
    `${acknowledged.length} acknowledged writes, ${stored.length} rows stored, ${lost.length} lost`;

  expect(hung, figures).toEqual([]);
  // Only successes and "unavailable": no 500, no other error.
  for (const o of outcomes) {
    expect([200, 201, 503], `${o.kind} answered ${o.status}: ${o.res?.text}${explain(o.res)}`).toContain(o.status);
  }
  for (const o of unavailable) {
    expect(o.res!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(o.res!.headers['retry-after']).toMatch(/^\d+$/);
    expect(o.res!.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 503, detail: expect.any(String) });
    expect(o.res!.text).not.toMatch(/ECONNREFUSED|ETIMEDOUT|postgres|typeorm|\bat \S+ \(/i);
  }
  // The outage was seen by the background traffic, and everything after the recovery succeeded.
  const whileDown = outcomes.filter((o) => o.startedAt >= window.downAt && o.startedAt + o.ms < window.upAt);
  expect(whileDown.length).toBeGreaterThan(0);
  expect(whileDown.filter((o) => o.status !== 503).map((o) => o.status)).toEqual([]);
  expect(outcomes.filter((o) => o.startedAt > window.recoveredAt && o.status >= 300).map((o) => o.status)).toEqual([]);
  // Every write that was acknowledged is stored; a write answered 503 may or may not have been committed.
  expect(lost).toEqual([]);
  expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
  expect(stored.length - acknowledged.length).toBeLessThanOrEqual(writes.length - acknowledged.length);
  return figures;
}

/** Polls `condition` until it holds. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const since = Date.now(); !condition(); await sleep(10)) {
    if (Date.now() - since > ms) throw new Error(`${what} did not happen within ${ms} ms`);
  }
}

/**
 * What a stopped server does to one write in flight, made to happen every time rather than once
 * in many loaded runs: the server ends the transaction's connection between two of its statements
 * (the patient's INSERT and its audit entry's), TypeORM releases the connection on the 'error' it
 * hears, and the next statement meets TypeORM's "already released" error instead of a network one.
 */
describe('a connection ended between two statements of a write (e2e)', () => {
  let own: OwnApp;
  const log = errorLog();
  beforeAll(async () => {
    own = await startOwnApp({ LOG_LEVEL: 'error' }, { logDestination: log.destination });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await own?.close();
  });

  it('answers 503 problem+json, commits nothing, and the next write succeeds', async () => {
    const user = await insertUser(own.db);
    const audit = own.app.get(AuditRepository);
    const insert = audit.insert.bind(audit);
    vi.spyOn(audit, 'insert').mockImplementationOnce(async (events, manager, wrote) => {
      const runner = manager!.queryRunner!;
      const [{ pid }] = await manager!.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      // From another pooled connection, as a server shutting down ends every session.
      await own.db.query('SELECT pg_terminate_backend($1)', [pid]);
      await until(() => runner.isReleased, "TypeORM's release of the ended connection");
      return insert(events, manager, wrote);
    });

    const name = uniqueName('Cut off ');
    const res = await own.as(user).post('/api/patients/').send({ name });
    expect(res.status, `${res.text}${log.explain(res)}`).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ status: 503, detail: 'The database is unavailable; retry shortly.' });
    expect(await own.db.query('SELECT id FROM patients WHERE name = $1', [name])).toEqual([]);

    // The pool gave the ended connection up: the next write gets a good one.
    const next = await own
      .as(user)
      .post('/api/patients/')
      .send({ name: uniqueName('After ') });
    expect(next.status, `${next.text}${log.explain(next)}`).toBe(201);
  });
});

/**
 * The service on a PostgreSQL server of this file's own (never the machine's shared one), which
 * goes away in the middle of a stream of reads and writes: stopped, or cut off by a partition.
 */
describe('database outage (e2e)', () => {
  let dataDir: string;
  let port: number;
  let db: RunningEmbeddedPostgres;
  let t: AppInstance;
  const log = errorLog();
  const cutLog = errorLog();
  const startDatabase = () => startEmbeddedPostgres({ dataDir, port, database: 'healthcare' });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'hc-outage-postgres-'));
    port = await freePort();
    db = await startDatabase();
    // Migrations applied by the service at start, as in production.
    t = await startAppOn(
      db.url,
      { DB_RUN_MIGRATIONS: 'true', DB_CONNECT_TIMEOUT_MS: '2000', LOG_LEVEL: 'error' },
      { logDestination: log.destination },
    );
  });
  afterAll(async () => {
    await t?.close();
    await db?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('a network partition (the server stays up but nothing gets through)', () => {
    let proxy: TcpProxy;
    let cut: AppInstance;
    beforeAll(async () => {
      proxy = await startTcpProxy(port);
      const url = new URL(db.url);
      url.port = String(proxy.port);
      // Short limits, so the test is quick: the server cancels a statement after 1 s, the client
      // gives a silent connection up 2 s later, and waits 1 s to connect and 1.5 s for the pool.
      cut = await startAppOn(
        url.toString(),
        { DB_STATEMENT_TIMEOUT_MS: '1000', DB_CONNECT_TIMEOUT_MS: '1000', DB_POOL_TIMEOUT_MS: '1500', LOG_LEVEL: 'error' },
        { logDestination: cutLog.destination },
      );
    });
    afterAll(async () => {
      await cut?.close();
      await proxy?.close();
    });

    it('answers 503 within the configured limits instead of hanging, and recovers when the network heals', async () => {
      const user = await insertUser(cut.db);
      const load = traffic(cut, user);
      await sleep(1000);
      const downAt = Date.now();
      proxy.partition();
      await sleep(1000);
      const readyStarted = Date.now();
      expect((await cut.http().get('/health/ready')).status).toBe(503);
      const readyMs = Date.now() - readyStarted;
      expect((await cut.http().get('/health/live')).status).toBe(200);
      await sleep(3000);
      const upAt = Date.now();
      proxy.heal();
      const recoveryMs = await recovery(cut, user, upAt);
      await sleep(1000);
      // Statement 1 s + grace 2 s is the longest a request waits on a silent connection.
      const figures = await checkOutcomes(
        cut,
        user,
        await load.stop(),
        { downAt, upAt, recoveredAt: upAt + recoveryMs, boundMs: 4500 },
        cutLog.explain,
      );
      console.info(
        `outage (partition): ${figures}; cut off for ${upAt - downAt} ms, /health/ready answered 503 in ${readyMs} ms, recovered after ${recoveryMs} ms`,
      );
      expect(recoveryMs).toBeLessThan(RECOVERY_MS);
    });
  });

  describe('a stopped server', () => {
    it('answers 503 problem+json quickly while the database is down, stays up, recovers within 5 s and loses no acknowledged write', async () => {
      const user = await insertUser(t.db);
      const load = traffic(t, user);
      await sleep(1000);
      const stoppedAt = Date.now();
      await db.stop();
      const downAt = Date.now();

      // While it is down: 503 problem+json, not ready, but alive.
      await sleep(500);
      expect((await t.as(user).get('/api/patients/')).status).toBe(503);
      const readyStarted = Date.now();
      expect((await t.http().get('/health/ready')).status).toBe(503);
      const readyMs = Date.now() - readyStarted;
      expect((await t.http().get('/health/live')).status).toBe(200);
      await sleep(2000);

      const upAt = Date.now();
      db = await startDatabase();
      const restartedAt = Date.now();
      const recoveryMs = await recovery(t, user, restartedAt);
      expect((await t.http().get('/health/ready')).status).toBe(200);
      await sleep(1000);
      // A stopped server refuses connections: answers come at once, far below the 2 s connect timeout.
      const figures = await checkOutcomes(
        t,
        user,
        await load.stop(),
        { downAt, upAt, recoveredAt: restartedAt + recoveryMs, boundMs: 3000 },
        log.explain,
      );
      console.info(
        `outage: ${figures}; database down for ${restartedAt - stoppedAt} ms (stop took ${downAt - stoppedAt} ms, restart ` +
          `${restartedAt - upAt} ms), /health/ready answered 503 in ${readyMs} ms, recovered after ${recoveryMs} ms`,
      );
      expect(readyMs).toBeLessThan(3000);
      expect(recoveryMs).toBeLessThan(RECOVERY_MS);
    });
  });
});
