import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnApp, startOwnApp } from './support/instances';
import { expectProblem } from './support/problems';
import { TestUser } from './support/test-app';
import { insertUser } from './support/tokens';

/** About 1 MB (under the 1 MiB body limit): a field holding arrays nested `depth` levels deep. */
const nested = (field: string, depth: number) => `{"${field}":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const DEEP = nested('name', 500_000);

/** A client sending `body` again and again until told to stop; it answers with the statuses it got. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, path, token, body } = workerData;
const agent = new http.Agent({ keepAlive: true });
let stop = false;
parentPort.on('message', () => { stop = true; });
const headers = { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) };
const send = () => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
    res.resume();
    res.on('end', () => resolve(res.statusCode));
  });
  req.on('error', reject);
  req.end(body);
});
(async () => {
  const statuses = [];
  while (!stop) statuses.push(await send());
  agent.destroy();
  parentPort.postMessage(statuses);
})();
`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

describe('deeply nested JSON bodies (e2e)', () => {
  let t: OwnApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await startOwnApp();
    user = await insertUser(t.db);
  });
  afterAll(() => t.close());

  it.each([
    ['an authenticated route', '/api/patients/', true],
    ['the public login route', '/api/auth/login/', false],
  ])('refuses a 1 MB body nested 500,000 levels deep on %s with 400 problem+json, quickly', async (_, path, authenticated) => {
    expect(DEEP.length).toBeGreaterThan(999_000);
    const started = performance.now();
    const res = await (authenticated ? t.as(user).post(path) : t.http().post(path)).set('Content-Type', 'application/json').send(DEEP);
    const elapsed = performance.now() - started;
    console.info(`deep body on ${path}: ${res.status} in ${elapsed.toFixed(1)} ms`);
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body nests objects and arrays deeper than 32 levels.');
    // Refused in one pass over the text: a few milliseconds; transforming it took some 700 ms.
    // The bound sits between the two, far enough from both for a busy two-CPU machine.
    expect(elapsed).toBeLessThan(350);
  });

  it('refuses 33 levels and accepts 32, counting objects and arrays alike', async () => {
    // 33: the body object, then 32 arrays; brackets inside strings do not count.
    const tooDeep = `{"name":"[[[{{{","email":${'['.repeat(32)}${']'.repeat(32)}}`;
    const refused = await t.as(user).post('/api/patients/').set('Content-Type', 'application/json').send(tooDeep);
    expectProblem(refused, 400);
    expect(refused.body.detail).toBe('The request body nests objects and arrays deeper than 32 levels.');
    // 32 levels get through to validation, which names the fields it refuses.
    const deepEnough = `{"name":"[[[{{{","email":${'['.repeat(31)}${']'.repeat(31)}}`;
    const res = await t.as(user).post('/api/patients/').set('Content-Type', 'application/json').send(deepEnough);
    expectProblem(res, 400);
    expect(Object.keys(res.body.errors as object)).toEqual(['email']);
  });

  it('refuses text that is not valid Unicode (a lone surrogate) with 400, where an email validator threw a 500', async () => {
    const admin = await t.newAdmin();
    const sends = [
      t.http().post('/api/auth/register/').set('Content-Type', 'application/json').send('{"email":"\\ud800","password":"x"}'),
      t.as(admin).patch(`/api/users/${user.id}/`).set('Content-Type', 'application/json').send('{"email":"\\ud800"}'),
      t.as(user).post('/api/patients/').set('Content-Type', 'application/json').send('{"name":"A","email":"a\\udc00@b.example"}'),
    ];
    for (const res of await Promise.all(sends)) {
      expectProblem(res, 400);
      expect(res.body.detail).toBe('The request body holds text that is not valid Unicode (a lone surrogate such as "\\ud800").');
    }
    // A whole pair (an emoji) is text like any other.
    const emoji = await t.as(user).post('/api/patients/').set('Content-Type', 'application/json').send('{"name":"Zoë \\ud83d\\ude00"}');
    expect(emoji.status, emoji.text).toBe(201);
    expect(emoji.body.name).toBe('Zoë 😀');
  });

  it('still refuses __proto__ keys and malformed JSON as before', async () => {
    const proto = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send('{"__proto__": {"x": 1}}');
    expectProblem(proto, 400);
    expect(proto.body.detail).toBe('The request body is not valid JSON.');
    const constructor = await t
      .http()
      .post('/api/auth/login/')
      .set('Content-Type', 'application/json')
      .send('{"constructor": {"prototype": {"x": 1}}}');
    expectProblem(constructor, 400);
    const malformed = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send('{"a": "\\"}');
    expectProblem(malformed, 400);
    expect(malformed.body.detail).toBe('The request body is not valid JSON.');
  });

  it('keeps /health/live fast while 4 clients send such bodies', async () => {
    // The clients run in worker threads, so the time spent sending 1 MB bodies is not spent on
    // the event loop that serves the probes (the service's own, in this process).
    const server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const probe = async () => {
      const started = performance.now();
      const res = await t.http().get('/health/live');
      expect(res.status).toBe(200);
      return performance.now() - started;
    };
    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await probe());
    const start = (path: string, token?: string) => new Worker(CLIENT, { eval: true, workerData: { port, path, token, body: DEEP } });
    // One free account (as in the report) on three clients, and an anonymous one on login.
    const clients = [
      start('/api/patients/', user.access),
      start('/api/patients/', user.access),
      start('/api/patients/', user.access),
      start('/api/auth/login/'),
    ];
    const results = clients.map(
      (worker) =>
        new Promise<number[]>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    );
    const probes: number[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    try {
      // Let the clients get going, then probe one at a time (for 15 s at most: unprotected, a
      // probe waited seconds).
      await new Promise((resolve) => setTimeout(resolve, 300));
      const deadline = performance.now() + 15_000;
      while (probes.length < 30 && performance.now() < deadline) {
        probes.push(await probe());
      }
    } finally {
      loopDelay.disable();
      for (const worker of clients) worker.postMessage('stop');
    }
    const statuses = (await Promise.all(results)).flat();
    await Promise.all(clients.map((worker) => worker.terminate()));
    // Listening was this test's doing (the app only listens when Fastify was asked to).
    await new Promise((resolve) => server.close(resolve));
    console.info(
      `health under deep bodies: ${statuses.length} deep requests, ${probes.length} probes of /health/live: median ${median(probes).toFixed(1)} ms, max ${Math.max(...probes).toFixed(1)} ms (idle: median ${median(idle).toFixed(1)} ms); event loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
    );
    // Unprotected, a probe waited seconds; protected, a few ms (up to ~90 on a busy machine).
    expect(median(probes)).toBeLessThan(250);
    expect(statuses.length).toBeGreaterThan(8);
    expect(new Set(statuses)).toEqual(new Set([400]));
  }, 60_000);
});
