import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import { verifyPassword } from '../src/auth/passwords';
import { loadAppConfig } from '../src/core/config/app-config';
import { DEFAULT_SEED_PASSWORD, DOCTORS, OWNERS, seed } from '../src/seed/seed';
import { cloneTemplate } from './support/database';
import { SNAPSHOT_TABLES, snapshot } from './support/db-snapshot';
import { testEnv } from './support/test-app';

/** `npm run seed` does this on the configured (or embedded) database: scripts/seed.ts. */
describe('sample data (e2e)', () => {
  let database: Awaited<ReturnType<typeof cloneTemplate>>;
  let app: INestApplicationContext;
  let db: DataSource;
  beforeAll(async () => {
    database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
    app = await NestFactory.createApplicationContext(AppModule.forRoot(loadAppConfig(testEnv(database.url))), { logger: false });
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /** Every table, the audit trail included: a second run must not even leave an audit entry. */
  const everything = async () => {
    await app.get(AuditService).flush();
    return snapshot(db, [...SNAPSHOT_TABLES, 'audit_events']);
  };

  it('creates an admin, doctors with schedules, patients, assignments and upcoming appointments; a second run changes nothing', async () => {
    const first = await seed(app, DEFAULT_SEED_PASSWORD);
    const patients = OWNERS.flatMap((owner) => owner.patients);
    const assignments = patients.flatMap((patient) => patient.doctors);
    expect(first).toEqual({
      users: 1 + DOCTORS.length + OWNERS.length,
      doctors: DOCTORS.length,
      schedules: DOCTORS.length,
      patients: patients.length,
      mappings: assignments.length,
      appointments: assignments.length,
    });
    const afterFirst = await everything();

    const second = await seed(app, DEFAULT_SEED_PASSWORD);
    expect(Object.values(second).every((count) => count === 0)).toBe(true);
    const afterSecond = await everything();
    expect(afterSecond.digest).toBe(afterFirst.digest);
    console.info(`seed: first run ${JSON.stringify(first)}; second run changed nothing (${JSON.stringify(afterSecond.counts)})`);

    // Realistic: roles, several specializations, linked profiles, schedules and future bookings.
    const roles: { role: string; n: number }[] = await db.query(
      'SELECT role, count(*)::int AS n FROM users GROUP BY role ORDER BY role::text',
    );
    expect(roles).toEqual([
      { role: 'admin', n: 1 },
      { role: 'doctor', n: DOCTORS.length },
      { role: 'patient', n: OWNERS.length },
    ]);
    const specializations: { n: number; linked: number }[] = await db.query(
      'SELECT count(DISTINCT specialization)::int AS n, count(user_id)::int AS linked FROM doctors',
    );
    expect(specializations[0]).toEqual({ n: DOCTORS.length, linked: DOCTORS.length });
    const appointments: { status: string; future: boolean }[] = await db.query(
      'SELECT status, appointment_datetime > now() AS future FROM appointments',
    );
    expect(appointments.length).toBe(assignments.length);
    expect(appointments.every((a) => a.status === 'SCHEDULED' && a.future)).toBe(true);
    // The accounts can log in with the sample password.
    const admin: { password_hash: string }[] = await db.query(`SELECT password_hash FROM users WHERE username = 'admin'`);
    expect(await verifyPassword(admin[0].password_hash, DEFAULT_SEED_PASSWORD)).toBe(true);
  });
});
