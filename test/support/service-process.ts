import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { freePort } from './ports';
import { testEnv } from './test-app';

const ROOT = join(__dirname, '..', '..');

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely, as supertest's res.body
  body: any;
  /** The request's own id, to find what it wrote (its audit entry) by. */
  requestId: string;
}

/** `npm start` as a process of its own (through ts-node, so it runs this checkout's source). */
export class ServiceProcess {
  private output = '';
  readonly exited: Promise<unknown>;

  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
  ) {
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // 'close': the process has exited and its pipes are drained.
    this.exited = once(child, 'close');
  }

  /**
   * Started on `databaseUrl` with the tests' environment and `env` (and node's `nodeArgs`, e.g. a
   * preload); resolves once it listens.
   */
  static async start(databaseUrl: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<ServiceProcess> {
    const port = await freePort();
    const processEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...testEnv(databaseUrl, { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' }),
    };
    const child = spawn(process.execPath, [...nodeArgs, '-r', 'ts-node/register', 'src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: processEnv,
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    const started = Date.now();
    while (!service.output.includes('Listening on')) {
      if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`the service did not start:\n${service.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return service;
  }

  /** One request, with a request id of its own to find its audit entry by. */
  async send(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const requestId = `test-${randomBytes(8).toString('hex')}`;
    const headers: Record<string, string> = { 'X-Request-Id': requestId };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, requestId };
  }

  /** The request, then SIGKILL the moment a 2xx answer is in: no shutdown hook, no timer gets to run. */
  async sendAndCrash(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const answer = await this.send(method, path, options);
    if (answer.status >= 200 && answer.status < 300) this.child.kill('SIGKILL');
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    await this.exited;
    expect(this.child.signalCode).toBe('SIGKILL');
    return answer;
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  get log(): string {
    return this.output;
  }
}
