// The load benchmark of issues 6 and 21 (`npm run bench`, after `npm run build`). See bench/README.md.
//
// Starts the built service against a fresh database (on DATABASE_URL's server, or an embedded
// PostgreSQL of its own), times its start, seeds a realistic data set, and drives the service and
// bench/baseline-server.mjs with autocannon from a separate process; then repeats the patient
// scenarios with 1,000,000 patients in the table. Writes bench/results/latest.{json,md}.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import {
  CLINIC_PATIENTS,
  CLINIC_SEARCH_TERM,
  connect,
  explainScenarios,
  loadScale,
  openDatabase,
  OWNER_PATIENTS,
  SEARCH_TERM,
  seedClinic,
  seedOwnerPatients,
  SPECIALIZATIONS,
} from './lib/database.mjs';
import {
  cpuSecondsOf,
  foreignCpuSeconds,
  freePort,
  killAllNow,
  memoryOf,
  request,
  processTable,
  RssSampler,
  startNode,
  stopAll,
  stopProcess,
  waitReady,
} from './lib/processes.mjs';
import { findRun, markdown } from './lib/report.mjs';
import { startSmtpSink } from './lib/smtp-sink.mjs';
import { formatSummary, summarize } from './tools/summarize-profile.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
/** The build to measure: the checkout's dist/ unless BENCH_DIST names another (e.g. a snapshot of a commit). */
const DIST = resolve(process.env.BENCH_DIST?.trim() || join(ROOT, 'dist'));
const SERVICE_MAIN = join(DIST, 'src/main.js');
const BASELINE_MAIN = join(BENCH_DIR, 'baseline-server.mjs');
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Settings

function intSetting(name, fallback, min, max) {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    process.exit(2);
  }
  return value;
}

const config = {
  durationSeconds: intSetting('BENCH_DURATION', 10, 1, 600),
  warmupSeconds: intSetting('BENCH_WARMUP', 3, 0, 120),
  connections: intSetting('BENCH_CONNECTIONS', 64, 1, 1024),
  // Scenarios 1-4 again at this many connections, for their latency below saturation; 0 skips.
  latencyConnections: intSetting('BENCH_LATENCY_CONNECTIONS', 8, 0, 1024),
  poolSize: intSetting('DB_POOL_SIZE', 10, 1, 200),
  startRuns: intSetting('BENCH_START_RUNS', 3, 1, 20),
  scale: process.env.BENCH_SCALE?.trim() !== '0',
  login: process.env.BENCH_LOGIN?.trim() !== '0',
  profiled: process.env.BENCH_PROFILE?.trim() === '1',
  keepDatabase: process.env.BENCH_KEEP_DB?.trim() === '1',
  // A 1 s window, as the runs before the fixed-window counter store used (the old store's cost
  // grew with the window); the counter's cost does not depend on it. BENCH_THROTTLE_TTL=60s to check.
  throttleTtl: process.env.BENCH_THROTTLE_TTL?.trim() || '1s',
  // On a shared machine: wait up to this many seconds before each run for other work to calm down.
  waitQuietSeconds: intSetting('BENCH_WAIT_QUIET', 0, 0, 3600),
  serviceNodeArgs: process.env.BENCH_SERVICE_NODE_ARGS?.trim() || undefined,
  startNodeArgs: startScriptNodeArgs().join(' '),
  // Only these scenarios (comma-separated names, e.g. `appointment_create,doctors_list`), for a quick look at a few.
  only: process.env.BENCH_ONLY?.trim() ? new Set(process.env.BENCH_ONLY.split(',').map((name) => name.trim())) : null,
};
const RESULTS_DIR = resolve(process.env.BENCH_RESULTS_DIR ?? join(BENCH_DIR, 'results'));
const OUTPUT_NAME = config.profiled ? 'profiled' : 'latest';
const PROFILES_DIR = join(RESULTS_DIR, 'profiles');

const PASSWORD = 'correct-horse-battery-42';
const JWT_ACCESS_SECRET = `bench-access-${randomBytes(24).toString('hex')}`;
const JWT_REFRESH_SECRET = `bench-refresh-${randomBytes(24).toString('hex')}`;
const MFA_ENCRYPTION_KEY = `bench-mfa-${randomBytes(24).toString('hex')}`;
/** The service's config accepts at most 1,000,000 per window for both limits. */
const THROTTLE_MAX = '1000000';
const MAX_UPCOMING = '10000';
/**
 * Each booking run starts its minutes BOOKING_STRIDE_MINUTES after the one before, so runs never
 * book the same doctor at the same minute; the horizon is lifted for both servers so that every
 * run's bookings (a few tens of thousands of minutes each) stay within it.
 */
const BOOKING_STRIDE_MINUTES = 200_000;
const BOOKING_HORIZON_DAYS = '3650';

const log = (message) => console.log(`[bench] ${message}`);

