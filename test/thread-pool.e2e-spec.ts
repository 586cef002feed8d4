import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const EXPECTED = Math.max(2, availableParallelism());

/**
 * Stands in for the service's entry file: reports UV_THREADPOOL_SIZE and the threads libuv's pool
 * really started (it starts them all at its first task; Linux lists a process's threads in /proc).
 */
const PROBE = `
const fs = require('node:fs');
const threads = () => fs.readdirSync('/proc/self/task').length;
const before = threads();
fs.stat(__filename, () => {
  console.log(JSON.stringify({ env: process.env.UV_THREADPOOL_SIZE ?? null, pool: threads() - before }));
});
`;

/** The node flags of a start command: the words between `node` and the entry file. */
function nodeFlags(command: string[], entry: string): string[] {
  expect(command[0]).toBe('node');
  expect(command.at(-1)).toBe(entry);
  return command.slice(1, -1);
}

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const dockerCmd = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('CMD '))
  .map((line) => JSON.parse(line.slice('CMD '.length)) as string[])
  .at(-1)!;
const devExec = /--exec "([^"]+)"/.exec(scripts['start:dev'])?.[1] ?? '';

/** Every way the service is started, as its node flags. */
const STARTS: [string, () => string[]][] = [
  ['npm start', () => nodeFlags(scripts.start.split(/\s+/), 'dist/src/main.js')],
  [
    'npm run start:cluster (its workers inherit the flags)',
    () => nodeFlags(scripts['start:cluster'].split(/\s+/), 'dist/scripts/cluster.js'),
  ],
  ['npm run start:dev', () => devExec.split(/\s+/).slice(1)],
  ['the Docker image', () => nodeFlags(dockerCmd, 'dist/src/main.js')],
];

describe("libuv's thread pool, sized where the service starts", () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-thread-pool-'));
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, PROBE);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the probe with a start command's flags, from the checkout as npm and the image do. */
  const run = (flags: string[], env: Record<string, string> = {}): { env: string | null; pool: number } => {
    const childEnv = { ...process.env, ...env };
    if (!('UV_THREADPOOL_SIZE' in env)) delete childEnv.UV_THREADPOOL_SIZE;
    const out = execFileSync(process.execPath, [...flags, probe], { cwd: ROOT, env: childEnv, encoding: 'utf8' });
    return JSON.parse(out) as { env: string | null; pool: number };
  };

  it.each(STARTS)('%s: one thread per CPU, at least two', (_name, flags) => {
    expect(run(flags())).toEqual({ env: String(EXPECTED), pool: EXPECTED });
  });

  it("keeps an operator's own UV_THREADPOOL_SIZE", () => {
    const own = EXPECTED + 3;
    expect(run(STARTS[0][1](), { UV_THREADPOOL_SIZE: String(own) })).toEqual({ env: String(own), pool: own });
  });

  it("measures the pool: plain node keeps libuv's default of four", () => {
    expect(run([])).toEqual({ env: null, pool: 4 });
  });
});
