// The benchmark's baseline: the fastest honest server for the same answers, written by hand as a
// performance engineer would write it, to show what the service's own choices cost.
//
//   DATABASE_URL=… JWT_ACCESS_SECRET=… PORT=… [DB_POOL_SIZE=10] [SERVICE_DIST=dist] node bench/baseline-server.mjs
//
// The same answers: the same response bytes and headers as the service (fields, X-Total-Count,
// Link, ETag, Location, the security headers), which run.mjs checks before any load. The same
// authentication: an HS256 access token checked with node:crypto, its user active and not logged
// out since, with its clinic memberships, remembered while a LISTEN on `users_changed` tells when
// an account changes (as the service's CallerCache). The same guarantees: the same database and so
// the same constraints, the reads' audit entries batched every 50 ms, and a change's audit entry
// and event row in the change's own transaction.
//
// Its own choices: Fastify with response schemas (compiled serializers, fast-json-stringify), `pg`
// with named prepared statements, its own SQL with the fewest round trips (a doctor's creation is
// one statement; a booking is BEGIN, one locking read, one statement for the cap, the insert, its
// history, its audit entry and its event, COMMIT), timestamps formatted from PostgreSQL's text
// without Date objects. No framework, ORM or validation library.
//
// Only what the benchmark drives is here: GET /api/doctors/, POST /api/doctors/, GET
// /api/patients/ (an owner's list, or a clinic manager's or staff member's, with ?clinic= and
// ?search=), GET /api/patients/:id/, POST /api/appointments/ and GET /health/ready, for callers of
// the patient role (the benchmark's owner and clinic members): other roles' rules answer 501.
// It answers on 127.0.0.1 only.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { STATUS_CODES } from 'node:http';
import { join, resolve } from 'node:path';
import {
  CLINIC_SEARCH_WHERE,
  CLINIC_SEARCH_WHERE_UNKEYED,
  CLINIC_WHERE,
  HAS_TRIGRAM,
  memberList,
  OWNER_WHERE,
  SEARCH_WHERE,
  SEARCH_WHERE_UNKEYED,
} from './lib/service-sql.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');
const helmet = require('helmet');
const isEmail = require('validator/lib/isEmail');

/** Fastify comes with @nestjs/platform-fastify; it may not be hoisted to the top level. */
function loadFastify() {
  try {
    return require('fastify');
  } catch {
    return createRequire(require.resolve('@nestjs/platform-fastify'))('fastify');
  }
}

const env = process.env;
const SECRET = env.JWT_ACCESS_SECRET ?? '';
if (!env.DATABASE_URL || SECRET.length < 32) {
  console.error('baseline-server: DATABASE_URL and JWT_ACCESS_SECRET (at least 32 characters) are required');
  process.exit(1);
}
const PORT = Number(env.PORT ?? 8001);
const POOL_SIZE = Number(env.DB_POOL_SIZE ?? 10);
const HORIZON_DAYS = Number(env.BOOKING_HORIZON_DAYS ?? 365);
const MAX_UPCOMING = Number(env.MAX_UPCOMING_APPOINTMENTS_PER_PATIENT ?? 10);
/** The service's REMINDER_LEAD (`24h`, `24h,2h`, `off`), in seconds. */
const REMINDER_LEADS = (env.REMINDER_LEAD ?? '24h')
  .split(',')
  .map((lead) => lead.trim())
  .filter((lead) => lead !== '' && lead !== 'off')
  .map((lead) => Number(lead.replace(/[smhd]$/i, '')) * ({ s: 1, m: 60, h: 3600, d: 86400 }[lead.slice(-1).toLowerCase()] ?? 1));
const THROTTLE_LIMIT = Number(env.THROTTLE_LIMIT ?? 100);
const THROTTLE_WINDOW_MS = parseWindow(env.THROTTLE_TTL ?? '60s');
/** The service's build, for the one rule not worth writing twice: whether a booking fits a doctor's weekly schedule. */
const SERVICE_DIST = resolve(env.SERVICE_DIST ?? join(import.meta.dirname ?? '.', '..', 'dist'));

function parseWindow(text) {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return 60_000;
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'];
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a pool on UTC, timestamps kept as text and turned into ISO strings by slicing.

const TIMESTAMPTZ_OID = 1184;
const DATE_OID = 1082;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID);

/**
 * '2026-12-07 06:43:02.777123+00' → '2026-12-07T06:43:02.777Z', as `new Date(…).toISOString()`
 * of pg's own parse gives it: its milliseconds are trunc(1000 × the fraction as a float), which
 * is sometimes one below the digits (0.57 → 569), and the service answers that.
 */
function isoOf(text) {
  const n = text.length;
  if (n < 22 || text.charCodeAt(10) !== 32 || text.charCodeAt(4) !== 45 || !text.endsWith('+00')) {
    return parseTimestamptz(text).toISOString();
  }
  const fraction = n > 22 ? text.slice(19, n - 3) : '';
  const ms = fraction ? Math.trunc(1000 * parseFloat(fraction)) : 0;
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

const types = {
  getTypeParser: (oid, format) =>
    oid === TIMESTAMPTZ_OID ? isoOf : oid === DATE_OID ? (value) => value : pg.types.getTypeParser(oid, format),
};
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: POOL_SIZE, types, options: '-c TimeZone=UTC' });

