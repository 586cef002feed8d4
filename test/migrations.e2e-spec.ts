import { MailsOnCommit } from '../src/mail/mailer';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations';
import { ENTITIES, SUBSCRIBERS } from '../src/entities';
import { openTestDatabase, TestDatabase } from './support/database';
import { startTestApp } from './support/test-app';

describe('migrations', () => {
  let database: TestDatabase;
  let db: DataSource;
  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  afterAll(() => database.close());

  it('registers every migration file, in file order', () => {
    const files = readdirSync(join(__dirname, '..', 'migrations'))
      .filter((file) => /^\d+-\w+\.ts$/.test(file))
      .sort();
    const registered = MIGRATIONS.map((migration) => {
      const name = migration.name.replace(/\d+$/, '');
      const timestamp = migration.name.slice(name.length);
      return `${timestamp}-${name}.ts`;
    });
    expect(registered).toEqual(files);
  });

  it('leaves nothing for the entities to change (no drift)', async () => {
    const pending = await db.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('reverts every migration cleanly and applies them again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await db.undoLastMigration({ transaction: 'each' });
    const tables = await db.query(
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`,
    );
    expect(tables[0].n).toBe(0);
    await db.runMigrations({ transaction: 'each' });
    expect(await db.showMigrations()).toBe(false);
  });

  it('lists for data sources outside the application exactly the entities and subscribers the application loads', async () => {
    const t = await startTestApp();
    try {
      expect(new Set(t.db.entityMetadatas.map((metadata) => metadata.target))).toEqual(new Set(ENTITIES));
      // The application also sends its mails on commit; scripts send none.
      const subscribers = t.db.subscribers.filter((subscriber) => !(subscriber instanceof MailsOnCommit));
      expect(subscribers.map((subscriber) => subscriber.constructor)).toEqual(SUBSCRIBERS);
    } finally {
      await t.close();
    }
  });
});
