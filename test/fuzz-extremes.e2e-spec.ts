import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnApp, startOwnApp } from './support/instances';
import { fillPath, liveSpec, LiveSpec, Method, Operation, Schema } from './support/live-spec';
import { TestUser, uniqueName } from './support/test-app';
import { insertUser } from './support/tokens';

/**
 * The deterministic sibling of fuzz.e2e-spec.ts: every operation of the OpenAPI document the
 * running app serves gets, in each of its path and query parameters and each field of its body
 * (one at a time, the rest plausible), each extreme value below, and a body nested 10,000 levels
 * deep. No answer may be a 5xx, and every 4xx must be a complete problem+json.
 */
const EXTREMES: unknown[] = [
  '0001-01-01',
  '9999-12-31',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  2 ** 53,
  -(2 ** 53),
  2 ** 31,
  '',
  'x'.repeat(100_000),
];

const DEPTH = 10_000;
const DEEP_BODIES = [`${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`, `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`];

interface ExtremeRequest {
  what: string;
  method: Method;
  url: string;
  body?: string;
}

describe('every parameter and field of every operation at its extremes (e2e)', () => {
  let t: OwnApp;
  let spec: LiveSpec;
  let user: TestUser;
  let admin: TestUser;
  /** A real record of each kind, the fuzzing user's, for paths and id fields. */
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await startOwnApp();
    spec = await liveSpec(t.http);
    user = await insertUser(t.db);
    admin = await t.newAdmin();
    const post = async (path: string, body: object) => {
      const res = await t.as(user).post(path).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as number;
    };
    ids.patient = await post('/api/patients/', { name: 'Extreme Patient', date_of_birth: '1990-01-01' });
    ids.doctor = await post('/api/doctors/', { name: uniqueName('Dr '), specialization: 'Extremes' });
    const schedule = await t
      .as(user)
      .put(`/api/doctors/${ids.doctor}/schedule/`)
      .send({
        timezone: 'UTC',
        slot_minutes: 30,
        entries: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      });
    expect(schedule.status).toBe(200);
    ids.mapping = await post('/api/mappings/', { patient: ids.patient, doctor: ids.doctor });
    ids.appointment = await post('/api/appointments/', {
      patient: ids.patient,
      doctor: ids.doctor,
      appointment_datetime: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 13) + ':00:00Z',
    });
    // Account routes only ever get this one, so the admin never changes the accounts in use.
    ids.user = (await insertUser(t.db)).id;
  });
  afterAll(() => t.close());

  /** The record a path parameter of `operation` names: the kind of the route's first segment. */
  const pathId = (operation: Operation, name: string): number => {
    if (name === 'patient_id') return ids.patient;
    const kind = /^\/api\/(\w+?)s?\//.exec(operation.path)?.[1] ?? '';
    return ids[kind] ?? 1;
  };

  /** A value the field would accept, so that an extreme in another field is what gets judged. */
  const plausible = (raw: Schema | undefined, name: string): unknown => {
    const schema = spec.resolve(raw);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
    if (name in ids) return ids[name];
    switch (schema.type) {
      case 'integer':
      case 'number':
        return typeof schema.minimum === 'number' ? schema.minimum : 1;
      case 'boolean':
        return true;
      case 'array':
        return [];
      case 'object':
        return {};
    }
    if (schema.format === 'date') return '1990-01-01';
    if (schema.format === 'date-time') return new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 13) + ':00:00Z';
    if (schema.format === 'email') return 'extreme@example.com';
    if (name === 'timezone') return 'UTC';
    return 'Plausible Text 1';
  };

  const requestsFor = (operation: Operation): ExtremeRequest[] => {
    const requests: ExtremeRequest[] = [];
    const values = Object.fromEntries(operation.pathParams.map((name) => [name, pathId(operation, name)]));
    const path = fillPath(operation.path, values);
    const properties = (operation.body?.properties ?? {}) as Record<string, Schema>;
    const required = new Set((operation.body?.required ?? []) as string[]);
    const base = Object.fromEntries(
      Object.keys(properties)
        .filter((key) => required.has(key))
        .map((key) => [key, plausible(properties[key], key)]),
    );
    const body = operation.body ? JSON.stringify(base) : undefined;
    for (const extreme of EXTREMES) {
      const text = encodeURIComponent(String(extreme));
      const label = typeof extreme === 'string' && extreme.length > 100 ? `${extreme.length} characters` : JSON.stringify(extreme);
      for (const name of operation.pathParams) {
        requests.push({
          what: `path ${name} = ${label}`,
          method: operation.method,
          url: fillPath(operation.path, { ...values, [name]: text }),
          body,
        });
      }
      for (const param of operation.queryParams) {
        requests.push({ what: `query ${param.name} = ${label}`, method: operation.method, url: `${path}?${param.name}=${text}`, body });
      }
      for (const name of Object.keys(properties)) {
        requests.push({
          what: `field ${name} = ${label}`,
          method: operation.method,
          url: path,
          body: JSON.stringify({ ...base, [name]: extreme }),
        });
      }
    }
    for (const deep of DEEP_BODIES)
      requests.push({ what: `a body nested ${DEPTH} levels deep`, method: operation.method, url: path, body: deep });
    return requests;
  };

  /** Admin routes as an admin (past the role check); everything else as an ordinary user. */
  const callerFor = (operation: Operation): TestUser | undefined =>
    operation.public ? undefined : /^\/api\/(users|audit-events)\b/.test(operation.path) ? admin : user;

  const send = (request: ExtremeRequest, caller: TestUser | undefined): Promise<Response> => {
    let req = caller ? t.as(caller)[request.method](request.url) : t.http()[request.method](request.url);
    if (request.body !== undefined) req = req.set('Content-Type', 'application/json').send(request.body);
    return req;
  };

  it('answers without a 5xx, with a complete problem+json for every 4xx', async () => {
    // Deletions last, so the records stay for the other operations.
    const operations = [...spec.operations].sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const started = Date.now();
    for (const operation of operations) {
      const caller = callerFor(operation);
      for (const request of requestsFor(operation)) {
        const res = await send(request, caller);
        sent++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const where = `${request.method.toUpperCase()} ${operation.path} with ${request.what}`;
        if (res.status >= 500) failures.push(`${where}: ${res.status} ${res.text.slice(0, 200)}`);
        if (res.status >= 400 && res.status < 500) {
          const problem = res.body as Record<string, unknown>;
          const complete =
            /^application\/problem\+json/.test(String(res.headers['content-type'])) &&
            typeof problem.type === 'string' &&
            typeof problem.title === 'string' &&
            typeof problem.detail === 'string' &&
            problem.status === res.status;
          if (!complete) failures.push(`${where}: ${res.status} ${String(res.headers['content-type'])} ${res.text.slice(0, 200)}`);
        }
      }
    }
    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    console.info(
      `extremes: ${sent} requests over ${operations.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s, ${failures.length} failures (statuses ${byStatus})`,
    );
    for (const failure of failures.slice(0, 30)) console.info(`extremes failure: ${failure}`);
    expect(failures).toEqual([]);
  }, 600_000);
});