/** Statement text → its prepared statement's name: each connection prepares it on first use. */
const statementNames = new Map();
const MAX_NAMED = 1000;
function run(client, text, values, { prepared = true } = {}) {
  if (!prepared) return client.query({ text, values });
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED) statementNames.set(text, (name = `b${statementNames.size}`));
  return client.query(name === undefined ? { text, values } : { name, text, values });
}

// ---------------------------------------------------------------------------------------------
// Headers and errors, as the service sends them.

/** Helmet's headers with the service's options, worked out once (as the service does), and its API Content-Security-Policy. */
function securityHeaders() {
  const headers = {};
  const response = { setHeader: (name, value) => (headers[name] = String(value)), removeHeader: (name) => delete headers[name] };
  helmet({ contentSecurityPolicy: false, xFrameOptions: { action: 'deny' } })({}, response, () => undefined);
  headers['Content-Security-Policy'] = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  return headers;
}
const SECURITY_HEADERS = securityHeaders();

class HttpError extends Error {
  constructor(status, detail, errors) {
    super(detail);
    this.status = status;
    this.errors = errors;
  }
}
const fieldError = (field, message) => new HttpError(400, message, { [field]: [message] });

function sendProblem(request, reply, error) {
  const status = error instanceof HttpError ? error.status : (error.statusCode ?? 500);
  const detail = status >= 500 && status !== 501 ? 'An unexpected error occurred.' : error.message;
  const problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (error.errors) problem.errors = error.errors;
  problem.instance = request.url;
  problem.request_id = String(request.id);
  if (status >= 500 && status !== 501) console.error(error);
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  reply.status(status).header('Content-Type', 'application/problem+json').send(JSON.stringify(problem));
}

// ---------------------------------------------------------------------------------------------
// Authentication: an HS256 access token of an active account, its role and clinics from the database.

const NOT_AUTHENTICATED = 'Authentication credentials were not provided or are not valid.';
const EXPIRED = 'The access token has expired.';
const ENDED = 'The session of this access token has ended; log in again.';
const BEARER = /^Bearer\s+(\S+)$/i;

/** Tokens already checked, by their whole text (signature included), as the service keeps them; expiry checked on each use. */
const verified = new Map();
const VERIFIED_KEPT = 2000;

function verifyHs256(token) {
  const known = verified.get(token);
  if (known) return known;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts;
  try {
    if (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')).alg !== 'HS256') return undefined;
    const expected = createHmac('sha256', SECRET).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (typeof claims.nbf === 'number' && claims.nbf > Math.floor(Date.now() / 1000)) return undefined;
    if (claims.type !== 'access' || !Number.isSafeInteger(Number(claims.sub))) return undefined;
    if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value);
    verified.set(token, claims);
    return claims;
  } catch {
    return undefined;
  }
}

/**
 * Active callers remembered for at most 60 s, and only while the LISTEN on `users_changed` is up:
 * the `users` and `clinic_members` triggers notify an account's id (or `*`) on every change, and the
 * account is forgotten at once. A load under way during a change is not remembered.
 */
const CALLER_MAX_AGE_MS = 60_000;
const CALLERS_KEPT = 10_000;
const callers = new Map();
const callerCache = { listens: false, generation: 0, client: undefined, stopped: false };

function forgetCallers(id) {
  callerCache.generation++;
  if (id === undefined) callers.clear();
  else callers.delete(id);
}

async function listenForChanges() {
  if (callerCache.stopped) return;
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  const lost = () => {
    if (callerCache.client !== client) return;
    callerCache.client = undefined;
    callerCache.listens = false;
    forgetCallers();
    client.end().catch(() => undefined);
    setTimeout(() => void listenForChanges(), 1000).unref();
  };
  client.on('notification', ({ payload }) => forgetCallers(payload === '*' ? undefined : Number(payload)));
  client.on('error', lost);
  client.on('end', lost);
  callerCache.client = client;
  try {
    await client.connect();
    await client.query('LISTEN users_changed');
    callerCache.listens = true;
    forgetCallers();
  } catch {
    lost();
  }
}

const CALLER_SQL = `SELECT id, role, (extract(epoch FROM tokens_valid_after) * 1000)::float8 AS "validAfter",
         (SELECT coalesce(json_agg(json_build_object('id', m.clinic_id, 'role', m.role)), '[]')
          FROM clinic_members m WHERE m.user_id = users.id AND m.status = 'active') AS clinics
  FROM users WHERE id = $1 AND is_active`;

async function loadCaller(id) {
  const known = callers.get(id);
  if (known && known.until > Date.now()) return known.user;
  const generation = callerCache.generation;
  const user = (await run(pool, CALLER_SQL, [id])).rows[0];
  if (user) {
    // Clinics where the caller runs patient records (manager or staff): its lists and its bookings.
    user.runs = user.clinics.filter((m) => m.role === 'manager' || m.role === 'staff').map((m) => m.id);
    if (callerCache.listens && generation === callerCache.generation) {
      if (callers.size >= CALLERS_KEPT) callers.delete(callers.keys().next().value);
      callers.set(id, { user, until: Date.now() + CALLER_MAX_AGE_MS });
    }
  }
  return user;
}

/**
 * The rate limit, counted as the service counts it: a fixed window per caller (per address for a
 * request without a valid token), its state sent in the X-RateLimit-* headers of every answer.
 * The benchmark raises the limit out of reach for both servers.
 */
