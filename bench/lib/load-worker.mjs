// The load generator, in its own process (forked by run.mjs) so that it does not share an event
// loop with the orchestrator. It gets one job over IPC, runs a warm-up and then the measured run
// with autocannon, and sends back the figures of the measured run.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/** The request template of a scenario; functions cannot cross IPC, so they are built here. */
function requestsFor(scenario) {
  const { kind } = scenario;
  if (kind === 'get') return [{ method: 'GET', path: scenario.path }];
  if (kind === 'get-random-id') {
    const { ids, pathPrefix } = scenario;
    return [
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `${pathPrefix}${ids[Math.floor(Math.random() * ids.length)]}/` }),
      },
    ];
  }
  if (kind === 'post-appointment') {
    // Request k books doctor k mod D, patient k mod P, at base + k minutes for 5 minutes: every
    // booking has its own start minute, so no two can overlap for a doctor or a patient.
    const { doctorIds, patientIds, baseMs } = scenario;
    let k = scenario.firstIndex;
    return [
      {
        method: 'POST',
        path: scenario.path,
        setupRequest: (req) => {
          const i = k++;
          const body = JSON.stringify({
            doctor: doctorIds[i % doctorIds.length],
            patient: patientIds[i % patientIds.length],
            appointment_datetime: new Date(baseMs + i * 60_000).toISOString(),
            duration_minutes: 5,
            reason: 'Benchmark follow-up visit',
          });
          return { ...req, body };
        },
      },
    ];
  }
  if (kind === 'post-doctor') {
    // Request k adds a doctor with its own email and license number (both unique among doctors).
    const { specializations } = scenario;
    let k = scenario.firstIndex;
    return [
      {
        method: 'POST',
        path: scenario.path,
        setupRequest: (req) => {
          const i = k++;
          const body = JSON.stringify({
            name: `Dr. Load ${i}`,
            specialization: specializations[i % specializations.length],
            email: `load${i}@doctors.example`,
            phone: `+1-555-${String(i % 10000).padStart(4, '0')}`,
            license_number: `LOAD-${i}`,
            experience_years: 1 + (i % 35),
            consultation_fee: `${80 + (i % 12) * 10}.00`,
            address: `${10 + (i % 900)} Hospital Road, Springfield`,
            availability: 'Mon-Fri 09:00-17:00',
          });
          return { ...req, body };
        },
      },
    ];
  }
  if (kind === 'post-json') return [{ method: 'POST', path: scenario.path, body: JSON.stringify(scenario.body) }];
  throw new Error(`unknown scenario kind ${kind}`);
}

function run(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    // Errors are counted in the result; without a listener they would be thrown.
    instance.on('error', () => undefined);
  });
}

async function job({ port, scenario, connections, warmupSeconds, durationSeconds, token }) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const base = { url: `http://127.0.0.1:${port}`, connections, pipelining: 1, headers, timeout: scenario.timeoutSeconds ?? 10 };
  // One request list for both runs: the appointment counter goes on, so warm-up slots stay taken.
  const requests = requestsFor(scenario);
  // Work a server has accepted cannot be called back: a slow operation warmed up at full
  // concurrency would still be running into the measured window, so it warms up on fewer connections.
  const warmupConnections = Math.min(connections, scenario.warmupConnections ?? connections);
  if (warmupSeconds > 0) await run({ ...base, connections: warmupConnections, requests, duration: warmupSeconds });
  // The parent profiles (when asked to) exactly the measured window.
  await new Promise((resolve) => process.send({ phase: 'measuring' }, resolve));
  const result = await run({ ...base, requests, duration: durationSeconds });
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count]));
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    seconds: result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    throughputMBps: result.throughput.average / 1e6,
    /** CPU seconds the load generator used (warm-up included), to tell its load from foreign load. */
    loadGeneratorCpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}

process.on('message', (message) => {
  job(message).then(
    (result) => process.send({ ok: true, result }, () => process.exit(0)),
    (error) => process.send({ ok: false, error: String(error?.stack ?? error) }, () => process.exit(1)),
  );
});
// The parent died: do not linger.
process.on('disconnect', () => process.exit(0));
