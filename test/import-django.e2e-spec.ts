import { spawn } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importDjango, type ImportReport } from '../src/imports/django-import';
import { adminConnection, databaseUrl } from './support/database';
import { TEST_ACCESS_SECRET, TEST_PASSWORD, TEST_REFRESH_SECRET, type TestApp, useTestApp } from './support/test-app';
import { signAccessToken } from './support/tokens';

/*
 * Each describe block builds the tables of one of the Django projects (as seed-contract.md
 * describes their models, written here from that description) in a database of its own, fills
 * them with a few rows that show what the importer must map, skip or keep, imports them into a
 * fresh, migrated service database and looks at the result through the API. The tables of 000
 * and 004 have bigint ids, as Django 3.2 and later give a project's own models (BigAutoField),
 * which reach the importer as strings.
 */

const ROOT = join(__dirname, '..');

/** A password hash as Django's PBKDF2PasswordHasher writes it: sha256, 32 bytes, base64. */
function djangoHash(password: string, iterations = 260_000): string {
  const salt = randomBytes(11).toString('hex');
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64');
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

/** The columns Django's AbstractUser gives every user table, whatever the project adds. */
const USER_COLUMNS = `
  id serial PRIMARY KEY,
  password varchar(128) NOT NULL,
  last_login timestamptz,
  is_superuser boolean NOT NULL DEFAULT false,
  username varchar(150) NOT NULL UNIQUE,
  first_name varchar(150) NOT NULL DEFAULT '',
  last_name varchar(150) NOT NULL DEFAULT '',
  email varchar(254) NOT NULL DEFAULT '',
  is_staff boolean NOT NULL DEFAULT false,
  is_active boolean NOT NULL DEFAULT true,
  date_joined timestamptz NOT NULL DEFAULT now()`;

/** Django's record of its migrations, whose first date tells one install from another. */
const DJANGO_MIGRATIONS = `CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
  INSERT INTO django_migrations (app, name, applied) VALUES ('contenttypes', '0001_initial', '2025-03-01T10:00:00Z');`;

interface OldDatabase {
  url: string;
  sql: (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;
  drop: () => Promise<void>;
}

/** A new database on the test server holding `ddl`, for one old project. */
function useOldDatabase(ddl: string): () => OldDatabase {
  let old: OldDatabase | undefined;
  let client: Client | undefined;
  const name = `hc_django_${randomBytes(5).toString('hex')}`;
  beforeAll(async () => {
    const admin = await adminConnection(inject('serverUrl'));
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const url = databaseUrl(inject('serverUrl'), name);
    client = new Client({ connectionString: url });
    await client.connect();
    await client.query(`${DJANGO_MIGRATIONS}\n${ddl}`);
    const c = client;
    old = {
      url,
      sql: async (text, values) => (await c.query(text, values)).rows as Record<string, unknown>[],
      drop: async () => {
        await c.end();
        const dropper = await adminConnection(inject('serverUrl'));
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.destroy();
      },
    };
  });
  afterAll(() => old?.drop());
  return () => old!;
}

/** Rows of the service's database. */
const rows = (t: TestApp, text: string, values: unknown[] = []) => t.db.query<Record<string, unknown>[]>(text, values);

/** The new id of an imported record. */
async function newId(t: TestApp, report: ImportReport, kind: string, oldId: number): Promise<number> {
  const [row] = await rows(t, 'SELECT new_id FROM django_imports WHERE source = $1 AND kind = $2 AND old_id = $3', [
    report.source,
    kind,
    oldId,
  ]);
  return row.new_id as number;
}

/** An access token for an imported account, without a login (the tests that log in do it through HTTP). */
async function tokenFor(t: TestApp, username: string): Promise<{ access: string }> {
  const [user] = await rows(t, 'SELECT id, username, role FROM users WHERE username = $1', [username]);
  return { access: signAccessToken({ sub: String(user.id), username: user.username, role: user.role }) };
}

const counts = (report: ImportReport, field: 'imported' | 'alreadyImported' | 'skipped') =>
  Object.fromEntries(Object.entries(report.counts).map(([kind, count]) => [kind, count[field]]));

// ---------------------------------------------------------------------------------------------

describe('import:django from a project on auth_user with an owner per patient (seed 000)', () => {
  const t = useTestApp();
  const old = useOldDatabase(`
    CREATE TABLE auth_user (${USER_COLUMNS});
    CREATE TABLE patients_patient (id bigserial PRIMARY KEY, owner_id integer NOT NULL REFERENCES auth_user, name varchar(100) NOT NULL,
      age integer NOT NULL CHECK (age >= 0), gender varchar(10) NOT NULL, contact varchar(15) NOT NULL, address text NOT NULL DEFAULT '',
      medical_history text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE doctors_doctor (id bigserial PRIMARY KEY, name varchar(100) NOT NULL, specialization varchar(100) NOT NULL, contact varchar(15) NOT NULL,
      email varchar(254) NOT NULL, availability varchar(100) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    -- No unique (patient, doctor): the project only checked before inserting.
    CREATE TABLE mappings_mapping (id bigserial PRIMARY KEY, patient_id bigint NOT NULL REFERENCES patients_patient,
      doctor_id bigint NOT NULL REFERENCES doctors_doctor, reason text NOT NULL DEFAULT '', assigned_on timestamptz NOT NULL DEFAULT now());
  `);
  const alicePassword = 'alice-old-password-000';
  const aliceHash = djangoHash(alicePassword);
  let report: ImportReport;

  beforeAll(async () => {
    await old().sql(
      `INSERT INTO auth_user (id, password, is_superuser, is_staff, username, email) VALUES
        (1, $1, true, true, 'clinic_admin', 'admin@clinic000.example'),
        (2, $2, false, false, 'alice000', 'alice@clinic000.example'),
        (3, $3, false, false, 'bob000', ''),
        (4, $3, false, false, 'al', 'al@clinic000.example')`,
      [djangoHash('admin-old-password'), aliceHash, djangoHash('bob-old-password')],
    );
    await old().sql(`INSERT INTO patients_patient (id, owner_id, name, age, gender, contact, address, medical_history) VALUES
      (1, 2, 'John Doe', 45, 'Male', '5550101', '1 Main St', 'Asthma'),
      (2, 2, 'Jane Roe', 38, 'Female', '5550102', '', ''),
      (3, 3, 'Sam Poe', 7, 'Other', '5550103', '', ''),
      (4, 4, 'Al Patient', 50, 'Male', '5550104', '', '')`);
    await old().sql(`INSERT INTO doctors_doctor (id, name, specialization, contact, email, availability) VALUES
      (1, 'Smith', 'Cardiology', '5550199', 'desk@clinic000.example', 'Mon-Fri, 10AM-5PM'),
      (2, 'Jones', 'Dermatology', '5550198', 'desk@clinic000.example', 'Tue')`);
    await old().sql(`INSERT INTO mappings_mapping (id, patient_id, doctor_id, reason) VALUES
      (1, 1, 1, 'Chest pain'), (2, 1, 1, 'Chest pain'), (3, 3, 2, ''), (4, 4, 1, 'x')`);
    report = await importDjango(t.db, { from: old().url });
  });

  it('counts what it imported and skipped, per kind', () => {
    expect(report.tables).toEqual({
      user: 'auth_user',
      patient: 'patients_patient',
      doctor: 'doctors_doctor',
      assignment: 'mappings_mapping',
    });
    expect(counts(report, 'imported')).toEqual({ user: 3, patient: 3, doctor: 2, assignment: 2, appointment: 0 });
    expect(counts(report, 'skipped')).toEqual({ user: 1, patient: 1, doctor: 0, assignment: 2, appointment: 0 });
  });

  it('reports every skipped row with its reason: a username refused here, what depended on it, a duplicate assignment', () => {
    expect(report.skipped).toEqual([
      { kind: 'user', oldId: 4, reason: expect.stringMatching(/username "al" is not accepted here/) },
      { kind: 'patient', oldId: 4, reason: 'its owner (user 4) was not imported' },
      { kind: 'assignment', oldId: 2, reason: expect.stringMatching(/^duplicate: this doctor is already assigned to this patient/) },
      { kind: 'assignment', oldId: 4, reason: 'its patient (4) was not imported' },
    ]);
  });

  it('stores the Django password hash unchanged, and maps superusers to admins', async () => {
    const users = await rows(
      t,
      `SELECT username, email, password_hash, role FROM users WHERE username IN ('clinic_admin', 'alice000', 'bob000') ORDER BY username`,
    );
    expect(users).toEqual([
      { username: 'alice000', email: 'alice@clinic000.example', password_hash: aliceHash, role: 'patient' },
      {
        username: 'bob000',
        email: 'bob000@imported.invalid',
        password_hash: expect.stringMatching(/^pbkdf2_sha256\$260000\$/),
        role: 'patient',
      },
      {
        username: 'clinic_admin',
        email: 'admin@clinic000.example',
        password_hash: expect.stringMatching(/^pbkdf2_sha256\$/),
        role: 'admin',
      },
    ]);
    expect(report.notes).toContainEqual({ kind: 'user', oldId: 3, note: 'no email: given bob000@imported.invalid' });
  });

  it('keeps each patient with its old owner: the owner sees exactly its own through the API, with contact → phone and Male → male', async () => {
    const alice = await tokenFor(t, 'alice000');
    const list = await t.as(alice).get('/api/patients/');
    expect(list.status).toBe(200);
    expect((list.body as { name: string }[]).map((p) => p.name).sort()).toEqual(['Jane Roe', 'John Doe']);
    const john = (list.body as { id: number; name: string }[]).find((p) => p.name === 'John Doe')!;
    const one = await t.as(alice).get(`/api/patients/${john.id}/`);
    expect(one.body).toMatchObject({
      name: 'John Doe',
      age: 45,
      gender: 'male',
      phone: '5550101',
      address: '1 Main St',
      medical_history: 'Asthma',
    });

    const bob = await tokenFor(t, 'bob000');
    expect((await t.as(bob).get(`/api/patients/${john.id}/`)).status).toBe(404);
    expect(((await t.as(bob).get('/api/patients/')).body as { name: string }[]).map((p) => p.name)).toEqual(['Sam Poe']);
  });

  it('gives doctor profiles without a creator to the first superuser, and a doctor email used twice only to the first', async () => {
    const admin = await newId(t, report, 'user', 1);
    const doctors = await rows(t, 'SELECT name, email, phone, specialization, availability, created_by_id FROM doctors ORDER BY id');
    expect(doctors).toEqual([
      {
        name: 'Smith',
        email: 'desk@clinic000.example',
        phone: '5550199',
        specialization: 'Cardiology',
        availability: 'Mon-Fri, 10AM-5PM',
        created_by_id: admin,
      },
      { name: 'Jones', email: null, phone: '5550198', specialization: 'Dermatology', availability: 'Tue', created_by_id: admin },
    ]);
    expect(report.notes).toContainEqual({
      kind: 'doctor',
      oldId: 2,
      note: expect.stringMatching(/belongs to another doctor profile: imported without it/),
    });
  });

  it("makes assignments active, created by the patient's owner, with reason → notes", async () => {
    const alice = await tokenFor(t, 'alice000');
    const res = await t.as(alice).get('/api/mappings/');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ notes: 'Chest pain', is_active: true });
    const [row] = await rows(t, 'SELECT created_by_id FROM patient_doctor_mappings WHERE id = $1', [
      await newId(t, report, 'assignment', 1),
    ]);
    expect(row.created_by_id).toBe(await newId(t, report, 'user', 2));
  });

  it('writes one audit entry per imported record, with no actor', async () => {
    const entries = await rows(
      t,
      `SELECT entity, count(*)::int AS n FROM audit_events WHERE 'via:import-django' = ANY(changed_fields) AND action = 'create' AND actor_id IS NULL GROUP BY entity ORDER BY entity`,
    );
    expect(entries).toEqual([
      { entity: 'doctor', n: 2 },
      { entity: 'mapping', n: 2 },
      { entity: 'patient', n: 3 },
      { entity: 'user', n: 3 },
    ]);
  });

  it('gives imported accounts the skeletons registration compares: a look-alike of one is refused', async () => {
    // alice000 and alice0OO look alike (0 and O); citext alone would let the second in.
    const res = await t
      .http()
      .post('/api/auth/register/')
      .send({ username: 'alice0OO', email: 'alice-look-alike@mail.example', password: TEST_PASSWORD });
    expect(res.status).toBe(409);
  });

  it('lets an imported user log in with the old password, and replaces the Django hash with argon2id', async () => {
    const res = await t.http().post('/api/auth/login/').send({ username: 'alice000', password: alicePassword });
    expect(res.status).toBe(200);
    expect(res.body.access).toEqual(expect.any(String));
    const [user] = await rows(t, `SELECT password_hash FROM users WHERE username = 'alice000'`);
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect((await t.http().post('/api/auth/login/').send({ username: 'alice000', password: 'wrong-password-000' })).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------

describe('import:django from a project with its own users table and soft-deleted assignments (seed 002)', () => {
  const t = useTestApp();
  const old = useOldDatabase(`
    CREATE TABLE users_user (${USER_COLUMNS}, phone varchar(15) UNIQUE, role varchar(20) NOT NULL DEFAULT 'patient');
    CREATE UNIQUE INDEX ON users_user (email);
    CREATE TABLE patients_patient (id serial PRIMARY KEY, created_by_id integer NOT NULL REFERENCES users_user, name varchar(100) NOT NULL,
      email varchar(254) NOT NULL UNIQUE, phone varchar(15) NOT NULL, date_of_birth date NOT NULL, address text NOT NULL, gender varchar(10) NOT NULL,
      blood_group varchar(5), emergency_contact varchar(15) NOT NULL, medical_history text,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE doctors_doctor (id serial PRIMARY KEY, name varchar(100) NOT NULL, email varchar(254) NOT NULL, phone varchar(15) NOT NULL,
      specialization varchar(100) NOT NULL, license_number varchar(50) NOT NULL UNIQUE, experience_years integer NOT NULL CHECK (experience_years >= 0),
      address text NOT NULL, consultation_fee numeric(10, 2) NOT NULL, availability varchar(200) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE mappings_patientdoctormapping (id serial PRIMARY KEY, created_by_id integer NOT NULL REFERENCES users_user,
      patient_id integer NOT NULL REFERENCES patients_patient, doctor_id integer NOT NULL REFERENCES doctors_doctor,
      assigned_date timestamptz NOT NULL DEFAULT now(), notes text, is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), UNIQUE (patient_id, doctor_id));
  `);
  let report: ImportReport;
  let admin: { id: number; username: string; access: string };

  beforeAll(async () => {
    admin = await t.newAdmin();
    // An account and a doctor profile of this service that the old project's rows clash with.
    const taken = await t.newUser({ username: 'rahul_taken' });
    // Written otherwise, but the same digits: users_phone_key compares those.
    await t.db.query(`UPDATE users SET phone = '999-000-2222' WHERE id = $1`, [taken.id]);
    const existing = await t
      .as(admin)
      .post('/api/doctors/')
      .send({ name: 'Dr. Existing', specialization: 'Surgery', license_number: 'EXIST-1' });
    expect(existing.status).toBe(201);

    await old().sql(
      `INSERT INTO users_user (id, password, username, email, phone, role) VALUES
        (1, $1, 'priya002', 'priya@clinic002.example', '9990001111', 'patient'),
        (2, $1, 'RAHUL_TAKEN', 'rahul@clinic002.example', NULL, 'patient'),
        (3, $1, 'arjun002', 'arjun@clinic002.example', '9990002222', 'doctor')`,
      [djangoHash('priya-old-password')],
    );
    await old()
      .sql(`INSERT INTO patients_patient (id, created_by_id, name, email, phone, date_of_birth, address, gender, blood_group, emergency_contact, medical_history) VALUES
      (1, 1, 'Asha Rao', 'asha@mail.example', '+91 99900 01234', '1990-05-01', 'MG Road 5', 'female', 'O+', '9990009999', NULL),
      (2, 2, 'Ravi Rao', 'ravi@mail.example', '1', '1980-01-01', '-', 'male', NULL, '1', NULL)`);
    await old()
      .sql(`INSERT INTO doctors_doctor (id, name, email, phone, specialization, license_number, experience_years, address, consultation_fee, availability) VALUES
      (1, 'Dr. Mehta', 'mehta@aiims.example', '011-2658', 'Cardiology', 'LIC-1', 12, 'AIIMS, New Delhi', 1500.00, 'Mon-Fri 9AM-5PM'),
      (2, 'Dr. Twin', 'twin@apollo.example', '044-2829', 'Surgery', 'EXIST-1', 3, 'Apollo', 800.00, 'Sat')`);
    await old()
      .sql(`INSERT INTO mappings_patientdoctormapping (id, created_by_id, patient_id, doctor_id, notes, is_active, assigned_date, updated_at) VALUES
      (1, 1, 1, 1, 'follow-up', false, '2025-01-10T09:00:00Z', '2025-02-01T12:00:00Z'),
      (2, 1, 1, 2, NULL, true, '2025-01-11T09:00:00Z', '2025-01-11T09:00:00Z')`);
    report = await importDjango(t.db, { from: old().url, owner: admin.username });
  });

  it('skips a user whose username is taken here (case-insensitively), and what that user owned', () => {
    expect(counts(report, 'imported')).toEqual({ user: 2, patient: 1, doctor: 1, assignment: 1, appointment: 0 });
    expect(report.skipped).toEqual([
      { kind: 'user', oldId: 2, reason: 'the username is taken by an account here (usernames are case-insensitive)' },
      { kind: 'patient', oldId: 2, reason: 'its owner (user 2) was not imported' },
      { kind: 'doctor', oldId: 2, reason: 'the license number belongs to a doctor profile here already' },
      { kind: 'assignment', oldId: 2, reason: 'its doctor (2) was not imported' },
    ]);
  });

  it("maps the role, and keeps the phone on the account; one that is another account's here is left out", async () => {
    const users = await rows(t, `SELECT username, role, phone FROM users WHERE username IN ('priya002', 'arjun002') ORDER BY username`);
    expect(users).toEqual([
      { username: 'arjun002', role: 'doctor', phone: null },
      { username: 'priya002', role: 'patient', phone: '9990001111' },
    ]);
    expect(report.notes).toContainEqual({
      kind: 'user',
      oldId: 3,
      note: 'phone 9990002222 belongs to another account: imported without it',
    });
  });

  it('keeps every patient field, through the API', async () => {
    const priya = await tokenFor(t, 'priya002');
    const res = await t.as(priya).get(`/api/patients/${await newId(t, report, 'patient', 1)}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Asha Rao',
      email: 'asha@mail.example',
      phone: '+91 99900 01234',
      date_of_birth: '1990-05-01',
      gender: 'female',
      blood_group: 'O+',
      emergency_contact: '9990009999',
      address: 'MG Road 5',
    });
  });

  it('gives doctor profiles without a creator to the --owner account, with license, fee and experience', async () => {
    const res = await t.as(admin).get(`/api/doctors/${await newId(t, report, 'doctor', 1)}/`);
    expect(res.body).toMatchObject({
      name: 'Dr. Mehta',
      license_number: 'LIC-1',
      consultation_fee: '1500.00',
      experience_years: 12,
      created_by: admin.id,
    });
  });

  it('imports a soft-deleted assignment as an ended one', async () => {
    const [row] = await rows(
      t,
      'SELECT is_active, ended_at, assigned_date, notes, created_by_id FROM patient_doctor_mappings WHERE id = $1',
      [await newId(t, report, 'assignment', 1)],
    );
    expect(row).toEqual({
      is_active: false,
      ended_at: new Date('2025-02-01T12:00:00Z'),
      assigned_date: new Date('2025-01-10T09:00:00Z'),
      notes: 'follow-up',
      created_by_id: await newId(t, report, 'user', 1),
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('import:django from a project whose users log in by email (seed 003)', () => {
  const t = useTestApp();
  const old = useOldDatabase(`
    CREATE TABLE accounts_user (${USER_COLUMNS}, name varchar(255) NOT NULL);
    CREATE UNIQUE INDEX ON accounts_user (email);
    CREATE TABLE patients_patient (id serial PRIMARY KEY, created_by_id integer NOT NULL REFERENCES accounts_user, name varchar(255) NOT NULL,
      age integer NOT NULL, gender varchar(10) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE doctors_doctor (id serial PRIMARY KEY, name varchar(255) NOT NULL, specialization varchar(255) NOT NULL, experience integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE mappings_patientdoctormapping (id serial PRIMARY KEY, patient_id integer NOT NULL REFERENCES patients_patient,
      doctor_id integer NOT NULL REFERENCES doctors_doctor, assigned_at timestamptz NOT NULL DEFAULT now(), UNIQUE (patient_id, doctor_id));
  `);

  beforeAll(async () => {
    const hash = djangoHash('yousuf-old-password');
    await old().sql(
      `INSERT INTO accounts_user (id, password, username, email, name) VALUES
        (1, $1, 'yousuf', 'yousuf@clinic003.example', 'Yousuf Wizdan'),
        (2, $1, 'Foo', 'Foo@clinic003.example', 'Foo One'),
        (3, $1, 'foo', 'foo@elsewhere.example', 'Foo Two')`,
      [hash],
    );
    await old().sql(
      `INSERT INTO patients_patient (id, created_by_id, name, age, gender) VALUES (1, 1, 'Sara Khan', 29, 'Female'), (2, 2, 'Omar Ali', -3, 'Male')`,
    );
    await old().sql(
      `INSERT INTO doctors_doctor (id, name, specialization, experience) VALUES (1, 'Dr. Noor', 'Neurology', 9), (2, 'Dr. Minus', 'Radiology', -2)`,
    );
    await old().sql(`INSERT INTO mappings_patientdoctormapping (id, patient_id, doctor_id) VALUES (1, 1, 1), (2, 2, 2)`);
  });

  it('refuses to run without an owner for creator-less doctors when the project has no superuser, and writes nothing', async () => {
    await expect(importDjango(t.db, { from: old().url })).rejects.toThrow(/--owner <username>/);
    expect(await rows(t, `SELECT username FROM users WHERE username IN ('yousuf', 'Foo')`)).toEqual([]);
    expect(await rows(t, 'SELECT * FROM django_imports')).toEqual([]);
  });

  it('imports with --owner naming an account it imports; a case variant of a username is skipped', async () => {
    const report = await importDjango(t.db, { from: old().url, owner: 'yousuf' });
    expect(report.tables.user).toBe('accounts_user');
    expect(counts(report, 'imported')).toEqual({ user: 2, patient: 2, doctor: 2, assignment: 2, appointment: 0 });
    expect(report.skipped).toEqual([
      { kind: 'user', oldId: 3, reason: 'the username is taken by an account here (usernames are case-insensitive)' },
    ]);
    expect(report.notes).toEqual([
      { kind: 'patient', oldId: 2, note: 'age -3 not kept (0 to 150 here)' },
      { kind: 'doctor', oldId: 2, note: 'experience -2 not kept (0 to 80 years here)' },
    ]);

    const yousuf = await newId(t, report, 'user', 1);
    const doctors = await rows(t, 'SELECT name, specialization, experience_years, created_by_id FROM doctors ORDER BY id');
    expect(doctors).toEqual([
      { name: 'Dr. Noor', specialization: 'Neurology', experience_years: 9, created_by_id: yousuf },
      { name: 'Dr. Minus', specialization: 'Radiology', experience_years: null, created_by_id: yousuf },
    ]);
    expect(await rows(t, `SELECT full_name FROM users WHERE id = $1`, [yousuf])).toEqual([{ full_name: 'Yousuf Wizdan' }]);
    const res = await t.as(await tokenFor(t, 'yousuf')).get('/api/patients/');
    expect(res.body).toMatchObject([{ name: 'Sara Khan', age: 29, gender: 'female' }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('import:django from a project with appointments and specialization codes (seed 004)', () => {
  const t = useTestApp();
  const old = useOldDatabase(`
    CREATE TABLE auth_user (${USER_COLUMNS});
    CREATE TABLE patients_patient (id bigserial PRIMARY KEY, user_id integer NOT NULL REFERENCES auth_user, first_name varchar(100) NOT NULL,
      last_name varchar(100) NOT NULL, date_of_birth date NOT NULL, gender varchar(1) NOT NULL, contact_number varchar(15) NOT NULL,
      email varchar(254) NOT NULL DEFAULT '', address text NOT NULL DEFAULT '', medical_history text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE doctors_doctor (id bigserial PRIMARY KEY, user_id integer NOT NULL REFERENCES auth_user, first_name varchar(100) NOT NULL,
      last_name varchar(100) NOT NULL, specialization varchar(50) NOT NULL, contact_number varchar(15) NOT NULL, email varchar(254) NOT NULL DEFAULT '',
      license_number varchar(50) NOT NULL UNIQUE, hospital varchar(200) NOT NULL, address text NOT NULL DEFAULT '',
      experience_years integer NOT NULL DEFAULT 0 CHECK (experience_years >= 0), created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE mappings_patientdoctormapping (id bigserial PRIMARY KEY, patient_id bigint NOT NULL REFERENCES patients_patient,
      doctor_id bigint NOT NULL REFERENCES doctors_doctor, assigned_by_id integer REFERENCES auth_user, assigned_date date NOT NULL DEFAULT current_date,
      reason_for_assignment text NOT NULL DEFAULT '', is_active boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (patient_id, doctor_id));
    CREATE TABLE appointments_appointment (id bigserial PRIMARY KEY, doctor_id bigint NOT NULL REFERENCES doctors_doctor,
      patient_id bigint NOT NULL REFERENCES patients_patient, appointment_datetime timestamptz NOT NULL, reason text NOT NULL DEFAULT '',
      status varchar(20) NOT NULL DEFAULT 'SCHEDULED', created_by_id integer REFERENCES auth_user, created_at timestamptz NOT NULL DEFAULT now());
  `);
  let dryRun: ImportReport;
  let report: ImportReport;
  /** What the service's tables hold, to prove a dry run leaves them as they were. */
  const snapshot = async () =>
    rows(
      t,
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM patients)::int AS patients, (SELECT count(*) FROM doctors)::int AS doctors,
        (SELECT count(*) FROM patient_doctor_mappings)::int AS assignments, (SELECT count(*) FROM appointments)::int AS appointments,
        (SELECT count(*) FROM django_imports)::int AS imports, (SELECT count(*) FROM audit_events)::int AS audit`,
    );

  beforeAll(async () => {
    await old().sql(
      `INSERT INTO auth_user (id, password, username, email) VALUES (1, $1, 'nishanth', 'nishanth@clinic004.example'), (2, $1, 'meera', '')`,
      [djangoHash('nishanth-old-password')],
    );
    await old().sql(`INSERT INTO patients_patient (id, user_id, first_name, last_name, date_of_birth, gender, contact_number, email) VALUES
      (1, 1, 'Ravi', 'Kumar', '1985-07-20', 'M', '9845000001', 'ravi@mail.example'),
      (2, 2, 'Lata', 'Iyer', '1992-11-02', 'F', '9845000002', '')`);
    await old()
      .sql(`INSERT INTO doctors_doctor (id, user_id, first_name, last_name, specialization, contact_number, license_number, hospital, experience_years) VALUES
      (1, 1, 'Anil', 'Shah', 'CAR', '0801111', 'KA-100', 'City Hospital', 15),
      (2, 2, 'Kiran', 'Das', 'NEU', '0802222', 'KA-200', 'Lake Clinic', 4)`);
    await old()
      .sql(`INSERT INTO mappings_patientdoctormapping (id, patient_id, doctor_id, assigned_by_id, assigned_date, reason_for_assignment, is_active, created_at) VALUES
      (1, 1, 1, 1, '2025-06-01', 'High blood pressure', true, '2025-06-01T08:00:00Z'),
      (2, 2, 2, NULL, '2025-06-02', '', false, '2025-06-02T08:00:00Z')`);
    await old()
      .sql(`INSERT INTO appointments_appointment (id, doctor_id, patient_id, appointment_datetime, reason, status, created_by_id) VALUES
      (1, 1, 1, '2030-01-10T10:00:00Z', 'Check-up', 'SCHEDULED', 1),
      (2, 1, 2, '2030-01-10T10:00:00Z', 'Same time', 'SCHEDULED', 2),
      (3, 2, 2, '2024-03-01T09:00:00Z', '', 'COMPLETED', NULL),
      (4, 1, 1, '2030-01-10T10:00:00Z', 'Called off', 'CANCELLED', 1)`);
  });

  it('reports on a dry run exactly what the import then does, and writes nothing', async () => {
    const before = await snapshot();
    dryRun = await importDjango(t.db, { from: old().url, dryRun: true });
    expect(await snapshot()).toEqual(before);
    expect(dryRun.dryRun).toBe(true);

    report = await importDjango(t.db, { from: old().url });
    expect(report).toEqual({ ...dryRun, dryRun: false });
    expect(counts(report, 'imported')).toEqual({ user: 2, patient: 2, doctor: 2, assignment: 2, appointment: 3 });
    expect(report.skipped).toEqual([
      { kind: 'appointment', oldId: 2, reason: 'overlaps another scheduled appointment of the same doctor' },
    ]);
    expect(report.appointmentMinutes).toBe(30);
  });

  it('joins first and last names, and maps M/F, the specialization codes (to the names the API stores) and the hospital', async () => {
    const nishanth = await tokenFor(t, 'nishanth');
    const patient = await t.as(nishanth).get(`/api/patients/${await newId(t, report, 'patient', 1)}/`);
    expect(patient.body).toMatchObject({
      name: 'Ravi Kumar',
      gender: 'male',
      phone: '9845000001',
      date_of_birth: '1985-07-20',
      email: 'ravi@mail.example',
    });
    const doctor = await t.as(nishanth).get(`/api/doctors/${await newId(t, report, 'doctor', 1)}/`);
    expect(doctor.body).toMatchObject({
      name: 'Anil Shah',
      specialization: 'Cardiology',
      phone: '0801111',
      license_number: 'KA-100',
      experience_years: 15,
    });
    // The creator of a doctor profile is its old creator, who may change it.
    expect(doctor.body.created_by).toBe(await newId(t, report, 'user', 1));
    const [kiran] = await rows(t, 'SELECT * FROM doctors WHERE id = $1', [await newId(t, report, 'doctor', 2)]);
    expect(kiran).toMatchObject({ specialization: 'Neurology', hospital: 'Lake Clinic', address: null });
  });

  it('maps reason_for_assignment → notes and is_active=false to an ended assignment', async () => {
    const assignments = await rows(
      t,
      'SELECT notes, is_active, ended_at IS NOT NULL AS ended, assigned_date, created_by_id FROM patient_doctor_mappings ORDER BY id',
    );
    expect(assignments).toEqual([
      {
        notes: 'High blood pressure',
        is_active: true,
        ended: false,
        assigned_date: new Date('2025-06-01T00:00:00Z'),
        created_by_id: await newId(t, report, 'user', 1),
      },
      // No assigned_by: made by the patient's owner.
      {
        notes: null,
        is_active: false,
        ended: true,
        assigned_date: new Date('2025-06-02T00:00:00Z'),
        created_by_id: await newId(t, report, 'user', 2),
      },
    ]);
  });

  it('gives appointments the default length, keeps their status, and shows them to the patient owner', async () => {
    const nishanth = await tokenFor(t, 'nishanth');
    const res = await t.as(nishanth).get(`/api/appointments/${await newId(t, report, 'appointment', 1)}/`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      appointment_datetime: '2030-01-10T10:00:00.000Z',
      duration_minutes: 30,
      status: 'SCHEDULED',
      reason: 'Check-up',
    });
    const appointments = await rows(t, 'SELECT status, ends_at, created_by_id FROM appointments ORDER BY id');
    expect(appointments).toEqual([
      { status: 'SCHEDULED', ends_at: new Date('2030-01-10T10:30:00Z'), created_by_id: await newId(t, report, 'user', 1) },
      { status: 'COMPLETED', ends_at: new Date('2024-03-01T09:30:00Z'), created_by_id: await newId(t, report, 'user', 2) },
      { status: 'CANCELLED', ends_at: new Date('2030-01-10T10:30:00Z'), created_by_id: await newId(t, report, 'user', 1) },
    ]);
  });

  it('imports nothing new on a second run, and only a new row on a third', async () => {
    const second = await importDjango(t.db, { from: old().url });
    expect(second.source).toBe(report.source);
    expect(counts(second, 'imported')).toEqual({ user: 0, patient: 0, doctor: 0, assignment: 0, appointment: 0 });
    expect(counts(second, 'alreadyImported')).toEqual(counts(report, 'imported'));
    // A row skipped before is tried again, and skipped for the same reason.
    expect(second.skipped).toEqual(report.skipped);

    await old().sql(
      `INSERT INTO patients_patient (id, user_id, first_name, last_name, date_of_birth, gender, contact_number) VALUES (3, 2, 'Uma', 'Iyer', '2015-01-01', 'F', '9845000003')`,
    );
    await old().sql(
      `INSERT INTO appointments_appointment (id, doctor_id, patient_id, appointment_datetime, status, created_by_id) VALUES (5, 2, 3, '2030-02-01T09:00:00Z', 'SCHEDULED', 2)`,
    );
    const third = await importDjango(t.db, { from: old().url });
    expect(counts(third, 'imported')).toEqual({ user: 0, patient: 1, doctor: 0, assignment: 0, appointment: 1 });
    const meera = await tokenFor(t, 'meera');
    expect(((await t.as(meera).get('/api/patients/')).body as { name: string }[]).map((p) => p.name).sort()).toEqual([
      'Lata Iyer',
      'Uma Iyer',
    ]);
  });

  it('runs as `npm run import:django -- --from … --dry-run`, printing the report', async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['run', '--silent', 'import:django', '--', '--from', old().url, '--dry-run'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'test',
          DATABASE_URL: (t.db.options as { url: string }).url,
          JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
          JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('patients: 0 imported, 3 imported before, 0 skipped');
    expect(run.stdout).toContain('appointment 2: overlaps another scheduled appointment of the same doctor');
    expect(run.stdout).toContain('Dry run: nothing was written.');
  });
});

// ---------------------------------------------------------------------------------------------

describe('import:django from a project with every model in one core app (seed 001)', () => {
  const t = useTestApp();
  const old = useOldDatabase(`
    CREATE TABLE auth_user (${USER_COLUMNS});
    CREATE TABLE core_patient (id serial PRIMARY KEY, created_by_id integer NOT NULL REFERENCES auth_user, name varchar(100) NOT NULL,
      age integer NOT NULL, gender varchar(10) NOT NULL, address text NOT NULL DEFAULT '', created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE core_doctor (id serial PRIMARY KEY, name varchar(100) NOT NULL, specialization varchar(100) NOT NULL, email varchar(254) NOT NULL,
      phone varchar(10) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE core_patientdoctormapping (id serial PRIMARY KEY, patient_id integer NOT NULL REFERENCES core_patient,
      doctor_id integer NOT NULL REFERENCES core_doctor, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (patient_id, doctor_id));
  `);

  it('finds the core_ tables and imports them', async () => {
    await old().sql(
      `INSERT INTO auth_user (id, password, username, email, is_superuser) VALUES (1, $1, 'core_admin', 'admin@clinic001.example', true)`,
      [djangoHash('core-old-password')],
    );
    await old().sql(
      `INSERT INTO core_patient (id, created_by_id, name, age, gender, address) VALUES (1, 1, 'Mina Roy', 25, 'female', 'Park Lane')`,
    );
    await old().sql(
      `INSERT INTO core_doctor (id, name, specialization, email, phone) VALUES (1, 'Dr. Sen', 'ENT', 'sen@clinic001.example', '9000000001')`,
    );
    await old().sql(`INSERT INTO core_patientdoctormapping (id, patient_id, doctor_id) VALUES (1, 1, 1)`);
    const report = await importDjango(t.db, { from: old().url });
    expect(report.tables).toEqual({
      user: 'auth_user',
      patient: 'core_patient',
      doctor: 'core_doctor',
      assignment: 'core_patientdoctormapping',
    });
    expect(counts(report, 'imported')).toEqual({ user: 1, patient: 1, doctor: 1, assignment: 1, appointment: 0 });
    const admin = await tokenFor(t, 'core_admin');
    const doctor = await t.as(admin).get(`/api/doctors/${await newId(t, report, 'doctor', 1)}/`);
    expect(doctor.body).toMatchObject({ name: 'Dr. Sen', specialization: 'ENT', phone: '9000000001', email: 'sen@clinic001.example' });
  });

  it('refuses a SQLite path with where to look, and a database that is not a Django project', async () => {
    await expect(importDjango(t.db, { from: 'sqlite:db.sqlite3' })).rejects.toThrow(/pgloader/);
    await expect(importDjango(t.db, { from: (t.db.options as { url: string }).url })).rejects.toThrow(
      /does not look like the database of a Django healthcare project/,
    );
  });
});
