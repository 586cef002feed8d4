// The benchmark's baseline: the four measured operations written by hand on Fastify and a `pg`
// Pool, with the same SQL and the same JSON as the service, the same HS256 token check (with
// node:crypto) and the same batched audit writes, but no framework, no ORM and no validation
// library. Whatever the service costs beyond this is what the framework and the ORM cost.
//
//   DATABASE_URL=… JWT_ACCESS_SECRET=… PORT=… [DB_POOL_SIZE=10] node bench/baseline-server.mjs
//
// Only what the benchmark drives is here: GET /api/doctors/, GET /api/patients/ (the list of an
// owner or of a clinic's manager or staff member, with ?clinic= and ?search=), GET /api/patients/:id/, POST /api/appointments/ (for doctors without a schedule) and
// GET /health/ready. It answers on 127.0.0.1 only.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { STATUS_CODES } from 'node:http';
import {
  APPOINTMENT_COLUMNS,
  CALLER_SQL,
  CLINIC_SEARCH_WHERE,
  CLINIC_SEARCH_WHERE_UNKEYED,
  CLINIC_WHERE,
  DOCTOR_COLUMNS,
  memberList,
  auditInsert,
  OWNER_WHERE,
  PATIENT_COLUMNS,
  READABLE_PATIENT,
  SCHEDULE_COLUMNS,
  SEARCH_WHERE,
  SEARCH_WHERE_UNKEYED,
  HAS_TRIGRAM,
  listStatements,
} from './lib/service-sql.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

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

// `date` columns stay 'YYYY-MM-DD' strings, as the service returns them.
const DATE_OID = 1082;
const types = { getTypeParser: (oid, format) => (oid === DATE_OID ? (value) => value : pg.types.getTypeParser(oid, format)) };
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: POOL_SIZE, types });

// ---------------------------------------------------------------------------------------------
// Errors as RFC 9457 problems, as the service sends them.

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
  const detail = status >= 500 ? 'An unexpected error occurred.' : error.message;
  const problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (error.errors) problem.errors = error.errors;
  problem.instance = request.url;
  problem.request_id = String(request.id);
  if (status >= 500) console.error(error);
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  reply.header('X-Request-Id', request.id).status(status).header('Content-Type', 'application/problem+json').send(JSON.stringify(problem));
}

// ---------------------------------------------------------------------------------------------
// Authentication: an HS256 access token of an active user (the role and the clinic memberships
// come from the database).

const NOT_AUTHENTICATED = 'Authentication credentials were not provided or are not valid.';
const BEARER = /^Bearer\s+(\S+)$/i;

