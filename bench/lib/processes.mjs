// Child processes of the benchmark: start them, know when they are ready, watch their memory and
// stop them. Only processes started here are ever signalled (by their own pid), never by name.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export const HOST = '127.0.0.1';
const KEPT_OUTPUT_LINES = 40;
const STOP_GRACE_MS = 10_000;

/** Every child still running, so cleanup (normal, on error or on a signal) can stop them all. */
const running = new Set();

/** A TCP port on 127.0.0.1 that nobody listens on right now. */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts `node [nodeArgs] script` with exactly `env` (plus PATH and HOME), keeping its recent
 * output for error messages. The child is tracked until it exits.
 */
export function startNode(name, script, { env, nodeArgs = [], cwd }) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > KEPT_OUTPUT_LINES) output.shift();
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // 'close' comes after the output is drained, so an early exit's last words are kept.
  const exited = once(child, 'close').then(([code, signal]) => ({ code, signal }));
  running.add(child);
  void exited.then(() => running.delete(child));
  return { name, child, pid: child.pid, exited, output: () => output.join('\n') };
}

/** Sends SIGTERM, waits for the exit, and SIGKILLs a child that does not stop in time. */
export async function stopProcess(proc, graceMs = STOP_GRACE_MS) {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return proc.exited;
  child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
  if ((await Promise.race([proc.exited, timer])) === 'timeout') {
    console.warn(`  ${proc.name} (pid ${proc.pid}) did not stop within ${graceMs / 1000}s; killing it`);
    child.kill('SIGKILL');
  }
  return proc.exited;
}

/** Stops every child that is still running; used by cleanup. */
export async function stopAll() {
  await Promise.all([...running].map((child) => stopProcess({ name: 'child', child, pid: child.pid, exited: once(child, 'exit') })));
}

/** Last resort on process exit (synchronous): kill whatever is left. */
export function killAllNow() {
  for (const child of running) child.kill('SIGKILL');
}

/** One request; resolves to { status, headers, body, text } (body parsed as JSON when it is JSON, text as sent). */
export function request(port, method, path, { headers = {}, body, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: HOST,
        port,
        method,
        path,
        agent: false,
        headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if (/json/.test(res.headers['content-type'] ?? '')) {
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
          }
          resolve({ status: res.statusCode, headers: res.headers, body: parsed, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Polls GET `path` every `intervalMs` until it answers 200; returns the milliseconds since
 * `startedAt`. Fails when the process exits first or after `timeoutMs`.
 */
export async function waitReady(proc, port, { path = '/health/ready', startedAt, timeoutMs = 60_000, intervalMs = 10 } = {}) {
  const deadline = startedAt + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${proc.name} exited before it was ready. Its output:\n${proc.output()}`);
    try {
      const res = await request(port, 'GET', path, { timeoutMs: 2000 });
      if (res.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline)
      throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000}s. Its output:\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resident memory of a process in MB from /proc (VmRSS now, VmHWM the peak since it started). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

/** Samples VmRSS every `intervalMs` while running; `peak()` is the highest sample since `reset()`. */
export class RssSampler {
  constructor(pid, intervalMs = 100) {
    this.pid = pid;
    this.max = 0;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample() {
    const { rssMb } = memoryOf(this.pid);
    if (rssMb > this.max) this.max = rssMb;
  }

  reset() {
    this.max = 0;
    this.sample();
  }

  peak() {
    this.sample();
    return this.max;
  }

  stop() {
    clearInterval(this.timer);
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * Every process's CPU seconds from /proc: `self` (user + system) and `children` (of its reaped
 * children), with its name and parent, so a run can tell its own CPU use from other work.
 */
export function processTable() {
  const table = new Map();
  let entries;
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return table;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), {
        name,
        ppid: Number(fields[1]),
        self: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
        children: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND,
      });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/**
 * CPU seconds that processes unrelated to the benchmark used between two process tables: not
 * `ours`, not kernel threads, not PostgreSQL's (whose backends for other databases are passed in
 * `foreignBackends` and do count). Children reaped meanwhile count through their parent.
 */
export function foreignCpuSeconds(before, after, ours, foreignBackends) {
  let seconds = 0;
  for (const [pid, now] of after) {
    if (ours.has(pid) || pid === 2 || now.ppid === 2) continue;
    const then = before.get(pid) ?? { self: 0, children: 0 };
    if (now.name === 'postgres') {
      if (foreignBackends.has(pid)) seconds += now.self - then.self;
      continue;
    }
    seconds += now.self - then.self + (now.children - then.children);
  }
  // A child reaped during the run lands in its parent's `children` with its whole lifetime: take
  // off what it had used before the run (it was outside `ours` and alive in `before`).
  for (const [pid, then] of before) {
    if (after.has(pid) || ours.has(pid) || then.ppid === 2 || then.name === 'postgres') continue;
    seconds -= then.self + then.children;
  }
  return Math.max(0, seconds);
}

/** CPU seconds (user + system) a live process has used; 0 when it is gone. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}
