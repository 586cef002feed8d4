// The benchmark's database: a fresh one on DATABASE_URL's server, or an embedded PostgreSQL of its
// own; plus the bulk seed, the 1M-row scale load and EXPLAIN ANALYZE of the measured SQL.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.mjs';
import {
  CLINIC_SEARCH_WHERE,
  CLINIC_WHERE,
  listStatements,
  memberList,
  PATIENT_COLUMNS,
  READABLE_PATIENT,
  SEARCH_WHERE,
} from './service-sql.mjs';

const require = createRequire(import.meta.url);
const pg = require('pg');

/** First names, last names and places of the generated people; the search term is a last name. */
const FIRST_NAMES =
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Amara Chidi Sofia Mateo Yuki Hiroshi Priya Arjun Fatima Omar Elena Dmitri Ingrid Lars Chen Mei Aisha Kwame Lucia Diego Anna Jonas Zara Ravi Nadia Pavel Leila Tomas Hana Emeka Grace Samuel Olivia Noah Emma Liam Ava Ethan Mia Lucas'.split(
    ' ',
  );
const LAST_NAMES =
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Okafor Nakamura Kowalczyk Petrov Haddad Lindqvist Fernandes Mensah Sato Novak Rossi Schmidt Dubois Papadopoulos Kim Nguyen Singh Cohen Ivanova Osei'.split(
    ' ',
  );
/** Matches one last name in 40 (and only that one): about 250 of the owner's 10,000 patients. */
export const SEARCH_TERM = 'okafor';
/**
 * What a front desk types to find one patient: a full name, matching a handful of the clinic's
 * 10,000 patients (one first name in 60, one last name in 40).
 */
export const CLINIC_SEARCH_TERM = 'grace okafor';
const STREETS = 'Oak Street, Maple Avenue, Cedar Lane, Elm Road, Pine Court, Birch Way, Harbor Drive, Mill Road'.split(', ');
const CITIES = 'Springfield Riverside Fairview Lakeside Greenville Bristol Salem Madison'.split(' ');
const HISTORIES = [
  'Hypertension, controlled with medication.',
  'Type 2 diabetes; annual eye examination due.',
  'Seasonal allergies. No known drug allergies.',
  'Asthma since childhood; uses an inhaler as needed.',
  'Appendectomy in 2009. Otherwise healthy.',
  'Migraine with aura; avoids estrogen-containing contraceptives.',
  null,
  null,
];
export const SPECIALIZATIONS =
  'Cardiology, Dermatology, Endocrinology, Family Medicine, Gastroenterology, Neurology, Obstetrics and Gynecology, Oncology, Ophthalmology, Orthopedics, Pediatrics, Psychiatry'.split(
    ', ',
  );

/**
 * The owner's patients get ids 100, 200, … 1,000,000 and the measured clinic's 50, 150, …
 * 999,950; the scale load fills the gaps.
 */
export const OWNER_ID_STEP = 100;
export const OWNER_PATIENTS = 10_000;
const CLINIC_ID_OFFSET = 50;
export const CLINIC_PATIENTS = 10_000;
export const SCALE_TOTAL = 1_000_000;
const OTHER_OWNERS = 1_000;
/** With the measured clinic, the scale step's patients are in 1,000 clinics. */
const OTHER_CLINICS = 999;

