import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './support/test-app';
import { isAlive, statusOf } from './support/processes';

const ROOT = join(__dirname, '..');
const ADMIN_PASSWORD = 'Admin-Embedded-Pass-7';

interface Run {
  code: number | null;
  output: string;
}

/**
 * `npm start` as a newcomer runs it, on the embedded database (a folder and port of its own), and
 * the commands run next to it: they join its database server instead of stopping it, and Ctrl-C
 * (SIGINT to the terminal's whole process group) stops the service, then the database, quietly.
 */
describe('the service on its embedded database, with commands beside it (e2e)', () => {
  let dataDir: string;
  let port: number;
  let dbPort: number;
  let env: Record<string, string>;
  let service: ChildProcess | undefined;
  let output = '';

  /** Resolves once the service's output matches `pattern`. */
  const printed = (pattern: RegExp, timeoutMs = 90_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const match = pattern.exec(output);
        if (match) return resolve(match[0]);
        if (Date.now() - started > timeoutMs) return reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
        setTimeout(check, 100);
      };
      check();
    });

  /** An npm script as an operator runs it beside the service, with the service's environment. */
  const npmRun = (script: string, args: string[], extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...env, ...extra },
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output: text }));
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hc-embedded-service-'));
    // As root, PostgreSQL runs as another OS user that must reach DATA_DIR/postgres.
    chmodSync(dataDir, 0o755);
    [port, dbPort] = [await freePort(), await freePort()];
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      EMBEDDED_DB_PORT: String(dbPort),
      JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
      JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
      LOG_LEVEL: 'info',
    };
  });
  afterAll(() => {
    if (service && service.exitCode === null && service.signalCode === null) process.kill(-service.pid!, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says where it listens, keeps serving through create-admin and migration:check, and stops cleanly on Ctrl-C', async () => {
    // In a process group of its own, as a shell runs a foreground command.
    service = spawn(process.execPath, ['-r', 'ts-node/register', 'src/main.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close', not 'exit': the last lines can still be in the pipes when the process has exited.
    const closed = once(service, 'close');

    const listening = await printed(/Listening on [^"]*/);
    expect(listening).toContain(`http://127.0.0.1:${port}`);
    expect(listening).toContain(`http://127.0.0.1:${port}/swagger`);
    const url = `postgres://postgres:postgres@127.0.0.1:${dbPort}/healthcare`;
    expect(listening).toContain(`DATABASE_URL=${url}`);
    expect(await statusOf(port, '/health/ready')).toBe(200);
    const postmaster = Number.parseInt(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8'), 10);

    // Both without DATABASE_URL, like the service: they must join its server, not restart it.
    const admin = await npmRun('create-admin', ['--username', 'first.admin', '--email', 'first.admin@clinic.example'], { ADMIN_PASSWORD });
    expect(admin.code, admin.output).toBe(0);
    expect(admin.output).toContain('Created admin account "first.admin"');
    const check = await npmRun('migration:check', []);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(/The \d+ migrations build exactly the schema of the entities/);

    expect(isAlive(postmaster)).toBe(true);
    expect(await statusOf(port, '/health/ready')).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'first.admin', password: ADMIN_PASSWORD }),
    });
    expect(login.status).toBe(200);

    // Ctrl-C: the terminal signals the whole foreground group.
    process.kill(-service.pid!, 'SIGINT');
    await closed;
    expect(output).not.toContain('FATAL');
    expect(output).toContain('Embedded PostgreSQL stopped');
    expect(isAlive(postmaster)).toBe(false);
    await expect(statusOf(port, '/health/live')).rejects.toThrow();
  }, 240_000);
});
