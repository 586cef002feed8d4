/**
 * `npm run import:django -- --from postgres://…/old_db [--dry-run] [--owner USERNAME] [--json]`
 * Brings the users, patients, doctors, assignments and appointments of one of the Django
 * healthcare projects this service replaces over (see src/imports/django-import.ts), into the
 * configured DATABASE_URL or, like `npm start`, the embedded database. Migrates it first, as
 * create-admin does. Prints what it imported and every row it skipped, with the reason; exits 1
 * when the import failed (then nothing was written).
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../src/core/config/app-config';
import { resolveDatabase } from '../src/core/database/resolve-database';
import { standaloneDataSourceOptions } from '../src/entities';
import { importDjango, type ImportReport } from '../src/imports/django-import';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({
    options: { from: { type: 'string' }, 'dry-run': { type: 'boolean' }, owner: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!values.from) throw new Error('Usage: npm run import:django -- --from postgres://…/old_db [--dry-run] [--owner USERNAME] [--json]');

  const config = loadAppConfig();
  const { url, embedded } = await resolveDatabase(config);
  const db = new DataSource(standaloneDataSourceOptions(url, 1));
  try {
    await db.initialize();
    await db.runMigrations({ transaction: 'each' });
    const report = await importDjango(db, { from: values.from, dryRun: values['dry-run'], owner: values.owner });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  } finally {
    if (db.isInitialized) await db.destroy();
    await embedded?.stop();
  }
}

function describe(report: ImportReport): string {
  const lines = [`Source: ${report.source}`, `Tables: ${Object.values(report.tables).join(', ')}`];
  for (const [kind, count] of Object.entries(report.counts)) {
    lines.push(`${kind}s: ${count.imported} imported, ${count.alreadyImported} imported before, ${count.skipped} skipped`);
  }
  if (report.skipped.length > 0) lines.push('Skipped:', ...report.skipped.map((s) => `  ${s.kind} ${s.oldId}: ${s.reason}`));
  if (report.notes.length > 0) lines.push('Imported with changes:', ...report.notes.map((n) => `  ${n.kind} ${n.oldId}: ${n.note}`));
  if (report.counts.appointment.imported > 0) {
    lines.push(`Appointments got the default length of ${report.appointmentMinutes} minutes: the old project kept none.`);
  }
  lines.push(report.dryRun ? 'Dry run: nothing was written.' : 'Done.');
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
