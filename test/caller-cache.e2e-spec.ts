import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { Role } from '../src/core/auth/role';
import { AppInstance, startInstances } from './support/instances';
import { expectUnauthorized } from './support/problems';
import { TestUser } from './support/test-app';
import { insertUser } from './support/tokens';

/** Changes reach other instances by a PostgreSQL notification: within milliseconds, so allow a few seconds. */
const NOTIFIED = { timeout: 5000, interval: 25 };

/** The sessions listening for account changes on the database of `db`. */
async function listeners(db: DataSource): Promise<number[]> {
  const rows: { pid: number }[] = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN "users_changed"'`,
  );
  return rows.map((row) => row.pid);
}

const statusOf = async (instance: AppInstance, user: TestUser, path: string) => (await instance.as(user).get(path)).status;

describe('callers remembered between requests (e2e)', () => {
  let a: AppInstance;
  let b: AppInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const started = await startInstances(2);
    [a, b] = started.instances;
    close = started.close;
  });
  afterAll(() => close());

  it('serves a known caller without reading the accounts table', async () => {
    const user = await insertUser(a.db);
    expect(await statusOf(a, user, '/api/doctors/?page_size=1')).toBe(200);
    // While another transaction holds the table locked, any read of it would wait.
    const locker = a.db.createQueryRunner();
    await locker.connect();
    try {
      await locker.startTransaction();
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const res = await a.as(user).get('/api/doctors/?page_size=1').timeout(3000);
      expect(res.status).toBe(200);
    } finally {
      await locker.rollbackTransaction();
      await locker.release();
    }
  });

  it('applies a role change made on one instance on the other', async () => {
    const admin = await insertUser(a.db, { role: Role.Admin });
    const user = await insertUser(a.db);
    expect(await statusOf(b, user, '/api/users/')).toBe(403);

    expect((await a.as(admin).patch(`/api/users/${user.id}/`).send({ role: 'admin' })).status).toBe(200);
    await expect.poll(() => statusOf(b, user, '/api/users/'), NOTIFIED).toBe(200);
    // And at once on the instance that made it.
    expect(await statusOf(a, user, '/api/users/')).toBe(200);
  });

  it('refuses a deactivated account on every instance', async () => {
    const admin = await insertUser(a.db, { role: Role.Admin });
    const user = await insertUser(a.db);
    expect(await statusOf(a, user, '/api/auth/me/')).toBe(200);
    expect(await statusOf(b, user, '/api/auth/me/')).toBe(200);

    expect((await a.as(admin).patch(`/api/users/${user.id}/`).send({ is_active: false })).status).toBe(200);
    expectUnauthorized(await a.as(user).get('/api/doctors/'));
    await expect.poll(() => statusOf(b, user, '/api/doctors/'), NOTIFIED).toBe(401);
  });

  it('applies a change made in SQL by hand', async () => {
    const user = await insertUser(a.db);
    expect(await statusOf(a, user, '/api/users/')).toBe(403);
    expect(await statusOf(b, user, '/api/users/')).toBe(403);

    await a.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    await expect.poll(() => statusOf(a, user, '/api/users/'), NOTIFIED).toBe(200);
    await expect.poll(() => statusOf(b, user, '/api/users/'), NOTIFIED).toBe(200);
  });

  it("applies a clinic membership's removal or demotion at once on the instance that made it, and on the other", async () => {
    const [manager, staff, deputy] = [await insertUser(a.db), await insertUser(a.db), await insertUser(a.db)];
    const clinic = (await a.as(manager).post('/api/clinics/').send({ name: 'Cache Clinic', timezone: 'UTC' })).body.id as number;
    for (const [member, role] of [
      [staff, 'staff'],
      [deputy, 'manager'],
    ] as const) {
      expect((await a.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: member.id, role })).status).toBe(201);
      expect((await a.as(member).post(`/api/clinics/${clinic}/membership/accept/`)).status).toBe(200);
    }
    const patient = await a.as(staff).post('/api/patients/').send({ name: 'Shared Patient' });
    expect(patient.body.clinic).toBe(clinic);
    const path = `/api/patients/${patient.body.id}/`;
    // Both instances now remember both members with their memberships.
    for (const instance of [a, b]) {
      expect(await statusOf(instance, staff, path)).toBe(200);
      expect(await statusOf(instance, deputy, path)).toBe(200);
      expect((await instance.as(deputy).patch(`/api/clinics/${clinic}/`).send({ phone: '+1 555 0100' })).status).toBe(200);
    }

    expect((await a.as(manager).delete(`/api/clinics/${clinic}/members/${staff.id}/`)).status).toBe(204);
    expect(await statusOf(a, staff, path)).toBe(404);
    await expect.poll(() => statusOf(b, staff, path), NOTIFIED).toBe(404);

    expect((await a.as(manager).patch(`/api/clinics/${clinic}/members/${deputy.id}/`).send({ role: 'staff' })).status).toBe(200);
    expect((await a.as(deputy).patch(`/api/clinics/${clinic}/`).send({ phone: '+1 555 0101' })).status).toBe(403);
    await expect
      .poll(async () => (await b.as(deputy).patch(`/api/clinics/${clinic}/`).send({ phone: '+1 555 0102' })).status, NOTIFIED)
      .toBe(403);

    // Also when the membership goes in SQL by hand.
    await a.db.query('DELETE FROM clinic_members WHERE clinic_id = $1 AND user_id = $2', [clinic, deputy.id]);
    await expect.poll(() => statusOf(a, deputy, path), NOTIFIED).toBe(404);
    await expect.poll(() => statusOf(b, deputy, path), NOTIFIED).toBe(404);
  });

  it('forgets what it knew when its listening connection breaks, and listens again', async () => {
    const user = await insertUser(a.db);
    expect(await statusOf(a, user, '/api/users/')).toBe(403);
    const before = await listeners(a.db);
    expect(before).toHaveLength(2);

    await a.db.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    // Made while nobody listens: its notification is lost, so only forgetting makes it apply.
    await a.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    await expect.poll(() => statusOf(a, user, '/api/users/'), NOTIFIED).toBe(200);

    await expect.poll(async () => (await listeners(a.db)).filter((pid) => !before.includes(pid)).length, NOTIFIED).toBe(2);
    await a.db.query(`UPDATE users SET role = 'patient' WHERE id = $1`, [user.id]);
    await expect.poll(() => statusOf(a, user, '/api/users/'), NOTIFIED).toBe(403);
    await expect.poll(() => statusOf(b, user, '/api/users/'), NOTIFIED).toBe(403);
  });
});

describe('with AUTH_USER_CACHE=false (e2e)', () => {
  let app: AppInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const started = await startInstances(1, { AUTH_USER_CACHE: 'false' });
    [app] = started.instances;
    close = started.close;
  });
  afterAll(() => close());

  it('loads the caller on every request and holds no listening connection', async () => {
    expect(await listeners(app.db)).toEqual([]);
    const user = await insertUser(app.db);
    expect(await statusOf(app, user, '/api/users/')).toBe(403);
    await app.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.id]);
    expect(await statusOf(app, user, '/api/users/')).toBe(200);
  });
});