const sqlArray = (values) => `ARRAY[${values.map((v) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`)).join(', ')}]::text[]`;

/** Same URL, another database. */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const redact = (url) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * Where the run's database lives. `open()` returns { url, describe, close() }: a fresh database
 * `hc_bench_<random>` on DATABASE_URL's server (dropped by close), or, without DATABASE_URL, an
 * embedded PostgreSQL in a temporary folder on a free port (stopped and deleted by close).
 */
export async function openDatabase({ databaseUrl, distDir, log }) {
  const name = `hc_bench_${randomBytes(4).toString('hex')}`;
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
    } finally {
      await admin.end();
    }
    log(`created database ${name} on ${redact(databaseUrl)}`);
    return {
      url: withDatabase(databaseUrl, name),
      describe: `external ${redact(withDatabase(databaseUrl, name))}`,
      async close() {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
          log(`dropped database ${name}`);
        } finally {
          await client.end();
        }
      },
    };
  }

  // Embedded: the project's own helper (built into dist/), on a folder the `postgres` OS user can
  // reach when we run as root (mkdtemp makes it 0700).
  const { startEmbeddedPostgres } = require(join(distDir, 'src/core/database/embedded-postgres.js'));
  const folder = mkdtempSync(join(tmpdir(), 'hc-bench-'));
  chmodSync(folder, 0o755);
  const port = await freePort();
  let server;
  try {
    server = await startEmbeddedPostgres({ dataDir: join(folder, 'pg'), port, database: name });
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  log(`started embedded PostgreSQL on 127.0.0.1:${port} in ${folder}`);
  return {
    url: server.url,
    describe: `embedded ${redact(server.url)}`,
    async close() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
      log('stopped embedded PostgreSQL and removed its folder');
    },
  };
}

export async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Patients generated in SQL from `rowsSql` (a SELECT of `id` and `owner`): deterministic names,
 * emails, phones, birth dates and notes, so ILIKE has real text to work on.
 */
function patientsInsert(rowsSql) {
  const h = (salt) => `((hashint8(g.id::bigint * 7919 + ${salt}) % 1000003 + 1000003) % 1000003)`;
  return `
    INSERT INTO patients (id, created_by_id, clinic_id, name, email, phone, date_of_birth, gender, blood_group, address,
                          emergency_contact, medical_history, created_at, updated_at)
    OVERRIDING SYSTEM VALUE
    SELECT g.id, g.owner, g.clinic,
           p.first || ' ' || p.last,
           lower(p.first || '.' || p.last || (g.id % 1000)) || '@' || (ARRAY['example.com', 'mail.example', 'post.example'])[1 + ${h(1)} % 3],
           '+1-' || (200 + ${h(2)} % 800) || '-555-' || lpad((${h(3)} % 10000)::text, 4, '0'),
           date '1940-01-01' + (${h(4)} % 30000)::int,
           (ARRAY['male', 'female', 'other']::patient_gender[])[1 + ${h(5)} % 3],
           (ARRAY['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-']::blood_group[])[1 + ${h(6)} % 8],
           (1 + ${h(7)} % 999) || ' ' || (${sqlArray(STREETS)})[1 + ${h(8)} % ${STREETS.length}] || ', ' ||
             (${sqlArray(CITIES)})[1 + ${h(9)} % ${CITIES.length}],
           (${sqlArray(FIRST_NAMES)})[1 + ${h(10)} % ${FIRST_NAMES.length}] || ' ' || p.last || ' +1-555-' || lpad((${h(11)} % 10000)::text, 4, '0'),
           (${sqlArray(HISTORIES)})[1 + ${h(12)} % ${HISTORIES.length}],
           now() - (${h(13)} % 1000) * interval '1 day', now() - (${h(13)} % 1000) * interval '1 day'
    FROM (${rowsSql}) g
    CROSS JOIN LATERAL (
      SELECT (${sqlArray(FIRST_NAMES)})[1 + ${h(14)} % ${FIRST_NAMES.length}] AS first,
             (${sqlArray(LAST_NAMES)})[1 + ${h(15)} % ${LAST_NAMES.length}] AS last
    ) p`;
}

/** The owner's 10,000 patients, ids spread over 1..1,000,000 like a long-lived owner's would be. */
export async function seedOwnerPatients(client, ownerId) {
  await client.query(
    patientsInsert(`SELECT i * ${OWNER_ID_STEP} AS id, $1::int AS owner, NULL::int AS clinic FROM generate_series(1, ${OWNER_PATIENTS}) i`),
    [ownerId],
  );
  // New patients made through the API go after every bulk id.
  await client.query(`SELECT setval(pg_get_serial_sequence('patients', 'id'), ${SCALE_TOTAL + 1000})`);
  await client.query('VACUUM ANALYZE patients');
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM patients WHERE created_by_id = $1 AND (name ILIKE $2 OR email::text ILIKE $2 OR phone ILIKE $2)`,
    [ownerId, `%${SEARCH_TERM}%`],
  );
  return { searchMatches: rows[0].n };
}

