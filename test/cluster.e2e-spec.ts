import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../migrations';
import { adminConnection, databaseUrl } from './support/database';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './support/test-app';
import { freePort } from './support/ports';
import { isAlive, statusOf } from './support/processes';

const ROOT = join(__dirname, '..');

/** `npm run start:cluster` as an operator runs it (from the TypeScript source, so no build is needed). */
describe('the cluster (e2e)', () => {
  const database = `hc_cluster_${randomBytes(4).toString('hex')}`;
  let url: string;
  let dataDir: string;
  let port: number;
  let primary: ChildProcess | undefined;
  const messages: { msg: string; pid: number }[] = [];

  /** Resolves with the first log message matching `pattern` (already seen or still to come). */
  const logged = (pattern: RegExp, count = 1, timeoutMs = 90_000): Promise<{ msg: string; pid: number }[]> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const found = messages.filter((m) => pattern.test(m.msg));
        if (found.length >= count) return resolve(found);
        if (Date.now() - started > timeoutMs) return reject(new Error(`no log message ${pattern} within ${timeoutMs} ms`));
        setTimeout(check, 100);
      };
      check();
    });

  beforeAll(async () => {
    const serverUrl = inject('serverUrl');
    const admin = await adminConnection(serverUrl);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.destroy();
    url = databaseUrl(serverUrl, database);
    dataDir = mkdtempSync(join(tmpdir(), 'hc-cluster-'));
    port = await freePort();
  });
  afterAll(async () => {
    if (primary?.exitCode === null) primary.kill('SIGKILL');
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates once, serves from two workers with a heap limit, replaces a crashed one and stops cleanly on SIGTERM', async () => {
    const started = Date.now();
    // With the thread-pool preload of `npm run start:cluster`.
    primary = spawn(process.execPath, ['-r', './scripts/thread-pool.cjs', '-r', 'ts-node/register', 'scripts/cluster.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        CLUSTER_WORKERS: '2',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: url,
        DATA_DIR: dataDir,
        JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
        JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
        LOG_LEVEL: 'info',
      },
    });
    let stderr = '';
    let buffer = '';
    primary.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: string; pid?: number };
          if (entry.msg) messages.push({ msg: entry.msg, pid: entry.pid ?? 0 });
        } catch {
          messages.push({ msg: line, pid: 0 });
        }
      }
    });
    primary.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      primary!.on('exit', (code, signal) => resolve({ code, signal })),
    );

    const listening = await logged(/^Worker \d+ is listening/, 2).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}\n${messages.map((m) => m.msg).join('\n')}`);
    });
    const upMs = Date.now() - started;
    const workers = listening.map((m) => Number(/Worker (\d+)/.exec(m.msg)![1]));
    expect(new Set(workers).size).toBe(2);
    // Each worker runs with the heap limit the README promises, though the primary was given none.
    for (const pid of workers) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('--max-old-space-size=128');
    // And with the primary's libuv pool size: one thread per CPU, at least two.
    const poolSize = `UV_THREADPOOL_SIZE=${Math.max(2, availableParallelism())}`;
    for (const pid of workers) expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(poolSize);
    expect(await statusOf(port, '/health/ready')).toBe(200);

    // The primary applied the migrations; the workers were told not to.
    const migrations = messages.filter((m) => /^Applied migrations|^No pending migrations/.test(m.msg));
    expect(migrations).toHaveLength(1);
    expect(migrations[0].pid).toBe(primary.pid);
    const db = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
    const applied: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM typeorm_migrations');
    await db.destroy();
    expect(applied[0].n).toBe(MIGRATIONS.length);

    // A worker dies: the other keeps serving, and a replacement starts.
    const killedAt = Date.now();
    process.kill(workers[0], 'SIGKILL');
    await logged(new RegExp(`^Worker ${workers[0]} exited \\(signal SIGKILL\\); starting a replacement`));
    expect(await statusOf(port, '/health/live')).toBe(200);
    const replacement = await logged(/^Worker \d+ is listening/, 3);
    const replacedMs = Date.now() - killedAt;
    const newWorker = Number(/Worker (\d+)/.exec(replacement[2].msg)![1]);
    expect(workers).not.toContain(newWorker);
    expect(await statusOf(port, '/health/ready')).toBe(200);

    // SIGTERM: workers finish, then the primary exits 0.
    const stoppingAt = Date.now();
    primary.kill('SIGTERM');
    const { code } = await exited;
    const stopMs = Date.now() - stoppingAt;
    expect(code).toBe(0);
    expect([workers[1], newWorker].filter(isAlive)).toEqual([]);
    await expect(statusOf(port, '/health/live')).rejects.toThrow();
    console.info(
      `cluster: 2 workers up in ${upMs} ms (from TypeScript), a killed worker replaced in ${replacedMs} ms, SIGTERM stopped everything in ${stopMs} ms`,
    );
  }, 180_000);
});