const counters = new Map();
function throttle(reply, key) {
  const now = Date.now();
  let counter = counters.get(key);
  if (!counter) counters.set(key, (counter = { hits: 0, endsAt: now + THROTTLE_WINDOW_MS }));
  else if (counter.endsAt <= now) {
    counter.hits = 0;
    counter.endsAt = now + THROTTLE_WINDOW_MS;
  }
  counter.hits += 1;
  const reset = Math.ceil((counter.endsAt - now) / 1000);
  if (counter.hits > THROTTLE_LIMIT) {
    reply.header('Retry-After', String(reset));
    throw new HttpError(429, 'Too many requests; try again later.');
  }
  reply
    .header('X-RateLimit-Limit', THROTTLE_LIMIT)
    .header('X-RateLimit-Remaining', THROTTLE_LIMIT - counter.hits)
    .header('X-RateLimit-Reset', reset);
}
setInterval(() => {
  const now = Date.now();
  for (const [key, counter] of counters) if (counter.endsAt <= now) counters.delete(key);
}, 60_000).unref();

async function authenticate(request, reply) {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const claims = token ? verifyHs256(token) : undefined;
  throttle(reply, claims ? `user:${claims.sub}` : `ip:${request.ip}`);
  if (!claims) throw new HttpError(401, NOT_AUTHENTICATED);
  if (typeof claims.exp === 'number' && Math.floor(Date.now() / 1000) >= claims.exp) {
    verified.delete(token);
    throw new HttpError(401, EXPIRED);
  }
  const id = Number(claims.sub);
  const user = await loadCaller(id);
  if (!user) throw new HttpError(401, NOT_AUTHENTICATED);
  if (user.validAfter != null && (claims.iat_ms ?? (claims.iat ?? 0) * 1000) < user.validAfter) throw new HttpError(401, ENDED);
  // Doctors, clinicians and admins have rules of their own (assigned patients, any record): not written here.
  if (user.role !== 'patient') throw new HttpError(501, 'The baseline serves callers of the patient role only.');
  return user;
}

// ---------------------------------------------------------------------------------------------
// The audit trail: reads batched (one INSERT per 50 ms or 500 entries, as the service batches
// them), each entry with its record's clinic, which the baseline knows from the row it read.

const AUDIT_BATCH_SQL = `INSERT INTO audit_events (occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome, clinic_id)
  SELECT e.occurred_at, e.actor_id, e.action, e.entity, e.entity_id, '{}', e.request_id, e.client_ip, e.outcome, e.clinic_id
  FROM unnest($1::timestamptz[], $2::int[], $3::varchar[], $4::varchar[], $5::int[], $6::varchar[], $7::inet[], $8::audit_outcome[], $9::int[])
       WITH ORDINALITY AS e (occurred_at, actor_id, action, entity, entity_id, request_id, client_ip, outcome, clinic_id, n)
  ORDER BY e.n`;
const audit = { columns: emptyColumns(), size: 0, timer: undefined, writing: Promise.resolve() };

function emptyColumns() {
  return [[], [], [], [], [], [], [], [], []];
}

function record(request, actorId, action, entityId, clinicId, outcome = 'success') {
  const c = audit.columns;
  c[0].push(new Date());
  c[1].push(actorId);
  c[2].push(action);
  c[3].push('patient');
  c[4].push(entityId);
  c[5].push(String(request.id));
  c[6].push(request.ip ?? null);
  c[7].push(outcome);
  c[8].push(clinicId);
  if (++audit.size >= 500) void flush();
  else audit.timer ??= setTimeout(() => void flush(), 50);
}

function flush() {
  clearTimeout(audit.timer);
  audit.timer = undefined;
  const batch = audit.columns;
  const size = audit.size;
  audit.columns = emptyColumns();
  audit.size = 0;
  audit.writing = audit.writing.then(() =>
    size === 0 ? undefined : run(pool, AUDIT_BATCH_SQL, batch).catch((error) => console.error('could not write audit events', error)),
  );
  return audit.writing;
}

// ---------------------------------------------------------------------------------------------
// Lists: ?page= and ?page_size= checked by hand; the page and its total in one statement.

