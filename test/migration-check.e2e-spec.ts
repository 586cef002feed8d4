import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminConnection, databaseUrl } from './support/database';

const ROOT = join(__dirname, '..');

/** `npm run migration:check` as a newcomer first runs it: on a new, empty database. */
describe('npm run migration:check (e2e)', () => {
  const database = `hc_empty_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.destroy();
  });
  afterAll(async () => {
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.destroy();
  });

  it('compares the entities with the migrations on a scratch database, leaving the given one untouched', async () => {
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'migration:check'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATABASE_URL: databaseUrl(inject('serverUrl'), database) },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/The \d+ migrations build exactly the schema of the entities/);

    const admin = await adminConnection(inject('serverUrl'));
    try {
      const scratch: unknown[] = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'hc\\_migration\\_check\\_%'`);
      expect(scratch).toEqual([]);
    } finally {
      await admin.destroy();
    }
    const db = await new DataSource({ type: 'postgres', url: databaseUrl(inject('serverUrl'), database), extra: { max: 1 } }).initialize();
    try {
      const tables: { n: number }[] = await db.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
      expect(tables[0].n).toBe(0);
    } finally {
      await db.destroy();
    }
  });
});
