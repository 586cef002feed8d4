/**
 * `npm run seed`: realistic sample data (see src/seed/seed.ts): an admin, doctors of several
 * specializations with weekly schedules, patient accounts with their patients, assignments and
 * upcoming appointments. Idempotent: a second run changes nothing.
 *
 * Works on DATABASE_URL or, like `npm start`, on the embedded database (joining it when the
 * server is running). All accounts get the password SEED_PASSWORD (required in production).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { AppModule } from '../src/app.module';
import { ConfigError, loadAppConfig } from '../src/core/config/app-config';
import { resolveDatabase } from '../src/core/database/resolve-database';
import { AppLogger } from '../src/core/logging/app-logger';
import { ADMIN, DEFAULT_SEED_PASSWORD, DOCTORS, OWNERS, seed } from '../src/seed/seed';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig();
  const password = process.env.SEED_PASSWORD ?? (config.nodeEnv === 'production' ? undefined : DEFAULT_SEED_PASSWORD);
  if (!password) throw new ConfigError(['SEED_PASSWORD is required when NODE_ENV=production']);

  const database = await resolveDatabase(config, {
    log: (m) => process.stdout.write(`${m}\n`),
    warn: (m) => process.stderr.write(`${m}\n`),
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl: database.url, logLevel: 'warn' }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(AppLogger));
  try {
    const summary = await seed(app, password);
    const total = (Object.values(summary) as number[]).reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      total === 0
        ? 'The sample data is already there; nothing changed.\n'
        : `Created ${Object.entries(summary)
            .map(([what, count]) => `${count} ${what}`)
            .join(', ')}.\n`,
    );
    process.stdout.write(
      `Accounts: ${ADMIN.username} (admin), ${DOCTORS.map((d) => d.username).join(', ')} (doctors), ` +
        `${OWNERS.map((o) => o.username).join(', ')} (patients); password ${process.env.SEED_PASSWORD ? 'from SEED_PASSWORD' : `"${password}"`}.\n`,
    );
  } finally {
    await app.close();
    await database.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