/** What each scenario is and how it is judged; `kind` picks the target it is held to. */
const SCENARIOS = {
  doctors_list: { title: '1. GET /api/doctors/?page_size=20', kind: 'read' },
  patients_search: { title: '2. GET /api/patients/?page_size=20&search=…', kind: 'read' },
  patient_get: { title: '3. GET /api/patients/:id/ (random own id)', kind: 'read' },
  appointment_create: { title: '4. POST /api/appointments/ (free slots)', kind: 'write' },
  login: { title: '5. POST /api/auth/login/ (argon2id, service only)', kind: 'auth' },
  staff_list: { title: "6. GET /api/patients/?page_size=20 as a clinic's staff member", kind: 'read' },
  staff_search: { title: "7. GET /api/patients/?page_size=20&search=… as a clinic's staff member", kind: 'read' },
  clinic_search: { title: '8. GET /api/patients/?clinic=…&page_size=20&search=… (staff)', kind: 'read' },
  doctor_create: { title: '9. POST /api/doctors/ (a new doctor each)', kind: 'write' },
};
/** The scenarios driven as the clinic's staff member; the others as the owner. */
const STAFF_SCENARIOS = new Set(['staff_list', 'staff_search', 'clinic_search']);
for (const name of config.only ?? []) {
  if (!(name in SCENARIOS)) {
    console.error(`BENCH_ONLY: no scenario "${name}" (${Object.keys(SCENARIOS).join(', ')})`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started here is stopped, on success, on error and on SIGINT/SIGTERM.

const cleanups = [];
/** Where the service's mails go during the run (production requires SMTP_URL). */
let smtpSink;
let cleaning;
function cleanup() {
  cleaning ??= (async () => {
    await stopAll().catch((error) => console.error('[bench] stopping children:', error));
    for (const task of cleanups.reverse()) {
      try {
        await task();
      } catch (error) {
        console.error('[bench] cleanup:', error?.message ?? error);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (cleaning) {
      killAllNow();
      process.exit(130);
    }
    console.error(`\n[bench] ${signal}: stopping everything this run started…`);
    void cleanup().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

// ---------------------------------------------------------------------------------------------
// Servers

/** Processes of this benchmark (this one, its servers and load generators), for CPU accounting. */
const ourPids = new Set([process.pid]);

/** The servers' working directory (no .env, no .data), made once the run really starts. */
let workDir;

function profileArgs() {
  return config.profiled ? ['-r', join(BENCH_DIR, 'tools/cpu-profile.cjs')] : [];
}

/**
 * The node flags `npm start` gives the service (the thread-pool preload, the heap limit), so it is
 * measured as it runs.
 */
function startScriptNodeArgs() {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const words = scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/main.js') throw new Error(`unexpected start script: ${scripts.start}`);
  return words.slice(1, -1);
}

/** A path in node flags is relative to the checkout, but the service runs in an empty folder. */
const fromRoot = (arg) => (arg.startsWith('./') ? resolve(ROOT, arg) : arg);

/**
 * The service's node arguments: those of `npm start`, then any extra ones for what-if
 * experiments (e.g. `BENCH_SERVICE_NODE_ARGS=--max-old-space-size=256`; a later flag wins).
 */
const SERVICE_NODE_ARGS = [
  ...config.startNodeArgs.split(' ').filter(Boolean).map(fromRoot),
  ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean).map(fromRoot),
];

/**
 * Starts the built service as `node dist/src/main.js`, in an empty working directory so that no
 * `.env` and no `./.data` of the checkout are involved; resolves once /health/ready answers 200.
 */
async function startService(databaseUrl, port) {
  const startedAt = performance.now();
  const proc = startNode('service', SERVICE_MAIN, {
    cwd: workDir,
    nodeArgs: [...profileArgs(), ...SERVICE_NODE_ARGS],
    env: {
      NODE_ENV: 'production',
      SMTP_URL: smtpSink.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATA_DIR: join(workDir, 'data'),
      DB_POOL_SIZE: String(config.poolSize),
      JWT_ACCESS_SECRET,
      JWT_REFRESH_SECRET,
      MFA_ENCRYPTION_KEY,
      JWT_ACCESS_TTL: '2h',
      LOG_LEVEL: 'warn',
      THROTTLE_TTL: config.throttleTtl,
      THROTTLE_LIMIT: THROTTLE_MAX,
      THROTTLE_AUTH_LIMIT: THROTTLE_MAX,
      // The booking scenario books each patient again every 10,000 requests: over a whole run
      // more than the default cap of 10 upcoming appointments (the baseline counts the same), and
      // further ahead than the default horizon of 365 days.
      MAX_UPCOMING_APPOINTMENTS_PER_PATIENT: MAX_UPCOMING,
      BOOKING_HORIZON_DAYS,
      // A what-if: `off` measures a booking without its reminders (the default plans one per booking).
      ...(process.env.BENCH_REMINDER_LEAD ? { REMINDER_LEAD: process.env.BENCH_REMINDER_LEAD } : {}),
      ...(config.profiled ? { CPU_PROFILE_DIR: PROFILES_DIR } : {}),
      // With BENCH_SERVICE_NODE_ARGS='-r ./bench/tools/sql-trace.cjs': where the statements go.
      ...(process.env.SQL_TRACE_FILE ? { SQL_TRACE_FILE: resolve(process.env.SQL_TRACE_FILE) } : {}),
    },
  });
  ourPids.add(proc.pid);
  const readyMs = await waitReady(proc, port, { startedAt, timeoutMs: 180_000 });
  return { proc, port, readyMs };
}

async function startBaseline(databaseUrl, port) {
  const startedAt = performance.now();
  const proc = startNode('baseline', BASELINE_MAIN, {
    cwd: workDir,
    nodeArgs: profileArgs(),
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      DB_POOL_SIZE: String(config.poolSize),
      JWT_ACCESS_SECRET,
      MAX_UPCOMING_APPOINTMENTS_PER_PATIENT: MAX_UPCOMING,
      BOOKING_HORIZON_DAYS,
      // The same rate limit as the service's, counted the same way (and as far out of reach).
      THROTTLE_TTL: config.throttleTtl,
      THROTTLE_LIMIT: THROTTLE_MAX,
      // For the service's weekly-schedule rule, which the baseline borrows rather than writes twice.
      SERVICE_DIST: DIST,
      // The same reminders as the service plans.
      ...(process.env.BENCH_REMINDER_LEAD ? { REMINDER_LEAD: process.env.BENCH_REMINDER_LEAD } : {}),
      ...(config.profiled ? { CPU_PROFILE_DIR: PROFILES_DIR } : {}),
    },
  });
  ourPids.add(proc.pid);
  const readyMs = await waitReady(proc, port, { startedAt });
  return { proc, port, readyMs };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Load

let loadInvocations = 0;

/** Toggles the CPU profiler of a server started with the profiling preload, naming the profile. */
async function toggleProfile(server, name) {
  const before = new Set(readdirSync(PROFILES_DIR));
  server.proc.child.kill('SIGWINCH');
  if (!name) return;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const file = readdirSync(PROFILES_DIR).find((entry) => !before.has(entry) && entry.endsWith('.cpuprofile'));
    if (file) {
      const target = join(PROFILES_DIR, `${name}.cpuprofile`);
      renameSync(join(PROFILES_DIR, file), target);
      return target;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no CPU profile appeared for ${name}`);
}

/** Backends of other databases on the same PostgreSQL server: other people's work. */
async function foreignBackendPids(admin) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname IS NOT NULL AND datname <> current_database()');
  return rows.map((row) => row.pid);
}

/** Share of the machine's CPU that processes outside the benchmark used between two snapshots. */
async function foreignCpuPercent(admin, before, ours) {
  const after = processTable();
  const backends = new Set([...before.backends, ...(await foreignBackendPids(admin))]);
  const seconds = foreignCpuSeconds(before.table, after, ours, backends);
  return (100 * seconds) / (((performance.now() - before.at) / 1000) * os.cpus().length);
}

/** CPU seconds used so far by a server and by the PostgreSQL backends of the benchmark's database. */
async function workCpu(admin, server) {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return { server: cpuSecondsOf(server.proc.pid), backends: new Map(rows.map((row) => [row.pid, cpuSecondsOf(row.pid)])) };
}

/** Milliseconds of CPU per request between two workCpu snapshots. */
function cpuPerRequest(before, after, requests) {
  let database = 0;
  for (const [pid, seconds] of after.backends) database += seconds - (before.backends.get(pid) ?? 0);
  const per = (seconds) => (requests > 0 ? (1000 * seconds) / requests : NaN);
  return { serverMs: per(after.server - before.server), databaseMs: per(database) };
}

async function cpuSnapshot(admin) {
  return { at: performance.now(), table: processTable(), backends: await foreignBackendPids(admin) };
}

/**
 * Runs one scenario against one server from a forked autocannon process: warm-up, then the
 * measured run; samples the server's RSS and the machine's CPU meanwhile.
 */
/** Waits (at most `config.waitQuietSeconds`) until other processes use under 10% of the CPU. */
async function waitQuiet(admin) {
  const started = performance.now();
  let announced = false;
  while ((performance.now() - started) / 1000 < config.waitQuietSeconds) {
    const probe = await cpuSnapshot(admin);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await foreignCpuPercent(admin, probe, ourPids);
    if (busy < 10) break;
    if (!announced) log(`  waiting for other work to calm down (${busy.toFixed(0)}% CPU)…`);
    announced = true;
  }
  return (performance.now() - started) / 1000;
}

async function drive(admin, server, sampler, scenarioName, scenario, token, { scale, target, connections }) {
  const waitedSeconds = config.waitQuietSeconds > 0 ? await waitQuiet(admin) : 0;
  const cpuBefore = await cpuSnapshot(admin);
  const worker = fork(join(BENCH_DIR, 'lib/load-worker.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  cleanups.push(() => (worker.exitCode === null && worker.signalCode === null ? worker.kill('SIGKILL') : undefined));
  sampler.reset();
  const invocation = loadInvocations++;
  let profile;
  let measuringCpu;
  try {
    const outcome = await new Promise((resolve, reject) => {
      worker.on('message', (message) => {
        if (message.phase === 'measuring') {
          measuringCpu = workCpu(admin, server);
          if (config.profiled) toggleProfile(server).catch(reject);
          return;
        }
        resolve(message);
      });
      worker.once('exit', (code) => reject(new Error(`load generator exited with code ${code} before reporting`)));
      worker.send({
        port: server.port,
        token,
        connections,
        warmupSeconds: config.warmupSeconds,
        durationSeconds: config.durationSeconds,
        scenario: { ...scenario, firstIndex: invocation * BOOKING_STRIDE_MINUTES },
      });
    });
    const cpuAfter = await workCpu(admin, server);
    if (config.profiled) profile = await toggleProfile(server, `${target}-${scenarioName}-${scale}`);
    if (!outcome.ok) throw new Error(`load generator failed: ${outcome.error}`);
    const cpuMsPerRequest = cpuPerRequest(await measuringCpu, cpuAfter, outcome.result.requests);
    const otherCpuPct = await foreignCpuPercent(admin, cpuBefore, new Set([...ourPids, worker.pid]));
    return {
      scenario: scenarioName,
      target,
      scale,
      connections,
      ...outcome.result,
      cpuMsPerRequest,
      peakRssMb: sampler.peak(),
      otherCpuPct,
      waitedSeconds,
      profile,
    };
  } finally {
    await exited;
  }
}

function describeRun(run) {
  const bad = run.errors + run.timeouts + run.non2xx;
  return (
    `${run.target.padEnd(8)} ${run.scenario.padEnd(18)} ${run.scale.padEnd(3)} ${`×${run.connections}`.padStart(5)} ${run.rps.toFixed(0).padStart(6)} rps  ` +
    `p50 ${run.latencyMs.p50} ms  p99 ${run.latencyMs.p99} ms  CPU/req ${run.cpuMsPerRequest.serverMs.toFixed(2)} ms ` +
    `(+ db ${run.cpuMsPerRequest.databaseMs.toFixed(2)})  peak RSS ${run.peakRssMb.toFixed(0)} MB  other CPU ${run.otherCpuPct.toFixed(0)}%` +
    (bad ? `  errors ${run.errors} timeouts ${run.timeouts} non-2xx ${run.non2xx} ${JSON.stringify(run.statusCodes)}` : '')
  );
}

// ---------------------------------------------------------------------------------------------
// Seed

async function api(port, method, path, { token, body, expect = [200, 201] } = {}) {
  const res = await request(port, method, path, { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res;
}

async function inBatches(items, size, task) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(task));
}

/**
 * Deletes the doctors that the doctor-create runs and the parity check added (no appointment
 * refers to them), and vacuums the table, so the directory is the seed's 200 again.
 */
async function removeLoadDoctors(admin) {
  await admin.query(`DELETE FROM doctors WHERE license_number LIKE 'LOAD-%' OR license_number LIKE 'PARITY-%'`);
  await admin.query('VACUUM (ANALYZE) doctors');
}

async function seed(service, databaseUrl) {
  const started = performance.now();
  const register = (username, role) =>
    api(service.port, 'POST', '/api/auth/register/', {
      body: { username, email: `${username}@clinic.example`, password: PASSWORD, ...(role ? { role } : {}) },
    }).then((res) => res.body);
  const owner = await register('bench_owner');
  const doctorAccount = await register('bench_doctor', 'doctor');
  // The clinic's manager (who made its patients) and its staff member (who has none of its own).
  const manager = await register('bench_manager');
  const staff = await register('bench_staff');

  // 200 doctors through the API: the doctor account's own (linked) profile, 199 by the owner.
  const first = ['Alice', 'Bruno', 'Chioma', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kaito', 'Lena'];
  const last = ['Adeyemi', 'Berg', 'Costa', 'Dietrich', 'Eriksen', 'Fischer', 'Gupta', 'Haas', 'Ito', 'Jensen', 'Khan', 'Lopez', 'Moreau'];
  const doctorBody = (i) => ({
    name: `Dr. ${first[i % first.length]} ${last[(i * 7) % last.length]}`,
    specialization: SPECIALIZATIONS[i % SPECIALIZATIONS.length],
    email: `doctor${i}@clinic.example`,
    phone: `+1-555-${String(1000 + i).padStart(4, '0')}`,
    license_number: `LIC-${String(100000 + i)}`,
    experience_years: 1 + (i % 35),
    consultation_fee: `${80 + (i % 12) * 10}.00`,
    address: `${10 + i} Hospital Road, Springfield`,
    availability: 'Mon-Fri 09:00-17:00',
  });
  await api(service.port, 'POST', '/api/doctors/', { token: doctorAccount.tokens.access, body: doctorBody(0) });
  const indexes = Array.from({ length: 199 }, (_, i) => i + 1);
  await inBatches(indexes, 8, (i) => api(service.port, 'POST', '/api/doctors/', { token: owner.tokens.access, body: doctorBody(i) }));

  const client = await connect(databaseUrl);
  try {
    const { searchMatches } = await seedOwnerPatients(client, owner.user.id);
    const clinic = await seedClinic(client, { managerId: manager.user.id, staffId: staff.user.id });
    await client.query('ANALYZE users, doctors');
    const patientIds = (await client.query('SELECT id FROM patients WHERE created_by_id = $1 ORDER BY id', [owner.user.id])).rows.map(
      (r) => r.id,
    );
    const doctorIds = (await client.query('SELECT id FROM doctors WHERE deleted_at IS NULL ORDER BY id')).rows.map((r) => r.id);
    const seconds = (performance.now() - started) / 1000;
    log(
      `seeded 4 accounts, ${doctorIds.length} doctors, ${patientIds.length} patients (search "${SEARCH_TERM}" matches ${searchMatches}), ` +
        `a clinic of ${CLINIC_PATIENTS} patients (search "${CLINIC_SEARCH_TERM}" matches ${clinic.searchMatches}) in ${seconds.toFixed(1)} s`,
    );
    return { owner, doctorAccount, staff, clinic, patientIds, doctorIds, searchMatches, seconds };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Parity: the baseline must answer the same JSON, or the comparison means nothing.

function firstDifference(a, b, path = '$') {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  if (a && typeof a === 'object') {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    if (keysA.join() !== keysB.join()) return `${path}: keys ${keysA.join(',')} vs ${keysB.join(',')}`;
    for (const key of keysA) {
      const difference = firstDifference(a[key], b[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Headers that differ between any two responses (the request's id and the time) or belong to the connection. */
const UNCOMPARED_HEADERS = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'transfer-encoding']);

function headerDifference(s, b, normalize = (name, value) => value) {
  const names = (res) =>
    Object.keys(res.headers)
      .filter((name) => !UNCOMPARED_HEADERS.has(name))
      .sort();
  const [ns, nb] = [names(s), names(b)];
  if (ns.join() !== nb.join()) return `header names ${ns.join(',')} vs ${nb.join(',')}`;
  for (const name of ns) {
    const [vs, vb] = [normalize(name, s.headers[name], s), normalize(name, b.headers[name], b)];
    if (vs !== vb) return `header ${name}: ${vs} vs ${vb}`;
  }
  return undefined;
}

/** What the rate limit has left and when its window ends differ from one answer to the next; the limit does not. */
const ignoreRateLimitState = (name, value) => (name === 'x-ratelimit-remaining' || name === 'x-ratelimit-reset' ? '' : value);

/** The audit entries written for each request id, in order, without what must differ (ids, times, request ids). */
async function auditOf(admin, requestIds) {
  const { rows } = await admin.query(
    `SELECT request_id, actor_id, action, entity, entity_id, changed_fields, host(client_ip) AS client_ip, outcome, clinic_id
     FROM audit_events WHERE request_id = ANY ($1) ORDER BY id`,
    [requestIds],
  );
  return requestIds.map((id) => rows.filter((row) => row.request_id === id).map(({ request_id: _, ...row }) => row));
}

/**
 * Before any load: each GET scenario asked of both servers must answer the same bytes with the same
 * headers (X-Total-Count, Link, ETag and the security headers included); each POST the same body but
 * for the fields that must differ, the same headers (Location and ETag of their own record); and
 * every request the same audit entries, a booking the same event row. Otherwise the comparison
 * means nothing. Requests carry an X-Request-Id of their own, which both servers keep.
 */
async function checkParity(admin, service, baseline, token, gets, posts) {
  const results = [];
  const servers = [service, baseline];
  const say = (scenario, detail) => results.push({ scenario, same: !detail, detail });
  const audited = [];
  for (const [scenario, given] of Object.entries(gets)) {
    // A path alone is asked as the owner; { path, token } as another caller.
    const { path, token: as = token } = typeof given === 'string' ? { path: given } : given;
    const ids = servers.map((_, i) => `parity-${scenario}-${i ? 'baseline' : 'service'}-${randomBytes(4).toString('hex')}`);
    const [s, b] = await Promise.all(
      servers.map((server, i) => request(server.port, 'GET', path, { headers: { authorization: `Bearer ${as}`, 'x-request-id': ids[i] } })),
    );
    if (s.status !== 200 || b.status !== 200) {
      say(scenario, `status ${s.status} vs ${b.status}: ${String(b.text).slice(0, 300)}`);
      continue;
    }
    if (s.body?.length === 0 || b.body?.length === 0)
      console.warn(`[bench] WARNING: ${scenario} (${path}) answered an empty list: nothing to compare`);
    let detail = s.text === b.text ? undefined : (firstDifference(s.body, b.body) ?? 'the same JSON in other bytes');
    detail ??= headerDifference(s, b, ignoreRateLimitState);
    say(scenario, detail);
    audited.push({ scenario, ids });
  }
  for (const [scenario, { path, body, varying, location }] of Object.entries(posts)) {
    const ids = servers.map((_, i) => `parity-${scenario}-${i ? 'baseline' : 'service'}-${randomBytes(4).toString('hex')}`);
    const [s, b] = await Promise.all(
      servers.map((server, i) =>
        request(server.port, 'POST', path, { body: body(i), headers: { authorization: `Bearer ${token}`, 'x-request-id': ids[i] } }),
      ),
    );
    if (s.status !== 201 || b.status !== 201) {
      say(scenario, `status ${s.status} vs ${b.status}: ${String(b.text).slice(0, 300)}`);
      continue;
    }
    const strip = (res) => {
      const rest = { ...res.body, types: varying.map((key) => typeof res.body[key]) };
      for (const key of varying) delete rest[key];
      return rest;
    };
    const own = (name, value, res) =>
      name === 'location' ? value.replace(String(res.body.id), '{id}') : name === 'content-length' ? '' : ignoreRateLimitState(name, value);
    let detail = firstDifference(strip(s), strip(b)) ?? headerDifference(s, b, own);
    if (!detail && s.headers.location !== location.replace('{id}', s.body.id)) detail = `location ${s.headers.location}`;
    if (!detail && s.headers.etag !== `"${s.body.version}"`) detail = `etag ${s.headers.etag}`;
    say(scenario, detail);
    audited.push({ scenario, ids, records: [s.body.id, b.body.id] });
    if (scenario === 'appointment_create') {
      const { rows } = await admin.query(
        `SELECT (data->>'appointment')::int AS appointment, type, clinic_id, data FROM events WHERE (data->>'appointment')::int = ANY ($1)`,
        [[s.body.id, b.body.id]],
      );
      const eventOf = (res, i) => {
        const row = rows.find((r) => r.appointment === res.body.id);
        if (!row) return `no event row for the ${i ? 'baseline' : 'service'}'s booking`;
        return { type: row.type, clinic_id: row.clinic_id, data: { ...row.data, appointment: 'id', doctor: 'id', patient: 'id' } };
      };
      say('appointment_create: event row', firstDifference(eventOf(s, 0), eventOf(b, 1)));
    }
  }
  // The reads' entries are written in batches, 50 ms after the request at the latest.
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const { scenario, ids, records } of audited) {
    const [s, b] = await auditOf(admin, ids);
    const ownId = (rows, i) =>
      records ? rows.map((row) => ({ ...row, entity_id: row.entity_id === records[i] ? 'its record' : row.entity_id })) : rows;
    const detail = firstDifference(ownId(s, 0), ownId(b, 1));
    say(`${scenario}: audit entries`, detail);
  }
  for (const item of results)
    if (!item.same) console.warn(`[bench] WARNING: the baseline differs from the service for ${item.scenario}: ${item.detail}`);
  return results;
}

// ---------------------------------------------------------------------------------------------

function machineInfo(postgresVersion, databaseDescription) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGb: os.totalmem() / 1024 ** 3,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: postgresVersion,
    database: databaseDescription,
    commit: git('rev-parse', '--short', 'HEAD') ?? 'unknown',
    dirty: Boolean(git('status', '--porcelain', '--untracked-files=no')),
    autocannon: require('autocannon/package.json').version,
    serviceBuild: DIST === join(ROOT, 'dist') ? 'dist/' : DIST,
  };
}

/** Formats with the project's Prettier when it is installed, so the committed results pass `prettier --check`. */
async function prettierFormat(text, parser) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(join(RESULTS_DIR, 'latest.md'))) ?? {};
    return await prettier.format(text, { ...options, parser });
  } catch {
    return text;
  }
}

