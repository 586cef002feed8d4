/**
 * `npm run create-admin -- --username NAME --email ADDRESS`
 * The password comes from ADMIN_PASSWORD, or else from a prompt (hidden input). Works on the
 * configured DATABASE_URL or, like `npm start`, on the embedded database (joining it while the
 * service runs, and never stopping a server it did not start).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../src/core/config/app-config';
import { standaloneDataSourceOptions } from '../src/entities';
import { resolveDatabase } from '../src/core/database/resolve-database';
import { createOrPromoteAdmin, mfaAdvice } from '../src/users/create-admin';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { username: { type: 'string' }, email: { type: 'string' } } });
  const username = values.username ?? process.env.ADMIN_USERNAME ?? (await ask('Username: '));
  const email = values.email ?? process.env.ADMIN_EMAIL ?? (await ask('Email: '));
  const password = process.env.ADMIN_PASSWORD ?? (await ask('Password: ', true));

  const config = loadAppConfig();
  // Joins the embedded server `npm start` runs rather than starting a second one on its folder,
  // which would stop the service's (and leave it answering 503).
  const { url, embedded } = await resolveDatabase(config);
  const db = new DataSource(standaloneDataSourceOptions(url, 1));
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    const { user, created } = await createOrPromoteAdmin(db, { username, email, password }, config.passwordMinScore);
    process.stdout.write(`${created ? 'Created' : 'Promoted'} admin account "${user.username}" (id ${user.id}).\n`);
    process.stdout.write(mfaAdvice(config.mfa.requiredRoles));
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}

async function ask(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY) throw new Error(`${question.replace(': ', '')} is required (flag or environment variable).`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  if (hidden) {
    // Echo nothing while the password is typed.
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s === question) process.stdout.write(s);
    };
  }
  const answer = (await rl.question(question)).trim();
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
