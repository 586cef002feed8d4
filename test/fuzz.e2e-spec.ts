import fc from 'fast-check';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from './support/db-snapshot';
import { fillPath, liveSpec, LiveSpec, Method, Operation, Schema } from './support/live-spec';
import { OwnApp, startOwnApp } from './support/instances';
import { TestUser, uniqueName } from './support/test-app';
import { insertUser } from './support/tokens';

/**
 * Requests generated from the OpenAPI document the running app serves: wrong types, missing and
 * extra fields, huge strings and numbers, unicode, SQL and script fragments, malformed JSON,
 * the same bodies as forms, other content types and bad path ids, for every operation. Whatever arrives, the service must
 * answer it without a 5xx, every 4xx must be a complete problem+json, and a refused write must
 * change nothing in the database. FUZZ_SEED reproduces a run; FUZZ_RUNS scales it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_125);
const TOTAL_REQUESTS = Number(process.env.FUZZ_RUNS ?? 3000);

interface FuzzRequest {
  what: string;
  method: Method;
  path: string;
  query: string;
  headers: Record<string, string>;
  /** Sent as is; absent: no body. */
  body?: string;
}

interface Failure {
  request: FuzzRequest;
  status: number;
  problem: string;
}

/** Strings that break parsers, validators, SQL and HTML when handled carelessly. */
const NASTY_STRINGS = [
  '',
  ' ',
  "'; DROP TABLE patients; --",
  "1' OR '1'='1",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  'a\u0000b',
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '🩺💉🏥',
  'Ω≈ç√∫˜µ≤≥÷',
  '\u202eRTL override',
  'ﷺ'.repeat(50),
  '\r\nSet-Cookie: pwned=1',
  '%00%0d%0a',
  'null',
  'undefined',
  'NaN',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  '２０２４',
  '2024-02-30',
  '2024-13-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.000Z',
  '0000-00-00',
  'x'.repeat(5000),
];

const NASTY_VALUES: unknown[] = [
  0,
  -1,
  1.5,
  -0.0001,
  1e308,
  -1e308,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  true,
  false,
  null,
  [],
  {},
  [1, 'two', null],
  { nested: { deeper: { deepest: [{}] } } },
  'x'.repeat(100_000),
  Array.from({ length: 1000 }, (_, i) => i),
];

const BAD_IDS = [
  '0',
  '-1',
  '2147483647',
  '2147483648',
  '99999999999999999999',
  '1.5',
  '1e3',
  '0x1f',
  '%201',
  'abc',
  '%00',
  'null',
  'NaN',
  encodeURIComponent("1' OR '1'='1"),
  encodeURIComponent('<script>'),
  encodeURIComponent('١٢'),
  encodeURIComponent('🩺'),
  '9'.repeat(300),
  '..%2f..%2fetc%2fpasswd',
  '1;DROP%20TABLE%20users',
];

const MALFORMED_JSON = [
  '{',
  '{"name":',
  '[1,2',
  'nul',
  '{"a":1,}',
  "{'name':'x'}",
  '{"name":"a","name":"b"}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '\u0000',
  '\ufeff{}',
  '['.repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
  '"' + 'x'.repeat(200_000) + '"',
];

/** Bodies that are not JSON: forms, which are read (and validated), and types refused with 415. */
const OTHER_CONTENT_TYPES: [string, string][] = [
  ['text/plain', 'name=x'],
  ['application/x-www-form-urlencoded', 'name=x&specialization=y'],
  ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--'],
  ['application/xml', '<patient><name>x</name></patient>'],
  ['application/vnd.api+json', '{"name":"x"}'],
  ['application/json; charset=utf-16', '{"name":"x"}'],
  ['image/png', '\u0089PNG'],
];

const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'id',
  'created_by',
  'role',
  'is_active',
  'version',
  'deleted_at',
  'password_hash',
  'zzz',
  '',
];

const nastyValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