async function main() {
  if (!existsSync(SERVICE_MAIN)) {
    console.error(`[bench] ${SERVICE_MAIN} does not exist: run \`npm run build\` first (the benchmark measures the built service).`);
    process.exit(1);
  }
  try {
    require.resolve('autocannon');
  } catch {
    console.error('[bench] autocannon is not installed: it is a devDependency, run `npm install`.');
    process.exit(1);
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (config.profiled) mkdirSync(PROFILES_DIR, { recursive: true });
  workDir = mkdtempSync(join(os.tmpdir(), 'hc-bench-run-'));
  cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
  smtpSink = await startSmtpSink();
  cleanups.push(() => smtpSink.close());
  const runStarted = performance.now();
  log(
    `${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.durationSeconds} s per run, pool ${config.poolSize}, ` +
      `throttle window ${config.throttleTtl}, scale step ${config.scale ? 'on' : 'off'}${config.profiled ? ', CPU profiling on' : ''}`,
  );

  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL?.trim() || undefined, distDir: DIST, log });
  let ownerId;
  cleanups.push(() =>
    config.keepDatabase && process.env.DATABASE_URL ? log(`kept database ${database.url} (owner user id ${ownerId})`) : database.close(),
  );
  const admin = await connect(database.url);
  cleanups.push(() => admin.end());
  // Other work on the machine distorts every figure: say so up front (and per run, below).
  const probe = await cpuSnapshot(admin);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const busyBeforeStart = await foreignCpuPercent(admin, probe, ourPids);
  if (busyBeforeStart > 10) {
    log(
      `WARNING: other processes use ${busyBeforeStart.toFixed(0)}% of the machine's CPU: the figures will be distorted (see "other CPU").`,
    );
  }
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version;

  // Start-up: once to migrate, then timed starts on the migrated database; the last one stays up.
  const servicePort = await freePort();
  const first = await startService(database.url, servicePort);
  log(`first start (applies migrations): ready in ${first.readyMs.toFixed(0)} ms`);
  await stopProcess(first.proc);
  const startRuns = [];
  let service;
  for (let i = 0; i < config.startRuns; i++) {
    if (config.waitQuietSeconds > 0) await waitQuiet(admin);
    service = await startService(database.url, servicePort);
    startRuns.push(service.readyMs);
    if (i < config.startRuns - 1) await stopProcess(service.proc);
  }
  const start = {
    firstStartMs: first.readyMs,
    runsMs: startRuns,
    medianMs: median(startRuns),
    idleRssMb: memoryOf(service.proc.pid).rssMb,
  };
  log(`start to ready on a migrated database: ${startRuns.map((v) => v.toFixed(0)).join(', ')} ms (median ${start.medianMs.toFixed(0)})`);
  const serviceSampler = new RssSampler(service.proc.pid);
  cleanups.push(() => serviceSampler.stop());

  const data = await seed(service, database.url);
  const token = data.owner.tokens.access;
  ownerId = data.owner.user.id;
  const baseline = await startBaseline(database.url, await freePort());
  const baselineSampler = new RssSampler(baseline.proc.pid);
  cleanups.push(() => baselineSampler.stop());
  log(`baseline ready in ${baseline.readyMs.toFixed(0)} ms`);

  const searchPath = `/api/patients/?page_size=20&search=${SEARCH_TERM}`;
  const staffToken = data.staff.tokens.access;
  const clinicId = data.clinic.clinicId;
  const clinicTerm = encodeURIComponent(CLINIC_SEARCH_TERM);
  const staffPaths = {
    staff_list: '/api/patients/?page_size=20',
    staff_search: `/api/patients/?page_size=20&search=${clinicTerm}`,
    clinic_search: `/api/patients/?clinic=${clinicId}&page_size=20&search=${clinicTerm}`,
  };
  const appointmentBase = Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000;
  const doctorBody = (name) => (i) => ({
    name: `Dr. Parity ${name}${i}`,
    specialization: SPECIALIZATIONS[i],
    email: `parity-${name}${i}@doctors.example`,
    phone: '+1-555-0100',
    license_number: `PARITY-${name}${i}`,
    experience_years: 7,
    consultation_fee: '95.50',
    address: '1 Parity Street, Springfield',
    availability: 'Mon-Fri 09:00-17:00',
  });
  const parity = await checkParity(
    admin,
    service,
    baseline,
    token,
    {
      doctors_list: '/api/doctors/?page_size=20',
      patients_search: searchPath,
      patient_get: `/api/patients/${data.patientIds[1234]}/`,
      ...Object.fromEntries(Object.entries(staffPaths).map(([scenario, path]) => [scenario, { path, token: staffToken }])),
      clinic_list: { path: `/api/patients/?clinic=${clinicId}&page_size=20`, token: staffToken },
    },
    {
      appointment_create: {
        path: '/api/appointments/',
        body: (i) => ({
          doctor: data.doctorIds[i],
          patient: data.patientIds[i],
          appointment_datetime: new Date(appointmentBase - (i + 1) * 3_600_000).toISOString(),
          duration_minutes: 5,
          reason: 'Parity check',
        }),
        varying: [
          'id',
          'appointment_datetime',
          'ends_at',
          'created_at',
          'updated_at',
          'doctor',
          'doctor_details',
          'patient',
          'patient_details',
        ],
        location: '/api/appointments/{id}/',
      },
      doctor_create: {
        path: '/api/doctors/',
        body: doctorBody(''),
        varying: ['id', 'name', 'first_name', 'last_name', 'email', 'license_number', 'specialization', 'created_at', 'updated_at'],
        location: '/api/doctors/{id}/',
      },
    },
  );
  // The parity check's doctors leave the directory again, so that the doctor list counts the 200 of the seed.
  await removeLoadDoctors(admin);

  const explained = { ownerId: data.owner.user.id, patientId: data.patientIds[1234], staffId: data.staff.user.id, clinicId };
  const explain = { '10k': await explainScenarios(admin, explained) };

  const loads = {
    doctors_list: { kind: 'get', path: '/api/doctors/?page_size=20' },
    patients_search: { kind: 'get', path: searchPath },
    patient_get: { kind: 'get-random-id', pathPrefix: '/api/patients/', ids: data.patientIds },
    appointment_create: {
      kind: 'post-appointment',
      path: '/api/appointments/',
      doctorIds: data.doctorIds,
      patientIds: data.patientIds,
      baseMs: appointmentBase,
    },
    // argon2id makes a login take a few hundred ms of CPU: at 64 connections the queue alone is
    // seconds long, so the timeout is longer than autocannon's 10 s default.
    login: {
      kind: 'post-json',
      path: '/api/auth/login/',
      body: { username: 'bench_owner', password: PASSWORD },
      warmupConnections: 2,
      timeoutSeconds: 60,
    },
    ...Object.fromEntries(Object.entries(staffPaths).map(([scenario, path]) => [scenario, { kind: 'get', path }])),
    doctor_create: { kind: 'post-doctor', path: '/api/doctors/', specializations: SPECIALIZATIONS },
  };
  const servers = { service: [service, serviceSampler], baseline: [baseline, baselineSampler] };
  const runs = [];
  const measure = async (scenario, target, scale, { withToken = true, connections = config.connections } = {}) => {
    const [server, sampler] = servers[target];
    const as = STAFF_SCENARIOS.has(scenario) ? staffToken : token;
    const run = await drive(admin, server, sampler, scenario, loads[scenario], withToken ? as : undefined, {
      scale,
      target,
      connections,
    });
    runs.push(run);
    log(describeRun(run));
    // The doctors a run added leave again: every run of the doctor list counts the same directory.
    if (scenario === 'doctor_create') await removeLoadDoctors(admin);
  };

  // Scenario by scenario, service then baseline, so both see the same database state.
  const againstBaseline = [
    'doctors_list',
    'patients_search',
    'patient_get',
    'appointment_create',
    ...STAFF_SCENARIOS,
    'doctor_create',
  ].filter((scenario) => !config.only || config.only.has(scenario));
  for (const scenario of againstBaseline) {
    await measure(scenario, 'service', '10k');
    await measure(scenario, 'baseline', '10k');
  }
  if (config.login && (!config.only || config.only.has('login'))) await measure('login', 'service', '10k', { withToken: false });
  // At 64 busy connections a request's latency is mostly its wait in the queue (64 ÷ throughput);
  // fewer connections show what a request itself takes when the server is not saturated.
  if (config.latencyConnections > 0 && config.latencyConnections !== config.connections) {
    for (const scenario of againstBaseline) {
      await measure(scenario, 'service', '10k', { connections: config.latencyConnections });
      await measure(scenario, 'baseline', '10k', { connections: config.latencyConnections });
    }
  }

  let scale;
  if (config.scale) {
    log('scale step: loading 980,000 more patients of other owners, in 999 other clinics…');
    const loaded = await loadScale(admin, log);
    explain['1M'] = await explainScenarios(admin, explained);
    const scaled = ['patients_search', 'patient_get', ...STAFF_SCENARIOS];
    for (const scenario of scaled) {
      await measure(scenario, 'service', '1M');
      await measure(scenario, 'baseline', '1M');
    }
    const p50Ratios = [];
    for (const target of ['service', 'baseline']) {
      for (const scenario of scaled) {
        const small = findRun(runs, scenario, target, '10k', config.connections);
        const large = findRun(runs, scenario, target, '1M', config.connections);
        p50Ratios.push({
          target,
          scenario,
          p50At10kMs: small.latencyMs.p50,
          p50At1MMs: large.latencyMs.p50,
          ratio: large.latencyMs.p50 / small.latencyMs.p50,
        });
      }
    }
    scale = { patients: loaded.patients, loadTimingsMs: loaded.timingsMs, p50Ratios };
  }
  // A statement that reads the whole patients table at 1M rows is a failure of the run, whatever its timings.
  const seqScans = Object.entries(explain['1M'] ?? {})
    .filter(([, plan]) => plan.seqScanOnPatients)
    .map(([name]) => name);
  for (const name of seqScans)
    log(`FAILED: the plan of ${name} at 1M reads the patients table sequentially (see the EXPLAIN in the results)`);

  const results = {
    meta: {
      ...machineInfo(postgresVersion, database.describe.startsWith('embedded') ? 'embedded' : 'external'),
      otherCpuPctBeforeStart: busyBeforeStart,
    },
    config,
    scenarios: SCENARIOS,
    scenarioOrder: Object.keys(SCENARIOS),
    data: {
      ownerId,
      doctors: data.doctorIds.length,
      ownerPatients: OWNER_PATIENTS,
      searchTerm: SEARCH_TERM,
      searchMatches: data.searchMatches,
      staffId: data.staff.user.id,
      clinicId,
      clinicPatients: CLINIC_PATIENTS,
      clinicSearchTerm: CLINIC_SEARCH_TERM,
      clinicSearchMatches: data.clinic.searchMatches,
      seedSeconds: data.seconds,
    },
    start,
    service: { hwmMb: memoryOf(service.proc.pid).hwmMb },
    baseline: { hwmMb: memoryOf(baseline.proc.pid).hwmMb },
    runs: runs.map(({ profile, ...run }) => ({ ...run, ...(profile ? { profile: profile.replace(`${ROOT}/`, '') } : {}) })),
    scale,
    explain,
    seqScansAt1M: seqScans,
    parity,
    totalSeconds: (performance.now() - runStarted) / 1000,
  };

  const report = markdown(results);
  writeFileSync(join(RESULTS_DIR, `${OUTPUT_NAME}.json`), await prettierFormat(JSON.stringify(results, null, 2), 'json'));
  writeFileSync(join(RESULTS_DIR, `${OUTPUT_NAME}.md`), await prettierFormat(report, 'markdown'));
  if (config.profiled) {
    const summaries = runs
      .filter((run) => run.profile)
      .map((run) => formatSummary(`${run.target} ${run.scenario} ${run.scale}`, summarize(JSON.parse(readFileSync(run.profile, 'utf8')))));
    writeFileSync(
      join(PROFILES_DIR, 'summary.md'),
      await prettierFormat(`# CPU profiles (measured window only)\n\n${summaries.join('\n\n')}\n`, 'markdown'),
    );
    log(`CPU profiles and their summary are in ${PROFILES_DIR}`);
  }
  console.log(`\n${report}`);
  log(`wrote ${join(RESULTS_DIR, `${OUTPUT_NAME}.json`)} and ${OUTPUT_NAME}.md in ${results.totalSeconds.toFixed(0)} s`);
  if (seqScans.length > 0) {
    console.error(`[bench] FAILED: Seq Scan on patients at 1M in ${seqScans.join(', ')}`);
    process.exitCode = 1;
  }
}

try {
  await main();
  await cleanup();
} catch (error) {
  console.error('[bench] failed:', error?.stack ?? error);
  await cleanup();
  process.exit(1);
}
