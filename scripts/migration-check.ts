/**
 * `npm run migration:check`: do the migrations build the schema the entities describe? Migrates a
 * scratch database on the server (DATABASE_URL's, or the embedded one like `npm start`) from
 * nothing, compares it with the entities, prints what an entity change would still need, drops
 * the scratch database, and exits 1 on any difference. The database DATABASE_URL names is only
 * used to connect: its tables and data are never touched, whatever state they are in.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../src/core/config/app-config';
import { standaloneDataSourceOptions } from '../src/entities';
import { resolveDatabase } from '../src/core/database/resolve-database';

/** Same server, another database. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { url, embedded } = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, embedded: undefined }
    : await resolveDatabase(loadAppConfig());
  const scratch = `hc_migration_check_${randomBytes(4).toString('hex')}`;
  try {
    await onServer(url, `CREATE DATABASE ${scratch}`).catch((error: Error) => {
      throw new Error(`Could not create the scratch database ${scratch} (the role needs CREATEDB): ${error.message}`);
    });
    try {
      const db = await new DataSource(standaloneDataSourceOptions(withDatabase(url, scratch), 1)).initialize();
      try {
        const applied = await db.runMigrations({ transaction: 'each' });
        const { upQueries } = await db.driver.createSchemaBuilder().log();
        if (upQueries.length === 0) {
          process.stdout.write(`The ${applied.length} migrations build exactly the schema of the entities.\n`);
          return 0;
        }
        process.stdout.write(
          'The entities and the migrations disagree: after every migration, the entities still need\n' +
            `${upQueries.map((query) => `  ${query.query};`).join('\n')}\n` +
            'Add a migration (npm run migration:generate migrations/SomeChange) or fix the entities.\n',
        );
        return 1;
      } finally {
        await db.destroy();
      }
    } finally {
      await onServer(url, `DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    }
  } finally {
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