describe('fuzzing every operation from the OpenAPI document (e2e)', () => {
  let t: OwnApp;
  let spec: LiveSpec;
  let user: TestUser;
  let admin: TestUser;
  /** Ids of real records, the fuzzing user's and others', to put in paths and bodies. */
  const ids: Record<string, number[]> = {};

  beforeAll(async () => {
    t = await startOwnApp();
    spec = await liveSpec(t.http);
    user = await insertUser(t.db);
    admin = await t.newAdmin();
    const other = await insertUser(t.db);
    const post = async (as: TestUser, path: string, body: object) => {
      const res = await t.as(as).post(path).send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as number;
    };
    const patient = await post(user, '/api/patients/', { name: 'Fuzz Patient', date_of_birth: '1990-01-01' });
    const othersPatient = await post(other, '/api/patients/', { name: 'Someone Else' });
    const doctor = await post(user, '/api/doctors/', { name: uniqueName('Dr '), specialization: 'Fuzzing' });
    const schedule = await t
      .as(user)
      .put(`/api/doctors/${doctor}/schedule/`)
      .send({
        timezone: 'UTC',
        slot_minutes: 30,
        entries: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      });
    expect(schedule.status).toBe(200);
    const mapping = await post(user, '/api/mappings/', { patient, doctor });
    const appointment = await post(user, '/api/appointments/', {
      patient,
      doctor,
      appointment_datetime: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 13) + ':00:00Z',
    });
    const sacrificial = await insertUser(t.db);
    Object.assign(ids, {
      patient: [patient, othersPatient],
      doctor: [doctor],
      mapping: [mapping],
      appointment: [appointment],
      user: [sacrificial.id],
    });
  });
  afterAll(() => t.close());

  /** A plausible value for a schema: valid as far as the schema says, so mutations of it probe one thing at a time. */
  const valid = (raw: Schema | undefined, name = '', depth = 0): fc.Arbitrary<unknown> => {
    const schema = spec.resolve(raw);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
    const idKind =
      name === 'user' ? 'user' : name === 'patient' || name === 'patient_id' ? 'patient' : name === 'doctor' ? 'doctor' : undefined;
    switch (schema.type) {
      case 'integer':
      case 'number': {
        if (idKind) return fc.constantFrom(...ids[idKind]);
        const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
        const max = typeof schema.maximum === 'number' ? schema.maximum : 1000;
        return fc.integer({ min, max });
      }
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 ? fc.constant([]) : fc.array(valid(schema.items as Schema, name, depth + 1), { maxLength: 3 });
      case 'object':
      case undefined: {
        const properties = (schema.properties ?? {}) as Record<string, Schema>;
        if (depth > 3 || Object.keys(properties).length === 0)
          return schema.type === 'object' ? fc.constant({}) : fc.string({ maxLength: 10 });
        const required = new Set((schema.required ?? []) as string[]);
        const fields = Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, valid(property, key, depth + 1)]));
        return fc.record(fields, { requiredKeys: Object.keys(fields).filter((key) => required.has(key)) });
      }
      case 'string':
      default: {
        if (idKind) return fc.constantFrom(...ids[idKind]).map(String);
        const future = () => new Date(Date.now() + 3 * 86_400_000);
        switch (schema.format) {
          case 'date':
            return fc.constantFrom(
              '1985-06-15',
              '2001-12-31',
              future().toISOString().slice(0, 10),
              '0001-01-01',
              '1970-01-01',
              '9999-12-31',
            );
          case 'date-time':
            return fc.oneof(
              {
                weight: 4,
                arbitrary: fc.integer({ min: 1, max: 500 }).map((hours) => new Date(future().getTime() + hours * 3_600_000).toISOString()),
              },
              { weight: 1, arbitrary: fc.constantFrom('9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '2038-01-19T03:14:08+14:00') },
            );
          case 'email':
            return fc.emailAddress().filter((email) => email.length <= 254);
          case 'password':
            return fc.constantFrom('Correct-Horse-42', 'x', 'Tr0ub4dor&3-long-enough');
        }
        if (name === 'timezone') return fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Mars/Olympus');
        if (name === 'start' || name === 'end') return fc.constantFrom('09:00', '17:00', '24:00', '25:00');
        if (name === 'phone') return fc.constantFrom('+1 555 0100', '030 1234567');
        if (name === 'consultation_fee') return fc.constantFrom('100.00', '0', '12.5');
        if (name === 'refresh') return fc.constantFrom('not-a-token', 'eyJhbGciOiJub25lIn0.e30.');
        const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, 40);
        const minLength = Math.min(typeof schema.minLength === 'number' ? schema.minLength : 1, maxLength);
        return fc.string({ minLength, maxLength, unit: 'grapheme-ascii' });
      }
    }
  };

  /** One key of an object changed, removed or added. */
  const mutateObject = (value: Record<string, unknown>, schema: Schema): fc.Arbitrary<unknown> => {
    const keys = Object.keys(value);
    const required = ((schema.required ?? []) as string[]).filter((key) => key in value);
    const options: fc.Arbitrary<unknown>[] = [
      fc.tuple(fc.constantFrom(...EXTRA_KEYS), nastyValue).map(([key, extra]) => ({ ...value, [key]: extra })),
    ];
    if (keys.length > 0) {
      options.push(fc.tuple(fc.constantFrom(...keys), nastyValue).map(([key, nasty]) => ({ ...value, [key]: nasty })));
    }
    if (required.length > 0) {
      options.push(fc.constantFrom(...required).map((key) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))));
    }
    return fc.oneof(...options);
  };

  const bodyFor = (operation: Operation): fc.Arbitrary<{ what: string; body?: string; contentType?: string }> => {
    const json = (what: string) => (value: unknown) => ({ what, body: JSON.stringify(value), contentType: 'application/json' });
    // A form has strings only: a list is a repeated key, null an empty value, an object its JSON.
    const formValue = (value: unknown): string => {
      if (value === null) return '';
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value) ?? '';
    };
    const form = (what: string) => (value: unknown) => {
      const fields = new URLSearchParams();
      const entries: [string, unknown][] =
        typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value) : [['value', value]];
      for (const [key, item] of entries) {
        for (const one of Array.isArray(item) ? (item as unknown[]) : [item]) fields.append(key, formValue(one));
      }
      return { what, body: fields.toString(), contentType: 'application/x-www-form-urlencoded' };
    };
    const raw = fc.oneof(
      fc.constantFrom(...MALFORMED_JSON).map((body) => ({ what: 'malformed JSON', body, contentType: 'application/json' })),
      fc.constantFrom(...OTHER_CONTENT_TYPES).map(([contentType, body]) => ({ what: `content type ${contentType}`, body, contentType })),
      nastyValue.map(json('a body that is not an object')),
      fc.constant({ what: 'no body' }),
    );
    if (!operation.body) {
      return fc.oneof({ weight: 4, arbitrary: fc.constant({ what: 'no body' }) }, { weight: 1, arbitrary: raw });
    }
    const schema = operation.body;
    const validBody = valid(schema);
    const mutated = validBody.chain((value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? mutateObject(value as Record<string, unknown>, schema)
        : nastyValue,
    );
    return fc.oneof(
      { weight: 2, arbitrary: validBody.map(json('a valid-looking body')) },
      { weight: 5, arbitrary: mutated.map(json('a mutated body')) },
      { weight: 1, arbitrary: fc.oneof(validBody, mutated).map(form('a form body')) },
      { weight: 2, arbitrary: raw },
    );
  };

  const requestFor = (operation: Operation): fc.Arbitrary<FuzzRequest> => {
    // Real ids (the caller's, someone else's, of other kinds) or ids that cannot be one. An account
    // route only gets the sacrificial account, so the admin never changes the fuzzing accounts.
    const realIds = operation.path.startsWith('/api/users') ? ids.user : [ids.patient, ids.doctor, ids.mapping, ids.appointment].flat();
    const pathValue = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...realIds).map(String) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_IDS) },
    );
    const path = fc.tuple(...operation.pathParams.map((name) => pathValue.map((value) => [name, value] as const))).map((pairs) => {
      const values = Object.fromEntries(pairs);
      return fillPath(operation.path, values);
    });
    const queryValue = (schema: Schema | undefined, name: string) =>
      fc.oneof(
        { weight: 3, arbitrary: valid(schema, name).map((value) => String(value)) },
        { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length < 1000)) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '101',
            '1000000',
            '0',
            '-5',
            '2147483648',
            '1e2',
            '1e308',
            '99999999999999999999',
            '9007199254740993',
            'true',
            '',
          ),
        },
      );
    const query = fc
      .tuple(
        fc.subarray(operation.queryParams),
        fc.option(fc.constantFrom('unknown_param', 'page', '__proto__'), { freq: 4 }),
        fc.boolean(),
      )
      .chain(([params, extra, repeat]) =>
        fc
          .tuple(...params.map((param) => queryValue(param.schema, param.name).map((value) => [param.name, value] as [string, string])))
          .map((pairs) => {
            const search = new URLSearchParams(pairs);
            if (extra) search.append(extra, 'x');
            if (repeat && pairs.length > 0) search.append(pairs[0][0], pairs[0][1]);
            return search.toString();
          }),
      );
    const ifMatch = ['put', 'patch'].includes(operation.method)
      ? fc.option(fc.constantFrom('"1"', '*', 'W/"1"', '"999"', 'garbage', '"1", "2"', ''), { freq: 3 })
      : fc.constant(null);
    return fc.record({ path, query, body: bodyFor(operation), ifMatch }).map(({ path, query, body, ifMatch }) => ({
      what: body.what,
      method: operation.method,
      path,
      query,
      headers: {
        ...(body.contentType ? { 'Content-Type': body.contentType } : {}),
        ...(ifMatch !== null ? { 'If-Match': ifMatch } : {}),
      },
      body: body.body,
    }));
  };

  /** Admin routes are fuzzed as an admin (past the role check); everything else as an ordinary user. */
  const callerFor = (operation: Operation): TestUser | undefined =>
    operation.public ? undefined : /^\/api\/(users|audit-events)\b/.test(operation.path) ? admin : user;

  const send = (request: FuzzRequest, caller: TestUser | undefined): Promise<Response> => {
    const url = request.query ? `${request.path}?${request.query}` : request.path;
    let req = caller ? t.as(caller)[request.method](url) : t.http()[request.method](url);
    for (const [name, value] of Object.entries(request.headers)) req = req.set(name, value);
    return request.body === undefined ? req : req.send(request.body);
  };

  it('answers thousands of generated requests without a 5xx, with problem+json for every 4xx, and changes nothing when it refuses', async () => {
    const operations = spec.operations.filter((operation) => !operation.path.startsWith('/health'));
    const perOperation = Math.ceil(TOTAL_REQUESTS / operations.length);
    const failures: Failure[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const started = Date.now();

    for (const [index, operation] of operations.entries()) {
      const caller = callerFor(operation);
      // Logins and registrations cost an argon2 hash each: fewer of them.
      const runs = /\/auth\/(login|register)|\/token\/?$|^\/api\/auth\/?$/.test(operation.path)
        ? Math.ceil(perOperation / 3)
        : perOperation;
      const requests = fc.sample(requestFor(operation), { seed: SEED + index, numRuns: runs });
      const writes = operation.method !== 'get';
      for (const request of requests) {
        const before = writes ? await snapshot(t.db) : undefined;
        const res = await send(request, caller);
        sent++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const fail = (problem: string) =>
          failures.push({ request: { ...request, body: request.body?.slice(0, 300) }, status: res.status, problem });
        if (res.status >= 500) fail(`${res.status}: ${res.text.slice(0, 300)}`);
        if (/\bat \S+ \(?[^)]*\.(ts|js):\d+/.test(res.text)) fail('a stack trace in the response');
        if (res.status >= 400 && res.status < 500) {
          const body = res.body as Record<string, unknown>;
          if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) fail(`content type ${res.headers['content-type']}`);
          else if (
            typeof body.type !== 'string' ||
            typeof body.title !== 'string' ||
            typeof body.detail !== 'string' ||
            body.status !== res.status
          ) {
            fail(`incomplete problem ${res.text.slice(0, 200)}`);
          }
          if (before) {
            const after = await snapshot(t.db);
            if (after.digest !== before.digest)
              fail(`a refused write changed the database: ${JSON.stringify(before.counts)} -> ${JSON.stringify(after.counts)}`);
          }
        }
      }
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    console.info(
      `fuzz: seed ${SEED}, ${sent} requests over ${operations.length} operations in ${seconds} s, ${failures.length} failures (statuses ${byStatus})`,
    );
    for (const failure of failures.slice(0, 20)) console.info(`fuzz failure: ${JSON.stringify(failure)}`);
    expect(failures).toEqual([]);
  }, 180_000);
});
