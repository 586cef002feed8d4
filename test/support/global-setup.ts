import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { TestProject } from 'vitest/node';
import { dataSourceOptions } from '../../src/core/database/data-source-options';
import { RunningEmbeddedPostgres, startEmbeddedPostgres } from '../../src/core/database/embedded-postgres';
import { adminConnection, databaseUrl } from './database';
import { freePort } from './ports';

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

/**
 * Once per run: find the PostgreSQL server (DATABASE_URL, else an embedded one) and build a
 * template database with every migration applied. Each test file then clones it, which takes
 * milliseconds, and files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: RunningEmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // A server of its own per run (its own folder and port), so runs side by side never meet.
    dataDir = await mkdtemp(join(tmpdir(), 'hc-test-postgres-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres' });
    serverUrl = embedded.url;
  }

  const templateDatabase = `hc_template_${randomBytes(4).toString('hex')}`;
  const admin = await adminConnection(serverUrl);
  await admin.query(`CREATE DATABASE ${templateDatabase}`);
  const migrator = new DataSource(dataSourceOptions(databaseUrl(serverUrl, templateDatabase), 2));
  await migrator.initialize();
  await migrator.runMigrations({ transaction: 'each' });
  await migrator.destroy();

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${templateDatabase} WITH (FORCE)`);
    await admin.destroy();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
