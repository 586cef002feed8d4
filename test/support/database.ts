import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { standaloneDataSourceOptions } from '../../src/entities';

/** The same server, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A connection for CREATE/DROP DATABASE, to the server's maintenance database. */
export async function adminConnection(serverUrl: string): Promise<DataSource> {
  const admin = new DataSource({ type: 'postgres', url: databaseUrl(serverUrl, 'postgres'), extra: { max: 1 } });
  return admin.initialize();
}

/** A fresh database cloned from the migrated template; `drop()` removes it. */
export async function cloneTemplate(serverUrl: string, template: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hc_test_${randomBytes(6).toString('hex')}`;
  const admin = await adminConnection(serverUrl);
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.destroy();
  }
  return {
    url: databaseUrl(serverUrl, name),
    drop: async () => {
      const dropper = await adminConnection(serverUrl);
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.destroy();
    },
  };
}

export interface TestDatabase {
  url: string;
  /** A data source with every entity, outside any application. */
  db: DataSource;
  /** Closes the data source and drops the database. */
  close(): Promise<void>;
}

/** A fresh clone of the migrated template, with a data source on it, for suites that need no application. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
  const db = await new DataSource(standaloneDataSourceOptions(database.url, 1)).initialize();
  return {
    url: database.url,
    db,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}