function pageOf(query) {
  const int = (name, fallback, max) => {
    const raw = query[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw fieldError(name, `${name} must be an integer from 1 to ${max}`);
    return value;
  };
  const page = int('page', 1, Number.MAX_SAFE_INTEGER);
  const pageSize = int('page_size', 20, 100);
  return { page, pageSize, offset: (page - 1) * pageSize };
}

function linkHeader(url, total, { page, pageSize }) {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const at = (target) => {
    const params = new URLSearchParams(search);
    params.set('page', String(target));
    params.set('page_size', String(pageSize));
    return `<${path}?${params.toString()}>`;
  };
  let links = `${at(1)}; rel="first"`;
  if (page > 1) links += `, ${at(Math.min(page - 1, lastPage))}; rel="prev"`;
  if (page < lastPage) links += `, ${at(page + 1)}; rel="next"`;
  return `${links}, ${at(lastPage)}; rel="last"`;
}

/** The page with the list's total on each row; the count alone only for a page past the end. */
/**
 * `prepared: false` for a pattern search: PostgreSQL picks its index by the pattern, and a generic
 * plan (what a prepared statement gets after five runs) scanned the 1M-row table (62 ms of database
 * CPU per search in the run that found it); so the service plans a search anew too.
 */
async function pageAndCount({ select, from, where, count }, params, page, { prepared = true } = {}) {
  const filtered = where ? ` WHERE ${where}` : '';
  const total = count ?? `SELECT count(*)::int FROM ${from}${filtered}`;
  const text = `SELECT ${select}, (${total}) AS total FROM ${from}${filtered} ORDER BY 1 LIMIT ${page.pageSize} OFFSET ${page.offset}`;
  const { rows } = await run(pool, text, params, { prepared });
  if (rows.length > 0) return { rows, total: Number(rows[0].total) };
  if (page.offset === 0) return { rows, total: 0 };
  return { rows, total: Number(Object.values((await run(pool, total, params, { prepared })).rows[0])[0]) };
}

function sendPage(request, reply, rows, total, page) {
  reply.header('X-Total-Count', String(total)).header('Link', linkHeader(request.url, total, page));
  return rows;
}

const likePattern = (term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `name` up to its first space, and the rest, as the service returns `first_name` and `last_name`. */
function withNameParts(row) {
  const name = row.name;
  const space = name.search(/\s/);
  row.first_name = space < 0 ? name : name.slice(0, space);
  row.last_name = space < 0 ? '' : name.slice(space).trim();
  return row;
}

// ---------------------------------------------------------------------------------------------
// Response schemas: Fastify compiles each into a serializer (fast-json-stringify), in the
// service's field order. The rows come from PostgreSQL under these names already.

const str = { type: 'string' };
const int = { type: 'integer' };
const strOrNull = { type: ['string', 'null'] };
const intOrNull = { type: ['integer', 'null'] };
const METADATA = { created_by: int, created_at: str, updated_at: str, version: int };
const DOCTOR_SCHEMA = {
  type: 'object',
  properties: {
    id: int,
    name: str,
    first_name: str,
    last_name: str,
    email: strOrNull,
    phone: strOrNull,
    specialization: str,
    license_number: strOrNull,
    experience_years: intOrNull,
    consultation_fee: strOrNull,
    address: strOrNull,
    availability: strOrNull,
    hospital: strOrNull,
    user: intOrNull,
    clinic: intOrNull,
    ...METADATA,
  },
};
const PATIENT_SCHEMA = {
  type: 'object',
  properties: {
    id: int,
    name: str,
    first_name: str,
    last_name: str,
    email: strOrNull,
    phone: strOrNull,
    date_of_birth: strOrNull,
    age: intOrNull,
    gender: strOrNull,
    blood_group: strOrNull,
    address: strOrNull,
    emergency_contact: strOrNull,
    medical_history: strOrNull,
    clinic: intOrNull,
    ...METADATA,
  },
};
const APPOINTMENT_SCHEMA = {
  type: 'object',
  properties: {
    id: int,
    doctor: int,
    patient: int,
    doctor_details: { type: 'object', properties: { id: int, name: str, specialization: str } },
    patient_details: { type: 'object', properties: { id: int, name: str } },
    appointment_datetime: str,
    duration_minutes: int,
    ends_at: str,
    reason: strOrNull,
    status: str,
    notes: strOrNull,
    ...METADATA,
  },
};
const listOf = (item) => ({ response: { 200: { type: 'array', items: item } } });

// ---------------------------------------------------------------------------------------------
// Doctors

const DOCTOR_COLUMNS = `doctor.id, doctor.name, doctor.email, doctor.phone, doctor.specialization, doctor.license_number,
  doctor.experience_years, doctor.consultation_fee, doctor.address, doctor.availability, doctor.hospital, doctor.user_id AS "user",
  doctor.clinic_id AS clinic, doctor.created_by_id AS created_by, doctor.created_at, doctor.updated_at, doctor.version`;

async function listDoctors(request, reply) {
  await authenticate(request, reply);
  const page = pageOf(request.query);
  for (const key of Object.keys(request.query)) {
    // ?search=, ?specialization=, ?clinic= and ?ordering= are the service's; the benchmark lists the whole directory.
    if (key !== 'page' && key !== 'page_size') throw new HttpError(501, `The baseline does not filter doctors by ${key}.`);
  }
  const { rows, total } = await pageAndCount(
    { select: DOCTOR_COLUMNS, from: 'doctors doctor', where: 'doctor.deleted_at IS NULL' },
    [],
    page,
  );
  for (const row of rows) withNameParts(row);
  return sendPage(request, reply, rows, total, page);
}

/** The create's fields, in the order the service lists them as changed; [API name, column, check]. */
const MONEY = /^\d{1,8}(\.\d{1,2})?$/;
const PHONE = /^\+?[0-9(][0-9 ().-]{2,30}$/;
const SPECIALIZATION_CODES = {
  GP: 'General Practice',
  CAR: 'Cardiology',
  NEU: 'Neurology',
  PED: 'Pediatrics',
  ORTH: 'Orthopedics',
  DERM: 'Dermatology',
  PSY: 'Psychiatry',
  RAD: 'Radiology',
  SUR: 'Surgery',
  OTH: 'Other',
};
const text =
  (max, { min = 0, trim = false } = {}) =>
  (name, value) => {
    if (typeof value !== 'string') throw fieldError(name, `${name} must be a string`);
    const v = trim ? value.trim() : value;
    if (v.length < min || v.length > max) throw fieldError(name, `${name} must be from ${min} to ${max} characters long`);
    return v;
  };
const DOCTOR_FIELDS = [
  ['name', text(200, { min: 1, trim: true }), false],
  [
    'email',
    (name, v) => {
      if (typeof v !== 'string' || v.length > 254 || !isEmail(v)) throw fieldError(name, 'email must be an email');
      return v;
    },
    true,
  ],
  [
    'phone',
    (name, v) => {
      const t = typeof v === 'string' ? v.trim() : v;
      if (typeof t !== 'string' || !PHONE.test(t)) throw fieldError(name, 'phone must be a telephone number');
      return t;
    },
    true,
  ],
  [
    'specialization',
    (name, v) => {
      const t = typeof v === 'string' && Object.hasOwn(SPECIALIZATION_CODES, v.trim()) ? SPECIALIZATION_CODES[v.trim()] : v;
      return text(100, { min: 1, trim: true })(name, t);
    },
    false,
  ],
  ['license_number', text(50, { min: 1, trim: true }), true],
  [
    'experience_years',
    (name, v) => {
      if (!Number.isInteger(v) || v < 0 || v > 80) throw fieldError(name, `${name} must be an integer from 0 to 80`);
      return v;
    },
    true,
  ],
  [
    'consultation_fee',
    (name, v) => {
      const t = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
      if (typeof t !== 'string' || !MONEY.test(t)) throw fieldError(name, 'consultation_fee must be a decimal amount such as "1500.00"');
      return t;
    },
    true,
  ],
  ['address', text(500), true],
  ['availability', text(200), true],
  ['hospital', text(200, { trim: true }), true],
];
const DOCTOR_KEYS = new Set([...DOCTOR_FIELDS.map(([name]) => name), 'user', 'clinic']);

/**
 * One statement, so one transaction: the profile, its audit entry (the changed fields, the
 * profile's clinic) and, for a doctor account's first own profile, the link's entry; the unique
 * indexes decide a taken email, license number or account (409).
 */
const CREATE_DOCTOR_SQL = `WITH doctor AS (
    INSERT INTO doctors (created_by_id, name, email, phone, specialization, license_number, experience_years, consultation_fee,
                         address, availability, hospital, user_id, clinic_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL)
    RETURNING ${DOCTOR_COLUMNS.replaceAll('doctor.', '')}
  ), audit AS (
    INSERT INTO audit_events (occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome, clinic_id)
    SELECT now(), $1, 'create', 'doctor', doctor.id, $12::text[], $13, $14::inet, 'success', doctor.clinic FROM doctor
  )
  SELECT * FROM doctor`;

const DOCTOR_CONSTRAINTS = {
  doctors_email_key: ['A doctor with that email already exists.', 'email'],
  doctors_license_number_key: ['A doctor with that license number already exists.', 'license_number'],
  doctors_user_id_key: ['That account is already linked to a doctor profile.', 'user'],
};

async function createDoctor(request, reply) {
  const user = await authenticate(request, reply);
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object.');
  for (const key of Object.keys(body)) {
    // The aliases of seed 004's clients (first_name, speciality, …) are the service's; the benchmark sends the API's names.
    if (!DOCTOR_KEYS.has(key)) throw fieldError(key, `property ${key} should not exist`);
  }
  // A clinic (its managers only) and an account link (admins, and a doctor account's own first profile) are not the benchmark's.
  if ((body.clinic ?? null) !== null || (body.user ?? null) !== null)
    throw new HttpError(501, 'The baseline does not link or place profiles.');
  const values = [user.id];
  const changed = [];
  for (const [name, check, nullable] of DOCTOR_FIELDS) {
    const given = body[name];
    if (given === undefined) {
      if (!nullable) throw fieldError(name, `${name} should not be empty`);
      values.push(null);
      continue;
    }
    values.push(given === null && nullable ? null : check(name, given));
    changed.push(name);
  }
  values.push(changed, String(request.id), request.ip ?? null);
  let row;
  try {
    row = (await run(pool, CREATE_DOCTOR_SQL, values)).rows[0];
  } catch (error) {
    const known = error.code === '23505' && DOCTOR_CONSTRAINTS[error.constraint];
    if (known) throw new HttpError(409, known[0], { [known[1]]: [known[0]] });
    throw error;
  }
  reply.status(201).header('ETag', `"${row.version}"`).header('Location', `/api/doctors/${row.id}/`);
  return withNameParts(row);
}

// ---------------------------------------------------------------------------------------------
// Patients

const PATIENT_COLUMNS = `patient.id, patient.name, patient.email, patient.phone, patient.date_of_birth, patient.age, patient.gender,
  patient.blood_group, patient.address, patient.emergency_contact, patient.medical_history, patient.clinic_id AS clinic,
  patient.created_by_id AS created_by, patient.created_at, patient.updated_at, patient.version`;

function ageOn(dateOfBirth, today) {
  const year = Number(dateOfBirth.slice(0, 4));
  const month = Number(dateOfBirth.slice(5, 7));
  const day = Number(dateOfBirth.slice(8, 10));
  const m = today.getUTCMonth() + 1;
  const passed = m > month || (m === month && today.getUTCDate() >= day);
  return today.getUTCFullYear() - year - (passed ? 0 : 1);
}

function asPatient(row, today) {
  withNameParts(row);
  if (row.date_of_birth) row.age = ageOn(row.date_of_birth, today);
  return row;
}

/**
 * The list of a caller of the patient role, over the same indexes the service's statements use
 * (its personal patients by owner, each clinic's by clinic, the search keys' GIN indexes).
 */
function patientsWhere(user, clinic, search, page) {
  const keyed = search && HAS_TRIGRAM.test(search);
  if (clinic !== undefined) {
    // The service lists nothing for a clinic the caller does not run; the benchmark never asks.
    if (!user.runs.includes(clinic)) throw new HttpError(501, 'The baseline lists only clinics the caller runs.');
    if (!search) return { where: CLINIC_WHERE, params: [clinic] };
    return keyed
      ? { where: CLINIC_SEARCH_WHERE, params: [clinic, search, likePattern(search)] }
      : { where: CLINIC_SEARCH_WHERE_UNKEYED, params: [clinic, likePattern(search)] };
  }
  const clinics = user.runs;
  if (clinics.length > 0) {
    const parts = { orderBy: 'patient.id ASC', first: page.offset + page.pageSize };
    if (!search) return { ...memberList(clinics.length, undefined, parts), params: [user.id, ...clinics] };
    return keyed
      ? { ...memberList(clinics.length, 'keyed', parts), params: [user.id, search, ...clinics, likePattern(search)] }
      : { ...memberList(clinics.length, 'unkeyed', parts), params: [user.id, ...clinics, likePattern(search)] };
  }
  if (!search) return { where: OWNER_WHERE, params: [user.id] };
  return keyed
    ? { where: SEARCH_WHERE, params: [user.id, search, likePattern(search)] }
    : { where: SEARCH_WHERE_UNKEYED, params: [user.id, likePattern(search)] };
}

async function listPatients(request, reply) {
  const user = await authenticate(request, reply);
  const page = pageOf(request.query);
  const { search } = request.query;
  if (search !== undefined && (typeof search !== 'string' || search.length < 1 || search.length > 100)) {
    throw fieldError('search', 'search must be longer than or equal to 1 and shorter than or equal to 100 characters');
  }
  let clinic;
  if (request.query.clinic !== undefined) {
    clinic = Number(request.query.clinic);
    if (!Number.isInteger(clinic) || clinic < 1 || clinic > 2_147_483_647) throw fieldError('clinic', 'clinic must be an integer id');
  }
  const { from = 'patients patient', where, count, params } = patientsWhere(user, clinic, search, page);
  const { rows, total } = await pageAndCount({ select: PATIENT_COLUMNS, from, where, count }, params, page, { prepared: !search });
  const today = new Date();
  for (const row of rows) asPatient(row, today);
  // A list's entry names no clinic, ?clinic= or not (as the service writes it).
  record(request, user.id, 'list', null, null);
  return sendPage(request, reply, rows, total, page);
}

function idParam(raw) {
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'Validation failed (numeric string is expected)');
  return Number(raw);
}

/** A patient the caller reads: its personal one, or one of a clinic where it runs patient records. */
const READ_PATIENT_SQL = `SELECT ${PATIENT_COLUMNS} FROM patients patient
  WHERE patient.id = $1 AND patient.deleted_at IS NULL
    AND ((patient.clinic_id IS NULL AND patient.created_by_id = $2) OR patient.clinic_id = ANY ($3::int[]))`;

async function getPatient(request, reply) {
  const user = await authenticate(request, reply);
  const id = idParam(request.params.id);
  const row = (await run(pool, READ_PATIENT_SQL, [id, user.id, user.runs])).rows[0];
  if (!row) {
    record(request, user.id, 'read', id, null, 'denied');
    throw new HttpError(404, 'Patient not found.');
  }
  record(request, user.id, 'read', id, row.clinic);
  reply.header('ETag', `"${row.version}"`);
  return asPatient(row, new Date());
}

// ---------------------------------------------------------------------------------------------
// Appointments

/**
 * The booking's locks, in one statement: the patient's row (FOR NO KEY UPDATE: its bookings take
 * turns, so the cap counts what the one before committed, and a concurrent delete either waits or
 * is seen) and the doctor's (FOR SHARE), with the doctor's schedule and its effective time zone.
 */
const BOOKING_LOCKS_SQL = `WITH patient AS (
    SELECT id, name, clinic_id, created_by_id, email IS NOT NULL AS has_email FROM patients WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE
  ), doctor AS (
    SELECT id, name, specialization, clinic_id FROM doctors WHERE id = $2 AND deleted_at IS NULL FOR SHARE
  )
  SELECT patient.id AS patient_id, patient.name AS patient_name, patient.clinic_id AS patient_clinic, patient.created_by_id AS patient_owner,
         patient.has_email,
         doctor.id AS doctor_id, doctor.name AS doctor_name, doctor.specialization,
         schedule.doctor_id IS NOT NULL AS has_schedule, schedule.entries, schedule.slot_minutes,
         coalesce(schedule.timezone, clinic.timezone) AS timezone
  FROM (SELECT 1) one
  LEFT JOIN patient ON TRUE
  LEFT JOIN doctor ON TRUE
  LEFT JOIN doctor_schedules schedule ON schedule.doctor_id = doctor.id
  LEFT JOIN clinics clinic ON clinic.id = doctor.clinic_id`;

const UPCOMING = `SELECT count(*)::int AS n FROM appointments
    WHERE patient_id = $1 AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now()`;

/**
 * After the locks (a new statement, so a new snapshot: it sees the booking that held the lock
 * before), in one statement: the cap, the appointment, its first status change, its audit entry
 * and its `appointment.booked` event (with the patient's clinic), or nothing when the cap is
 * reached. Overlaps are refused by the exclusion constraints.
 *
 * With them, what follows from the event, written as the service writes it in the booking's
 * transaction: a reminder per lead still ahead when the patient has an email (the benchmark's all
 * have one), with its pg-boss job due at its send time (the queue's settings as the EventOutbox
 * migration made them), and a delivery with its job per active webhook endpoint that takes the
 * event (the benchmark registers none: the join finds nothing).
 */
const BOOK_SQL = `WITH upcoming AS (${UPCOMING.replace('$1', '$2')}
  ), appointment AS (
    INSERT INTO appointments (doctor_id, patient_id, appointment_datetime, duration_minutes, ends_at, reason, notes, status, created_by_id)
    SELECT $1, $2, $3, $4, $5, $6, $7, 'SCHEDULED', $8 FROM upcoming WHERE upcoming.n < $9
    RETURNING id, duration_minutes, status, created_at, updated_at, version
  ), history AS (
    INSERT INTO appointment_status_changes (appointment_id, to_status, changed_by_id) SELECT id, status, $8 FROM appointment
  ), audit AS (
    INSERT INTO audit_events (occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome, clinic_id)
    SELECT now(), $8, 'create', 'appointment', id, $10::text[], $11, $12::inet, 'success', $13::int FROM appointment
  ), event AS (
    INSERT INTO events (type, clinic_id, data)
    SELECT 'appointment.booked', $13::int, jsonb_build_object('appointment', id, 'patient', $2::int, 'doctor', $1::int, 'changed_fields', $10::text[])
    FROM appointment
    RETURNING id
  ), reminder AS (
    INSERT INTO appointment_reminders (appointment_id, lead_seconds, send_at)
    SELECT appointment.id, lead, $3::timestamptz - make_interval(secs => lead)
    FROM appointment CROSS JOIN unnest($14::int[]) AS lead
    WHERE $15::boolean AND $3::timestamptz - make_interval(secs => lead) > now()
    RETURNING id, send_at
  ), reminder_job AS (
    INSERT INTO pgboss.job (name, data, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT 'appointment-reminder', jsonb_build_object('reminder', id), send_at, interval '300 seconds', send_at + interval '14 days', 5, 60, true, 'standard'
    FROM reminder
  ), delivery AS (
    INSERT INTO webhook_deliveries (endpoint_id, event_id, retry_until)
    SELECT endpoint.id, event.id, now() + interval '24 hours'
    FROM event JOIN webhook_endpoints endpoint ON endpoint.is_active AND 'appointment.booked' = ANY (endpoint.events)
      AND (endpoint.clinic_id IS NULL OR endpoint.clinic_id = $13::int)
    RETURNING id
  ), delivery_job AS (
    INSERT INTO pgboss.job (name, data, start_after, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT 'webhook-delivery', jsonb_build_object('delivery', id::text), now(), interval '15 seconds', now() + interval '14 days', 100000, 10, true, 'standard'
    FROM delivery
  )
  SELECT upcoming.n, appointment.* FROM upcoming LEFT JOIN appointment ON TRUE`;

const ZONED_DATETIME = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const APPOINTMENT_FIELDS = new Set(['doctor', 'patient', 'appointment_datetime', 'duration_minutes', 'reason', 'notes', 'status']);
const OVERLAP_MESSAGES = {
  appointments_doctor_no_overlap: 'Doctor already has an appointment at this time.',
  appointments_patient_no_overlap: 'Patient already has an appointment at this time.',
};
const RETRIED = new Set(['40001', '40P01']);
/**
 * The audit entry's and the event's changed fields: the fields sent, in the order the service's
 * create DTO declares them (its built class defines every field before the body's are assigned).
 */
const CREATE_APPOINTMENT_FIELDS = ['doctor', 'patient', 'appointment_datetime', 'duration_minutes', 'reason', 'notes', 'status'];
const sentFields = (body) => CREATE_APPOINTMENT_FIELDS.filter((field) => body[field] !== undefined);

function checkAppointment(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object.');
  for (const key of Object.keys(body)) if (!APPOINTMENT_FIELDS.has(key)) throw fieldError(key, `property ${key} should not exist`);
  const positiveInt = (name) => {
    if (!Number.isInteger(body[name]) || body[name] < 1 || body[name] > 2_147_483_647)
      throw fieldError(name, `${name} must be a positive integer`);
  };
  positiveInt('doctor');
  positiveInt('patient');
  const when = body.appointment_datetime;
  if (typeof when !== 'string' || !ISO_DATETIME.test(when) || Number.isNaN(Date.parse(when))) {
    throw fieldError('appointment_datetime', 'appointment_datetime must be a valid ISO 8601 date string');
  }
  if (!ZONED_DATETIME.test(when)) throw fieldError('appointment_datetime', 'appointment_datetime must include a time zone (Z or ±hh:mm)');
  const duration = body.duration_minutes;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 5 || duration > 480)) {
    throw fieldError('duration_minutes', 'duration_minutes must be an integer from 5 to 480');
  }
  for (const [name, max] of [
    ['reason', 500],
    ['notes', 5000],
  ]) {
    const value = body[name];
    if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > max)) {
      throw fieldError(name, `${name} must be a string of at most ${max} characters`);
    }
  }
  if (body.status !== undefined && body.status !== 'SCHEDULED') throw fieldError('status', 'status must be SCHEDULED');
}

