import type { Socket } from 'node:net';
import { Client, type ClientConfig } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { SERVICE_TYPES } from './type-parsers';

/** Limits that keep a request from waiting on a database that is gone, stuck or saturated. */
export interface DatabaseTimeouts {
  /**
   * Longest wait to open a connection (TCP and authentication). Past it the request fails (503)
   * instead of hanging on a server that does not answer; a stopped server refuses at once.
   */
  connectTimeoutMs?: number;
  /**
   * Longest wait for a free connection when every pooled one is busy: an overload is shed as 503
   * rather than queued without end. Defaults to connectTimeoutMs.
   */
  poolTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout` for every session of the pool, and (2 s later) the client's
   * own limit on waiting for any answer; 0 or absent for neither.
   */
  statementTimeoutMs?: number;
}

/** Beyond the server's statement timeout, how long the client waits for an answer before it gives the connection up. */
const ANSWER_GRACE_MS = 2000;

/**
 * pg's Client with the limits pg-pool cannot set apart. Its own connect timeout: the pool gives
 * its single `connectionTimeoutMillis` to both waiting in its queue and connecting. And a limit
 * on waiting for an answer: the server's statement_timeout cancels a slow statement, but a server
 * that became unreachable (a network partition) never answers, and the request would hang. Past
 * the statement timeout and a grace, the connection is destroyed (never reused: a late answer
 * could otherwise be taken for the next query's), the query fails and the request gets 503.
 */
function clientClass(connectTimeoutMs: number | undefined, statementTimeoutMs: number | undefined): typeof Client {
  return class GuardedClient extends Client {
    constructor(config?: string | ClientConfig) {
      super({ ...(typeof config === 'string' ? { connectionString: config } : config), connectionTimeoutMillis: connectTimeoutMs ?? 0 });
      if (!statementTimeoutMs) return;
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      this.query = ((...args: unknown[]) => {
        const result = query(...args);
        if (!(result instanceof Promise)) return result;
        const timer = setTimeout(() => {
          const error = Object.assign(new Error('The database did not answer in time'), { code: 'ETIMEDOUT' });
          (this as unknown as { connection: { stream: Socket } }).connection.stream.destroy(error);
        }, statementTimeoutMs + ANSWER_GRACE_MS);
        timer.unref();
        return result.finally(() => clearTimeout(timer));
      }) as typeof this.query;
    }
  };
}

/**
 * The one definition of how the service talks to PostgreSQL; the TypeORM CLI uses it too. Without
 * entities: the application loads each feature's own, the others add the list of src/entities.ts.
 */
export function dataSourceOptions(url: string, poolSize = 10, timeouts: DatabaseTimeouts = {}): DataSourceOptions {
  const { connectTimeoutMs, statementTimeoutMs } = timeouts;
  const poolTimeoutMs = timeouts.poolTimeoutMs ?? connectTimeoutMs;
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    extra: {
      max: poolSize,
      // TCP keepalive notices a server that vanished without closing the connection.
      keepAlive: true,
      types: SERVICE_TYPES,
      ...(connectTimeoutMs || statementTimeoutMs ? { Client: clientClass(connectTimeoutMs, statementTimeoutMs) } : {}),
      ...(poolTimeoutMs ? { connectionTimeoutMillis: poolTimeoutMs } : {}),
      ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}),
    },
  };
}
