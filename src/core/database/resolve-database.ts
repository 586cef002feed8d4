import net from 'node:net';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { embeddedPostgresUrl, RunningEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

const EMBEDDED_DATABASE = 'healthcare';

export interface ResolvedDatabase {
  url: string;
  /** Set when this process started the embedded server: stop it when done. */
  embedded?: RunningEmbeddedPostgres;
}

/**
 * The database of a configuration, for the scripts (cluster, seed): DATABASE_URL when set;
 * otherwise the embedded server, joined when something (`npm start`) already runs it on
 * EMBEDDED_DB_PORT, started otherwise. (Starting a second one on the same folder would stop the
 * running one first.)
 */
export async function resolveDatabase(
  config: AppConfig,
  logger?: { log(message: string): void; warn(message: string): void },
): Promise<ResolvedDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  if (await isListening(config.embeddedDbPort)) {
    logger?.log(`Using the embedded PostgreSQL already running on port ${config.embeddedDbPort}`);
    return { url: embeddedPostgresUrl(config.embeddedDbPort, EMBEDDED_DATABASE) };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: join(config.dataDir, 'postgres'),
    port: config.embeddedDbPort,
    database: EMBEDDED_DATABASE,
    logger,
  });
  return { url: embedded.url, embedded };
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