/** The service's own rule for a weekly schedule (time zones, openings), from its build: the benchmark's doctors have none. */
let slots;
function outsideScheduleReason(locked, start, end) {
  slots ??= require(join(SERVICE_DIST, 'src/schedules/slots.js'));
  const schedule = { effectiveTimezone: locked.timezone, slotMinutes: locked.slot_minutes, entries: locked.entries };
  return slots.outsideScheduleReason(slots.weeklyOf(schedule), start, end);
}

const capReached = () => new HttpError(409, `The patient already has ${MAX_UPCOMING} upcoming appointments, the most allowed.`);

async function book(client, user, body, request, start, duration, endsAt) {
  await client.query('BEGIN');
  const locked = (await run(client, BOOKING_LOCKS_SQL, [body.patient, body.doctor])).rows[0];
  // Someone else's patient is not found; a clinic's, for its managers and staff.
  const writable =
    locked.patient_id !== null &&
    (locked.patient_clinic === null ? locked.patient_owner === user.id : user.runs.includes(locked.patient_clinic));
  if (!writable) throw new HttpError(404, 'Patient not found.');
  if (locked.doctor_id === null) {
    // The service checks the cap before the doctor: so does this rare path.
    if ((await run(client, UPCOMING, [locked.patient_id])).rows[0].n >= MAX_UPCOMING) throw capReached();
    throw fieldError('doctor', 'No doctor with this id.');
  }
  if (locked.has_schedule) {
    const reason = outsideScheduleReason(locked, start, endsAt);
    if (reason) {
      if ((await run(client, UPCOMING, [locked.patient_id])).rows[0].n >= MAX_UPCOMING) throw capReached();
      throw fieldError('appointment_datetime', reason);
    }
  }
  const reason = body.reason ?? null;
  const notes = body.notes ?? null;
  const booked = (
    await run(client, BOOK_SQL, [
      locked.doctor_id,
      locked.patient_id,
      start,
      duration,
      endsAt,
      reason,
      notes,
      user.id,
      MAX_UPCOMING,
      sentFields(body),
      String(request.id),
      request.ip ?? null,
      locked.patient_clinic,
      REMINDER_LEADS,
      locked.has_email,
    ])
  ).rows[0];
  if (booked.id === null) throw capReached();
  await client.query('COMMIT');
  return {
    id: booked.id,
    doctor: locked.doctor_id,
    patient: locked.patient_id,
    doctor_details: { id: locked.doctor_id, name: locked.doctor_name, specialization: locked.specialization },
    patient_details: { id: locked.patient_id, name: locked.patient_name },
    appointment_datetime: start.toISOString(),
    duration_minutes: booked.duration_minutes,
    ends_at: endsAt.toISOString(),
    reason,
    status: booked.status,
    notes,
    created_by: user.id,
    created_at: booked.created_at,
    updated_at: booked.updated_at,
    version: booked.version,
  };
}