/**
 * The measured clinic, as the clinics service would store it: made by `managerId`, with that
 * account as its active manager and `staffId` as its active staff member, and its 10,000 patients
 * (made by the manager, so the staff member has no patient of its own) at ids 50, 150, … 999,950.
 * Rows straight in SQL, as the patients are: the API has no bulk path.
 */
export async function seedClinic(client, { managerId, staffId }) {
  const {
    rows: [{ id: clinicId }],
  } = await client.query(
    `INSERT INTO clinics (name, timezone, address, phone, created_by_id) VALUES ('Springfield Family Practice', 'Europe/Berlin', '1 Main Street, Springfield', '+1-555-0100', $1) RETURNING id`,
    [managerId],
  );
  await client.query(
    `INSERT INTO clinic_members (clinic_id, user_id, role, status, invited_by_id) VALUES ($1, $2, 'manager', 'active', NULL), ($1, $3, 'staff', 'active', $2)`,
    [clinicId, managerId, staffId],
  );
  await client.query(
    patientsInsert(
      `SELECT i * ${OWNER_ID_STEP} - ${OWNER_ID_STEP - CLINIC_ID_OFFSET} AS id, $1::int AS owner, $2::int AS clinic FROM generate_series(1, ${CLINIC_PATIENTS}) i`,
    ),
    [managerId, clinicId],
  );
  await client.query('VACUUM ANALYZE patients, clinics, clinic_members');
  const { rows } = await client.query(
    `SELECT count(*)::int AS n FROM patients WHERE clinic_id = $1 AND (name ILIKE $2 OR email::text ILIKE $2 OR phone ILIKE $2)`,
    [clinicId, `%${CLINIC_SEARCH_TERM}%`],
  );
  return { clinicId, searchMatches: rows[0].n };
}

/**
 * Brings the table to 1,000,000 patients: 980,000 made by 1,000 other owners fill the ids between
 * the owner's and the measured clinic's, in 999 other clinics (about 981 each), with the same name
 * distribution (so the search terms are as common for them). The table
 * is then rewritten in id order (CLUSTER), so the owner's rows are spread over the whole heap as
 * they would be after years of mixed inserts, not packed at its start. The search (GIN) indexes
 * are dropped during the load and rebuilt from their own definitions.
 */