function verifyHs256(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts;
  try {
    if (JSON.parse(Buffer.from(head, 'base64url').toString('utf8')).alg !== 'HS256') return undefined;
    const expected = createHmac('sha256', SECRET).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp === 'number' && claims.exp <= now) return undefined;
    if (typeof claims.nbf === 'number' && claims.nbf > now) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

/**
 * Callers remembered for 60 s, as the service's caller cache does (it also forgets an account the
 * moment it changes; nothing changes accounts during a run): the service sends no user lookup for
 * a known caller, so neither does the baseline.
 */
const CALLER_MAX_AGE_MS = 60_000;
const callers = new Map();

async function loadCaller(id) {
  const known = callers.get(id);
  if (known && known.expiresAt > Date.now()) return known.user;
  const { rows } = await pool.query(CALLER_SQL, [id]);
  if (rows.length > 0) callers.set(id, { user: rows[0], expiresAt: Date.now() + CALLER_MAX_AGE_MS });
  return rows[0];
}

async function authenticate(request) {
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const claims = token ? verifyHs256(token) : undefined;
  const id = Number(claims?.sub);
  if (!claims || claims.type !== 'access' || !Number.isSafeInteger(id)) throw new HttpError(401, NOT_AUTHENTICATED);
  const user = await loadCaller(id);
  if (!user) throw new HttpError(401, NOT_AUTHENTICATED);
  return user;
}

// ---------------------------------------------------------------------------------------------
// The audit trail, batched as the service does: one multi-row INSERT per 50 ms (or 500 entries).

const audit = { pending: [], timer: undefined, writing: Promise.resolve() };

function record(request, entry) {
  audit.pending.push([
    new Date(),
    entry.actorId,
    entry.action,
    entry.entity,
    entry.entityId ?? null,
    entry.changedFields ?? [],
    String(request.id),
    request.ip ?? null,
    entry.outcome,
  ]);
  if (audit.pending.length >= 500) void flush();
  else audit.timer ??= setTimeout(() => void flush(), 50);
}

function flush() {
  clearTimeout(audit.timer);
  audit.timer = undefined;
  const batch = audit.pending;
  audit.pending = [];
  audit.writing = audit.writing.then(() => writeAudit(batch));
  return audit.writing;
}

async function writeAudit(batch) {
  if (batch.length === 0) return;
  const { text, values } = auditInsert(batch);
  try {
    await pool.query(text, values);
  } catch (error) {
    console.error('could not write audit events', error);
  }
}

// ---------------------------------------------------------------------------------------------
// Lists: ?page= and ?page_size= checked by hand; a count only when the page does not tell the total.

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
  const [path, search = ''] = url.split('?', 2);
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const at = (target) => {
    const params = new URLSearchParams(search);
    params.set('page', String(target));
    params.set('page_size', String(pageSize));
    return `<${path}?${params.toString()}>`;
  };
  const links = [`${at(1)}; rel="first"`];
  if (page > 1) links.push(`${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) links.push(`${at(page + 1)}; rel="next"`);
  links.push(`${at(lastPage)}; rel="last"`);
  return links.join(', ');
}

/** The page, with the list's total on each row, and the count alone only past the end; as the service sends them. */
async function pageAndCount(list, params, page) {
  const statements = listStatements(list, page);
  const { rows } = await pool.query(statements.page, params);
  if (rows.length > 0) return { rows, total: Number(rows[0].listTotal) };
  if (page.offset === 0) return { rows, total: 0 };
  return { rows, total: Number((await pool.query(statements.count, params)).rows[0].count) };
}

function sendPage(request, reply, items, total, page) {
  reply
    .header('X-Total-Count', String(total))
    .header('Link', linkHeader(request.url, total, page))
    .header('X-Request-Id', request.id);
  return items;
}

const likePattern = (term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ---------------------------------------------------------------------------------------------
// Doctors

function formatMoney(amount) {
  if (amount === null) return null;
  const [units, cents = ''] = amount.split('.');
  return `${units.replace(/^0+(?=\d)/, '')}.${cents.padEnd(2, '0')}`;
}

/** `name` up to its first space, and the rest, as the service returns `first_name` and `last_name`. */
function splitName(name) {
  const space = name.search(/\s/);
  return space < 0 ? { first_name: name, last_name: '' } : { first_name: name.slice(0, space), last_name: name.slice(space).trim() };
}

const toDoctor = (d) => ({
  id: d.id,
  name: d.name,
  ...splitName(d.name),
  email: d.email,
  phone: d.phone,
  specialization: d.specialization,
  license_number: d.licenseNumber,
  experience_years: d.experienceYears,
  consultation_fee: formatMoney(d.consultationFee),
  address: d.address,
  availability: d.availability,
  hospital: d.hospital,
  user: d.userId,
  clinic: d.clinicId,
  created_by: d.createdById,
  created_at: d.createdAt.toISOString(),
  updated_at: d.updatedAt.toISOString(),
  version: d.version,
});

async function listDoctors(request, reply) {
  await authenticate(request);
  const page = pageOf(request.query);
  const { rows, total } = await pageAndCount(
    { select: DOCTOR_COLUMNS, from: 'doctors doctor', where: 'doctor.deleted_at IS NULL', orderBy: 'doctor.id ASC NULLS LAST' },
    [],
    page,
  );
  return sendPage(request, reply, rows.map(toDoctor), total, page);
}

// ---------------------------------------------------------------------------------------------
// Patients

function ageOn(dateOfBirth, today = new Date()) {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  const passed = today.getUTCMonth() + 1 > month || (today.getUTCMonth() + 1 === month && today.getUTCDate() >= day);
  return today.getUTCFullYear() - year - (passed ? 0 : 1);
}

const toPatient = (p) => ({
  id: p.id,
  name: p.name,
  ...splitName(p.name),
  email: p.email,
  phone: p.phone,
  date_of_birth: p.dateOfBirth,
  age: p.dateOfBirth ? ageOn(p.dateOfBirth) : p.age,
  gender: p.gender,
  blood_group: p.bloodGroup,
  address: p.address,
  emergency_contact: p.emergencyContact,
  medical_history: p.medicalHistory,
  clinic: p.clinicId,
  created_by: p.createdById,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
  version: p.version,
});

/** Clinics where the caller runs patient records (manager or staff). */
const runsPatientsIn = (user) => user.clinics.filter((m) => m.role === 'manager' || m.role === 'staff').map((m) => m.id);

/**
 * The WHERE and parameters of a patient list, as access.policy's patientsListed and
 * PatientsRepository.findPage make them for a caller with the patient role (the benchmark's owner
 * and clinic staff member; no admin, no doctor, no ?assigned=).
 */
function patientsWhere(user, clinic, search, page) {
  const keyed = search && HAS_TRIGRAM.test(search);
  if (clinic !== undefined) {
    // The service lists nothing (`FALSE`) for a clinic the caller does not run; the benchmark never asks.
    if (!runsPatientsIn(user).includes(clinic)) throw new HttpError(501, 'The baseline lists only clinics the caller runs.');
    if (!search) return { where: CLINIC_WHERE, params: [clinic] };
    return keyed
      ? { where: CLINIC_SEARCH_WHERE, params: [clinic, search, likePattern(search)] }
      : { where: CLINIC_SEARCH_WHERE_UNKEYED, params: [clinic, likePattern(search)] };
  }
  const clinics = runsPatientsIn(user);
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
  const user = await authenticate(request);
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
  const { rows, total } = await pageAndCount({ select: PATIENT_COLUMNS, from, where, count, orderBy: 'patient.id ASC' }, params, page);
  record(request, { actorId: user.id, action: 'list', entity: 'patient', outcome: 'success' });
  return sendPage(request, reply, rows.map(toPatient), total, page);
}

function idParam(raw) {
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'Validation failed (numeric string is expected)');
  return Number(raw);
}

async function getPatient(request, reply) {
  const user = await authenticate(request);
  const id = idParam(request.params.id);
  const { rows } = await pool.query(READABLE_PATIENT, [id, user.id]);
  if (rows.length === 0) {
    record(request, { actorId: user.id, action: 'read', entity: 'patient', entityId: id, outcome: 'denied' });
    throw new HttpError(404, 'Patient not found.');
  }
  record(request, { actorId: user.id, action: 'read', entity: 'patient', entityId: id, outcome: 'success' });
  reply.header('ETag', `"${rows[0].version}"`).header('X-Request-Id', request.id);
  return toPatient(rows[0]);
}

// ---------------------------------------------------------------------------------------------
// Appointments

/** The cap on a patient's upcoming appointments, as the benchmark configures the service. */
const MAX_UPCOMING = Number(process.env.MAX_UPCOMING_APPOINTMENTS_PER_PATIENT ?? 10);
const HORIZON_DAYS = Number(process.env.BOOKING_HORIZON_DAYS ?? 365);
const BOOK_SQL = `WITH appointment AS (
         INSERT INTO appointments (doctor_id, patient_id, appointment_datetime, duration_minutes, ends_at, reason, notes, status, created_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *
       ), history AS (
         INSERT INTO appointment_status_changes (appointment_id, to_status, changed_by_id)
         SELECT id, status, created_by_id FROM appointment
       )
       SELECT ${APPOINTMENT_COLUMNS} FROM appointment`;

const ZONED_DATETIME = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;
const APPOINTMENT_FIELDS = new Set(['doctor', 'patient', 'appointment_datetime', 'duration_minutes', 'reason', 'notes', 'status']);
const OVERLAP_MESSAGES = {
  appointments_doctor_no_overlap: 'Doctor already has an appointment at this time.',
  appointments_patient_no_overlap: 'Patient already has an appointment at this time.',
};

function checkAppointment(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object.');
  for (const key of Object.keys(body)) if (!APPOINTMENT_FIELDS.has(key)) throw fieldError(key, `property ${key} should not exist`);
  const positiveInt = (name) => {
    if (!Number.isInteger(body[name]) || body[name] < 1) throw fieldError(name, `${name} must be a positive integer`);
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

async function createAppointment(request, reply) {
  const user = await authenticate(request);
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
    await client.query('START TRANSACTION');
    // The caller's patient, held until commit: its bookings take turns (FOR NO KEY UPDATE), so
    // the cap on upcoming appointments counts what the one before committed, and a concurrent
    // soft delete either waits for this booking or is seen by it.
    const patient = (
      await client.query(
        `SELECT ${PATIENT_COLUMNS} FROM patients patient WHERE patient.id = $1 AND patient.deleted_at IS NULL FOR NO KEY UPDATE`,
        [body.patient],
      )
    ).rows[0];
    if (!patient || patient.createdById !== user.id) throw new HttpError(404, 'Patient not found.');
    const upcoming = await client.query(
      `SELECT count(*)::int AS count FROM appointments
       WHERE patient_id = $1 AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now() AND id <> $2`,
      [patient.id, 0],
    );
    if (upcoming.rows[0].count >= MAX_UPCOMING) throw new HttpError(409, 'The patient has too many upcoming appointments.');
    const doctor = (
      await client.query(`SELECT ${DOCTOR_COLUMNS} FROM doctors doctor WHERE doctor.id = $1 AND doctor.deleted_at IS NULL FOR SHARE`, [
        body.doctor,
      ])
    ).rows[0];
    if (!doctor) throw fieldError('doctor', 'No doctor with this id.');
    const schedule = await client.query(`SELECT ${SCHEDULE_COLUMNS} FROM doctor_schedules schedule WHERE schedule.doctor_id = $1`, [
      doctor.id,
    ]);
    // The benchmark's doctors have no schedule; checking one is the service's job, not the baseline's.
    if (schedule.rows.length > 0) throw new HttpError(501, 'The baseline does not check schedules.');
    const inserted = (
      await client.query(BOOK_SQL, [
        doctor.id,
        patient.id,
        start,
        duration,
        endsAt,
        body.reason ?? null,
        body.notes ?? null,
        'SCHEDULED',
        user.id,
      ])
    ).rows[0];
    await client.query('COMMIT');
    result = {
      id: inserted.id,
      doctor: doctor.id,
      patient: patient.id,
      doctor_details: { id: doctor.id, name: doctor.name, specialization: doctor.specialization },
      patient_details: { id: patient.id, name: patient.name },
      appointment_datetime: start.toISOString(),
      duration_minutes: inserted.durationMinutes,
      ends_at: endsAt.toISOString(),
      reason: body.reason ?? null,
      status: inserted.status,
      notes: body.notes ?? null,
      created_by: user.id,
      created_at: inserted.createdAt.toISOString(),
      updated_at: inserted.updatedAt.toISOString(),
      version: inserted.version,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error.code === '23P01' && OVERLAP_MESSAGES[error.constraint]) throw new HttpError(409, OVERLAP_MESSAGES[error.constraint]);
    throw error;
  } finally {
    client.release();
  }
  reply.status(201).header('ETag', `"${result.version}"`).header('X-Request-Id', request.id);
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
fastify.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
fastify.setNotFoundHandler((request, reply) => sendProblem(request, reply, new HttpError(404, `Cannot ${request.method} ${request.url}`)));

fastify.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  return { status: 'ok' };
});
fastify.get('/api/doctors', listDoctors);
fastify.get('/api/patients', listPatients);
fastify.get('/api/patients/:id', getPatient);
fastify.post('/api/appointments', createAppointment);

let closing;
async function shutdown() {
  closing ??= (async () => {
    await fastify.close();
    await flush();
    await pool.end();
  })();
  await closing;
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

await fastify.listen({ port: PORT, host: '127.0.0.1' });