async function createAppointment(request, reply) {
  const user = await authenticate(request, reply);
  const body = request.body;
  checkAppointment(body);
  const start = new Date(body.appointment_datetime);
  const duration = body.duration_minutes ?? 30;
  if (start.getTime() <= Date.now()) throw fieldError('appointment_datetime', 'The appointment must start in the future.');
  if (start.getTime() > Date.now() + HORIZON_DAYS * 86_400_000)
    throw fieldError('appointment_datetime', `The appointment must start within ${HORIZON_DAYS} days from now.`);
  const endsAt = new Date(start.getTime() + duration * 60_000);

  const client = await pool.connect();
  let result;
  try {
    // As the service: a serialization failure or a deadlock is tried again, twice at most.
    for (let attempt = 1; ; attempt++) {
      try {
        result = await book(client, user, body, request, start, duration, endsAt);
        break;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt < 3 && RETRIED.has(error.code)) continue;
        if (error.code === '23P01' && OVERLAP_MESSAGES[error.constraint]) throw new HttpError(409, OVERLAP_MESSAGES[error.constraint]);
        throw error;
      }
    }
  } finally {
    client.release();
  }
  reply.status(201).header('ETag', `"${result.version}"`).header('Location', `/api/appointments/${result.id}/`);
  return result;
}

