import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, RunningEmbeddedPostgres, startEmbeddedPostgres } from '../src/core/database/embedded-postgres';
import { freePort } from './support/ports';
import { isAlive } from './support/processes';

// The project has no @types/pg; this is the part of it the test uses.
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const { Client } = createRequire(__filename)('pg') as {
  Client: new (config: { connectionString: string }) => PgClient;
};

const TIMEOUT_MS = 60_000;
const DATABASE = 'healthcare';
const projectRoot = path.resolve(__dirname, '..');
const modulePath = path.join(projectRoot, 'src/core/database/embedded-postgres.ts');

describe('startEmbeddedPostgres', () => {
  let tempDir: string;
  let dataDir: string;
  let port: number;
  const messages: string[] = [];
  const logger = { log: (m: string) => messages.push(m), warn: (m: string) => messages.push(m) };
  const servers: RunningEmbeddedPostgres[] = [];
  const orphanPids: number[] = [];

  const start = async (): Promise<RunningEmbeddedPostgres> => {
    messages.length = 0;
    const server = await startEmbeddedPostgres({ dataDir, port, database: DATABASE, logger });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'embedded-pg-test-'));
    // As root the server runs as the `postgres` OS user, which must be able to enter the folder.
    if (process.getuid?.() === 0) await fs.chmod(tempDir, 0o755);
    dataDir = path.join(tempDir, 'postgres');
    port = await freePort();
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    for (const pid of orphanPids) killQuietly(pid, 'SIGQUIT');
    await fs.rm(tempDir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it('initialises a new data folder and creates the database', { timeout: TIMEOUT_MS }, async () => {
    const server = await start();

    expect(server.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`);
    expect(messages.some((m) => m.includes('Initialising'))).toBe(true);
    expect(messages).toContain(`Created database "${DATABASE}"`);
    const [row] = await query(server.url, "SELECT current_database() AS db, 'ÉLodie' ILIKE 'élodie' AS unicode");
    expect(row).toEqual({ db: DATABASE, unicode: true });
  });

  it('can create the btree_gist extension', { timeout: TIMEOUT_MS }, async () => {
    const url = servers[0].url;
    await query(url, 'CREATE EXTENSION IF NOT EXISTS btree_gist');
    await query(url, 'CREATE TABLE kept (id int, during tstzrange, EXCLUDE USING gist (id WITH =, during WITH &&))');
    await query(url, "INSERT INTO kept VALUES (1, tstzrange(now(), now() + interval '1 hour'))");
    await expect(query(url, "INSERT INTO kept VALUES (1, tstzrange(now(), now() + interval '1 hour'))")).rejects.toThrow(
      /conflicting key value/,
    );
  });

  it('keeps its data across a stop and a fast restart', { timeout: TIMEOUT_MS }, async () => {
    await servers[0].stop();
    await servers[0].stop(); // idempotent

    const startedAt = Date.now();
    const server = await start();

    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(messages.some((m) => m.includes('Initialising') || m.includes('Created database'))).toBe(false);
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
    await server.stop();
  });

  it('removes a stale postmaster.pid whose process is gone', { timeout: TIMEOUT_MS }, async () => {
    const exited = spawn(process.execPath, ['-e', '']);
    await once(exited, 'exit');
    await fs.writeFile(path.join(dataDir, 'postmaster.pid'), `${exited.pid}\n${dataDir}\n`);

    const server = await start();

    expect(messages.some((m) => m.includes('Removing stale'))).toBe(true);
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
    await server.stop();
  });

  it('stops a server orphaned by a killed Node process, then starts', { timeout: TIMEOUT_MS }, async () => {
    const orphanPid = await startInKilledProcess(dataDir, port);
    orphanPids.push(orphanPid);
    expect(isAlive(orphanPid)).toBe(true);

    const server = await start();

    expect(messages.some((m) => m.includes(`(pid ${orphanPid}) left running`))).toBe(true);
    expect(isAlive(orphanPid)).toBe(false);
    expect(await query(server.url, 'SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 1 }]);
    await server.stop();
  });

  it('names the port and EMBEDDED_DB_PORT when the port is taken', { timeout: TIMEOUT_MS }, async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const attempt = start();
      await expect(attempt).rejects.toBeInstanceOf(EmbeddedPostgresError);
      await expect(attempt).rejects.toThrow(new RegExp(`Port ${port}.*EMBEDDED_DB_PORT`));
    } finally {
      blocker.close();
    }
  });
});

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts the server in a child Node process, SIGKILLs that process and returns the orphan's pid. */
async function startInKilledProcess(dataDir: string, port: number): Promise<number> {
  const script = `
    require(${JSON.stringify(modulePath)})
      .startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, database: 'healthcare' })
      .then(() => { console.log('READY'); setInterval(() => {}, 1000); })
      .catch((error) => { console.error(error); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', 'ts-node/register', '-e', script], {
    cwd: projectRoot,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before READY: ${output}`)));
  });
  const pid = Number.parseInt(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'), 10);
  child.kill('SIGKILL');
  await once(child, 'exit');
  return pid;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    if (isAlive(pid)) process.kill(pid, signal);
  } catch {
    // already gone
  }
}