export async function loadScale(client, log) {
  const timings = {};
  const timed = async (label, sql, params) => {
    const started = performance.now();
    await client.query(sql, params);
    timings[label] = Math.round(performance.now() - started);
  };
  await client.query(`SET maintenance_work_mem = '256MB'`);
  await timed(
    'users',
    `INSERT INTO users (username, email, password_hash, role)
     SELECT 'bench_other_' || i, 'bench_other_' || i || '@example.com', 'not-a-usable-hash', 'patient' FROM generate_series(1, ${OTHER_OWNERS}) i`,
  );
  // The other clinics, each made by one of the other owners.
  await timed(
    'clinics',
    `INSERT INTO clinics (name, timezone, created_by_id)
     SELECT 'Bench clinic ' || k, 'UTC', id FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM users WHERE username::text LIKE 'bench\\_other\\_%') o
     WHERE k <= ${OTHER_CLINICS}`,
  );
  const { rows: trigram } = await client.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'patients' AND indexdef ILIKE '%USING gin%' ORDER BY indexname`,
  );
  for (const { indexname } of trigram) await client.query(`DROP INDEX ${client.escapeIdentifier(indexname)}`);
  await timed(
    'insert',
    patientsInsert(
      `SELECT i AS id, o.id AS owner, c.id AS clinic FROM generate_series(1, ${SCALE_TOTAL}) i
       JOIN (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS k FROM users WHERE username::text LIKE 'bench\\_other\\_%') o
         ON o.k = ((hashint4(i) % ${OTHER_OWNERS}) + ${OTHER_OWNERS}) % ${OTHER_OWNERS}
       JOIN (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS k FROM clinics WHERE name LIKE 'Bench clinic %') c
         ON c.k = ((hashint4(i + 7) % ${OTHER_CLINICS}) + ${OTHER_CLINICS}) % ${OTHER_CLINICS}
       WHERE i % ${OWNER_ID_STEP} NOT IN (0, ${CLINIC_ID_OFFSET})`,
    ),
  );
  log(
    `  inserted ${SCALE_TOTAL - OWNER_PATIENTS - CLINIC_PATIENTS} patients for ${OTHER_OWNERS} other owners in ${OTHER_CLINICS} other clinics in ${timings.insert} ms`,
  );
  await timed('cluster', 'CLUSTER patients USING patients_pkey');
  const started = performance.now();
  for (const { indexdef } of trigram) await client.query(indexdef);
  timings.trigramIndexes = Math.round(performance.now() - started);
  await timed('vacuumAnalyze', 'VACUUM ANALYZE patients, users, clinics');
  const { rows } = await client.query('SELECT count(*)::int AS n FROM patients');
  log(`  cluster ${timings.cluster} ms, search indexes ${timings.trigramIndexes} ms, vacuum analyze ${timings.vacuumAnalyze} ms`);
  return { patients: rows[0].n, timingsMs: timings };
}

/**
 * The SQL the service runs for scenarios 2 and 3 and for the clinic's staff member (6-8, and the
 * clinic's list with ?clinic=), as EXPLAIN (ANALYZE, BUFFERS). `seqScanOnPatients` flags a plan
 * that reads the whole patients table.
 */
export async function explainScenarios(client, { ownerId, patientId, staffId, clinicId }) {
  const page = (where, from = 'patients patient', count = undefined) =>
    listStatements({ select: PATIENT_COLUMNS, from, where, count, orderBy: 'patient.id ASC' }, { pageSize: 20, offset: 0 }).page;
  const member = (search) => {
    const { from, where, count } = memberList(1, search, { orderBy: 'patient.id ASC', first: 20 });
    return page(where, from, count);
  };
  const clinicPattern = `%${CLINIC_SEARCH_TERM}%`;
  const queries = {
    search_page: [page(SEARCH_WHERE), [ownerId, SEARCH_TERM, `%${SEARCH_TERM}%`]],
    get_by_id: [READABLE_PATIENT, [patientId, ownerId]],
    staff_list_page: [member(), [staffId, clinicId]],
    staff_search_page: [member('keyed'), [staffId, CLINIC_SEARCH_TERM, clinicId, clinicPattern]],
    clinic_list_page: [page(CLINIC_WHERE), [clinicId]],
    clinic_search_page: [page(CLINIC_SEARCH_WHERE), [clinicId, CLINIC_SEARCH_TERM, clinicPattern]],
  };
  const plans = {};
  for (const [name, [sql, params]] of Object.entries(queries)) {
    await client.query(sql, params); // warm the cache, as under load
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const text = rows.map((row) => row['QUERY PLAN']).join('\n');
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1]);
    const planningMs = Number(/Planning Time: ([\d.]+) ms/.exec(text)?.[1]);
    // The node that decides the cost: the first scan in the plan.
    const scan = /((?:Bitmap Heap|Bitmap Index|Index Only|Index|Seq) Scan[^(\n]*)/.exec(text)?.[1]?.trim();
    const seqScanOnPatients = /Seq Scan on patients\b/.test(text);
    plans[name] = { executionMs, planningMs, scan, seqScanOnPatients, plan: text };
  }
  return plans;
}
