/**
 * `npm run start:cluster`: the API in several worker processes sharing one port (node:cluster),
 * for a machine with more than one CPU.
 *
 * The primary resolves the database (DATABASE_URL, else the embedded PostgreSQL, which it starts
 * unless already running), applies pending migrations once, then forks CLUSTER_WORKERS workers
 * (default: one per CPU), each the ordinary server (src/main) with DATABASE_URL set and
 * DB_RUN_MIGRATIONS=false. A worker that dies is replaced; SIGTERM or SIGINT stops the workers
 * gracefully (each finishes its requests), then the embedded database, then the primary.
 */
import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import pino from 'pino';
import { ConfigError, loadAppConfig } from '../src/core/config/app-config';
import { runMigrationsExclusively } from '../src/core/database/migrate';
import { resolveDatabase, ResolvedDatabase } from '../src/core/database/resolve-database';

/** A worker dying this soon after its start counts towards a crash loop. */
const EARLY_EXIT_MS = 10_000;
/** Give up (and stop) after this many early exits in a row: the workers cannot start. */
const MAX_EARLY_EXITS = 5;
/** The heap limit (MB) of a worker when the primary was given none; the same as `npm start`'s. */
const WORKER_HEAP_MB = 128;
/** How long workers get to finish their requests on shutdown before they are killed. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Validated (and, in development, the JWT secrets generated) once, before any worker reads them.
  const config = loadAppConfig();
  const logger = pino({ level: config.logLevel, base: { pid: process.pid, context: 'Cluster' } });
  const workers = workerCount(process.env.CLUSTER_WORKERS);
  const log = { log: (message: string) => logger.info(message), warn: (message: string) => logger.warn(message) };

  const database: ResolvedDatabase = await resolveDatabase(config, log);
  try {
    if (config.runMigrations) {
      const applied = await runMigrationsExclusively(database.url, { connectTimeoutMs: config.dbConnectTimeoutMs });
      logger.info(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations');
    }
  } catch (error) {
    await database.embedded?.stop();
    throw error;
  }
  if (!config.redisUrl && workers > 1) {
    logger.warn(
      `REDIS_URL is not set: each of the ${workers} workers keeps its own rate-limit counters, so the limits are ${workers} times higher`,
    );
  }

  // The worker is the ordinary server: compiled next to this script, or the TypeScript source under ts-node.
  const entry = join(__dirname, '..', 'src', `main${extname(__filename)}`);
  cluster.setupPrimary({ exec: entry, execArgv: workerExecArgv(extname(__filename) === '.ts') });
  const workerEnv = { DATABASE_URL: database.url, DB_RUN_MIGRATIONS: 'false' };
  const startedAt = new Map<number, number>();
  const fork = (): Worker => {
    const worker = cluster.fork(workerEnv);
    startedAt.set(worker.id, Date.now());
    return worker;
  };

  let stopping = false;
  let earlyExits = 0;
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) return;
    earlyExits = lived < EARLY_EXIT_MS ? earlyExits + 1 : 0;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (earlyExits >= MAX_EARLY_EXITS) {
      logger.fatal(`Worker ${worker.process.pid} exited (${how}); ${earlyExits} workers died right after starting, giving up`);
      void shutdown(1);
      return;
    }
    logger.error(`Worker ${worker.process.pid} exited (${how}); starting a replacement`);
    // A short pause when workers keep dying at start, so a crash loop does not spin the CPU.
    setTimeout(fork, earlyExits > 0 ? 1000 * earlyExits : 0);
  });
  cluster.on('listening', (worker, address) => logger.info(`Worker ${worker.process.pid} is listening on port ${address.port}`));

  const shutdown = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const running = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined && !worker.isDead());
    logger.info(`Stopping ${running.length} workers`);
    await Promise.all(running.map((worker) => stopWorker(worker)));
    await database.embedded?.stop();
    logger.info('Stopped');
    logger.flush();
    process.exit(exitCode);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn(`${signal} again: killing the workers`);
        for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
        return;
      }
      logger.info(`${signal} received`);
      void shutdown(0);
    });
  }

  logger.info(`Starting ${workers} workers`);
  for (let i = 0; i < workers; i++) fork();
}

/** Asks a worker to stop like an orchestrator would (SIGTERM: Nest closes the app), then insists. */
function stopWorker(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.isDead()) return resolve();
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), SHUTDOWN_TIMEOUT_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.process.kill('SIGTERM');
  });
}

/**
 * The workers' node flags: the primary's own (a `--max-old-space-size` given to it applies to every
 * worker), with the heap limit `npm start` uses when none was given, so a worker never runs without
 * one (see "Memory" in the README).
 */
function workerExecArgv(typescript: boolean): string[] {
  const flags = [...process.execArgv];
  if (!flags.some((flag) => flag.startsWith('--max-old-space-size'))) flags.push(`--max-old-space-size=${WORKER_HEAP_MB}`);
  if (typescript && !flags.includes('ts-node/register')) flags.push('-r', 'ts-node/register');
  return flags;
}

function workerCount(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return availableParallelism();
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    throw new ConfigError([`CLUSTER_WORKERS must be an integer from 1 to 256 (got "${raw}")`]);
  }
  return count;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