// ---------------------------------------------------------------------------------------------

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;
const fastify = loadFastify()({
  logger: false,
  bodyLimit: 1_048_576,
  routerOptions: { ignoreTrailingSlash: true },
  genReqId: (req) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  },
});
fastify.addHook('onRequest', (request, reply, done) => {
  reply.headers(SECURITY_HEADERS);
  done();
});
fastify.addHook('onSend', (request, reply, payload, done) => {
  reply.header('X-Request-Id', request.id);
  done(null, payload);
});
fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
fastify.setNotFoundHandler((request, reply) => sendProblem(request, reply, new HttpError(404, `Cannot ${request.method} ${request.url}`)));

fastify.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});
fastify.get('/api/doctors', { schema: listOf(DOCTOR_SCHEMA) }, listDoctors);
fastify.post('/api/doctors', { schema: { response: { 201: DOCTOR_SCHEMA } } }, createDoctor);
fastify.get('/api/patients', { schema: listOf(PATIENT_SCHEMA) }, listPatients);
fastify.get('/api/patients/:id', { schema: { response: { 200: PATIENT_SCHEMA } } }, getPatient);
fastify.post('/api/appointments', { schema: { response: { 201: APPOINTMENT_SCHEMA } } }, createAppointment);

let closing;
async function shutdown() {
  closing ??= (async () => {
    callerCache.stopped = true;
    await fastify.close();
    await flush();
    await callerCache.client?.end().catch(() => undefined);
    await pool.end();
  })();
  await closing;
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await listenForChanges();
await fastify.listen({ port: PORT, host: '127.0.0.1' });
