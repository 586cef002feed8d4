import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_MIN_SCORE } from '../src/core/config/app-config';
import { createOrPromoteAdmin } from '../src/users/create-admin';
import { Role } from '../src/core/auth/role';
import { User } from '../src/users/user.entity';
import { expectProblem, expectUnauthorized } from './support/problems';
import { TEST_PASSWORD as PASSWORD, TestUser, uniqueName, useTestApp } from './support/test-app';
import { insertUser, newSession } from './support/tokens';

/** Parses an RFC 8288 Link header into rel → URL. */
function parseLinks(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (match) links[match[2]] = match[1];
  }
  return links;
}

/** A link target as path and page numbers, whatever the order of its query parameters. */
function target(url: string | undefined): { path: string; page: string | null; page_size: string | null } {
  const parsed = new URL(url ?? 'missing:', 'http://api.test');
  return { path: parsed.pathname, page: parsed.searchParams.get('page'), page_size: parsed.searchParams.get('page_size') };
}

describe('users administration (e2e)', () => {
  const t = useTestApp();
  let admin: TestUser;
  let patient: TestUser;
  let doctor: TestUser;
  beforeAll(async () => {
    [admin, patient, doctor] = await Promise.all([t.newAdmin(), insertUser(t.db), insertUser(t.db, { role: Role.Doctor })]);
    // Enough accounts for several pages, written directly: registering each would cost an argon2 hash.
    for (let i = 0; i < 23; i++) await insertUser(t.db);
  });

  const userCount = () => t.db.getRepository(User).count();

  describe('GET /api/users/', () => {
    it('lists the first 20 accounts as a plain array, with the total in X-Total-Count', async () => {
      const res = await t.as(admin).get('/api/users/');
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body)).toBe(true);
      expect(res.body).toHaveLength(20);
      expect(res.headers['x-total-count']).toBe(String(await userCount()));
      expect(res.body[0]).toEqual({
        id: expect.any(Number),
        username: expect.any(String),
        email: expect.any(String),
        phone: null,
        name: null,
        role: expect.any(String),
        is_active: expect.any(Boolean),
        date_joined: expect.any(String),
        last_login: expect.toBeOneOf([null, expect.any(String)]),
        locked_until: null,
        email_verified: expect.any(Boolean),
      });
      expect(res.text).not.toMatch(/password/i);
      const ids = res.body.map((u: { id: number }) => u.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('links the first, next and last pages from the first page', async () => {
      const total = await userCount();
      const res = await t.as(admin).get('/api/users/?page_size=5');
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next']);
      expect(target(links.first)).toEqual({ path: '/api/users/', page: '1', page_size: '5' });
      expect(target(links.next)).toEqual({ path: '/api/users/', page: '2', page_size: '5' });
      expect(target(links.last)).toEqual({ path: '/api/users/', page: String(Math.ceil(total / 5)), page_size: '5' });
    });

    it('links prev and next from a middle page, and the links lead to the right pages', async () => {
      const res = await t.as(admin).get('/api/users/?page=2&page_size=5');
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(5);
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'prev']);
      expect(target(links.prev)).toEqual({ path: '/api/users/', page: '1', page_size: '5' });
      expect(target(links.next)).toEqual({ path: '/api/users/', page: '3', page_size: '5' });

      const [first, second, third] = await Promise.all(
        [links.first, '/api/users/?page=2&page_size=5', links.next].map((url) => t.as(admin).get(url)),
      );
      const ids = [...first.body, ...second.body, ...third.body].map((u: { id: number }) => u.id);
      expect(new Set(ids).size).toBe(15);
    });

    it('has no next link on the last page, which holds the remainder', async () => {
      const total = await userCount();
      const last = Math.ceil(total / 10);
      const res = await t.as(admin).get(`/api/users?page=${last}&page_size=10`);
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(total - (last - 1) * 10);
      const links = parseLinks(res.headers.link);
      expect(links.next).toBeUndefined();
      expect(target(links.prev)).toEqual({ path: '/api/users', page: String(last - 1), page_size: '10' });
      expect(target(links.last)).toEqual({ path: '/api/users', page: String(last), page_size: '10' });
    });

    it('answers an empty page past the end, still with the total', async () => {
      const res = await t.as(admin).get('/api/users/?page=999&page_size=100');
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
      expect(res.headers['x-total-count']).toBe(String(await userCount()));
    });

    it('accepts page_size up to 100', async () => {
      const res = await t.as(admin).get('/api/users/?page_size=100');
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(await userCount());
    });

    it.each([
      ['page_size=101', 'page_size'],
      ['page_size=0', 'page_size'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=abc', 'page'],
      ['page=1.5', 'page'],
      ['sort=id', 'sort'],
    ])('answers 400 to ?%s', async (query, field) => {
      const res = await t.as(admin).get(`/api/users/?${query}`);
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual([field]);
    });
  });

  describe('GET /api/users/:id/', () => {
    it('returns one account, with and without the trailing slash', async () => {
      for (const path of [`/api/users/${doctor.id}/`, `/api/users/${doctor.id}`]) {
        const res = await t.as(admin).get(path);
        expect(res.status, path).toBe(200);
        expect(res.body).toMatchObject({ id: doctor.id, username: doctor.username, role: 'doctor' });
      }
    });

    it('answers 404 for an unknown id', async () => {
      expectProblem(await t.as(admin).get('/api/users/987654/'), 404);
    });

    it.each(['abc', '1.5', '1e3', '0x1', '-'])('answers 400 for the non-integer id %s', async (id) => {
      expectProblem(await t.as(admin).get(`/api/users/${id}/`), 400);
    });
  });

  describe('PATCH /api/users/:id/', () => {
    it('changes the role, which applies to the account at once', async () => {
      const target = await insertUser(t.db);
      const res = await t.as(admin).patch(`/api/users/${target.id}/`).send({ role: 'doctor' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: target.id, role: 'doctor', is_active: true });
      expect((await t.as(target).get('/api/auth/me')).body.role).toBe('doctor');
      expect((await t.as(admin).get(`/api/users/${target.id}`)).body.role).toBe('doctor');
    });

    it('moves updated_at only when the PATCH changes something, keeping every other field', async () => {
      const target = await insertUser(t.db);
      const stored = () => t.db.getRepository(User).findOneByOrFail({ id: target.id });
      // As text: a Date would hide the microseconds, which a write of the whole row would drop.
      const joined = async () =>
        (await t.db.query<{ joined: string }[]>('SELECT date_joined::text AS joined FROM users WHERE id = $1', [target.id]))[0].joined;
      const [before, joinedBefore] = [await stored(), await joined()];
      expect((await t.as(admin).patch(`/api/users/${target.id}/`).send({ role: before.role, is_active: true })).status).toBe(200);
      expect(await stored()).toEqual(before);
      expect((await t.as(admin).patch(`/api/users/${target.id}/`).send({ role: 'doctor' })).status).toBe(200);
      const after = await stored();
      expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
      expect(after).toEqual({ ...before, role: 'doctor', updatedAt: after.updatedAt });
      expect(await joined()).toBe(joinedBefore);
    });

    it('promotes to admin, which opens the admin endpoints to that account', async () => {
      const target = await insertUser(t.db);
      expect((await t.as(target).get('/api/users/')).status).toBe(403);
      expect((await t.as(admin).patch(`/api/users/${target.id}`).send({ role: 'admin' })).status).toBe(200);
      expect((await t.as(target).get('/api/users/')).status).toBe(200);
    });

    it('deactivates an account: its refresh tokens and its access token stop working', async () => {
      const target = await insertUser(t.db);
      const [first, second] = [await newSession(t, target), await newSession(t, target)];
      expect((await t.as(first).get('/api/auth/me/')).status).toBe(200);

      const res = await t.as(admin).patch(`/api/users/${target.id}/`).send({ is_active: false });
      expect(res.status).toBe(200);
      expect(res.body.is_active).toBe(false);

      expectUnauthorized(await t.as(target).get('/api/auth/me/'));
      expectUnauthorized(await t.as(first).get('/api/auth/me/'));
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: first.refresh }));
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: second.refresh }));
    });

    it('reactivates an account without reviving its old sessions', async () => {
      const target = await insertUser(t.db, { withPassword: true });
      const old = await newSession(t, target);
      expect((await t.as(admin).patch(`/api/users/${target.id}/`).send({ is_active: false })).status).toBe(200);
      expect((await t.as(admin).patch(`/api/users/${target.id}/`).send({ is_active: true })).body.is_active).toBe(true);
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: old.refresh }));
      const login = await t.http().post('/api/auth/login/').send({ username: target.username, password: target.password });
      expect(login.status).toBe(200);
    });

    it('refuses to let an admin deactivate or demote themselves', async () => {
      expectProblem(await t.as(admin).patch(`/api/users/${admin.id}/`).send({ is_active: false }), 409);
      expectProblem(await t.as(admin).patch(`/api/users/${admin.id}/`).send({ role: 'patient' }), 409);
      expect((await t.as(admin).get('/api/auth/me/')).body).toMatchObject({ role: 'admin', is_active: true });
    });

    it.each([
      [{ password: 'Another-Pass-99' }, 'password'],
      [{ username: 'renamed' }, 'username'],
      [{ role: 'superuser' }, 'role'],
      [{ role: null }, 'role'],
      [{ is_active: 'no' }, 'is_active'],
      [{ is_active: null }, 'is_active'],
    ])('answers 400 to %j, naming %s', async (body, field) => {
      const target = patient;
      const res = await t.as(admin).patch(`/api/users/${target.id}/`).send(body);
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual([field]);
      expect((await t.as(admin).get(`/api/users/${target.id}/`)).body).toMatchObject({ role: 'patient', is_active: true });
    });

    it('answers 404 for an unknown id', async () => {
      expectProblem(await t.as(admin).patch('/api/users/987654/').send({ role: 'doctor' }), 404);
    });

    it.each(['abc', '0x1'])('answers 400 for the non-integer id %s', async (id) => {
      expectProblem(await t.as(admin).patch(`/api/users/${id}/`).send({ role: 'doctor' }), 400);
    });
  });

  describe('access', () => {
    it.each([
      ['patient', () => patient],
      ['doctor', () => doctor],
    ])('answers 403 problem+json to a %s on every admin endpoint', async (_, who) => {
      const caller = who();
      for (const res of [
        await t.as(caller).get('/api/users/'),
        await t.as(caller).get(`/api/users/${caller.id}/`),
        await t.as(caller).patch(`/api/users/${caller.id}/`).send({ role: 'admin' }),
      ]) {
        expectProblem(res, 403);
      }
      expect((await t.as(admin).get(`/api/users/${caller.id}/`)).body.role).toBe(caller.role);
    });

    it('answers 401 to an anonymous caller', async () => {
      expectUnauthorized(await t.http().get('/api/users/'));
      expectUnauthorized(await t.http().patch(`/api/users/${patient.id}/`).send({ role: 'admin' }));
    });
  });

  describe('createOrPromoteAdmin', () => {
    it('creates an admin account that can log in', async () => {
      const username = uniqueName('boss');
      const { user, created } = await createOrPromoteAdmin(
        t.db,
        { username, email: `${username}@clinic.example`, password: PASSWORD },
        DEFAULT_PASSWORD_MIN_SCORE,
      );
      expect(created).toBe(true);
      expect(user).toMatchObject({ username, role: Role.Admin, isActive: true });
      const login = await t.http().post('/api/auth/login/').send({ username, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('admin');
    });

    it('promotes and reactivates an existing account, setting its password', async () => {
      const existing = await insertUser(t.db, { withPassword: true });
      await t.db.getRepository(User).update(existing.id, { isActive: false });
      const newPassword = 'Fresh-Admin-Pass-77';
      const { user, created } = await createOrPromoteAdmin(
        t.db,
        {
          username: existing.username.toUpperCase(),
          email: existing.email,
          password: newPassword,
        },
        DEFAULT_PASSWORD_MIN_SCORE,
      );
      expect(created).toBe(false);
      expect(user.id).toBe(existing.id);
      expect(await t.db.getRepository(User).countBy({ username: existing.username })).toBe(1);
      expectUnauthorized(await t.http().post('/api/auth/login/').send({ username: existing.username, password: existing.password }));
      const login = await t.http().post('/api/auth/login/').send({ username: existing.username, password: newPassword });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ id: existing.id, role: 'admin', is_active: true });
    });

    it('refuses a weak password without touching the database', async () => {
      const username = uniqueName('weak');
      await expect(
        createOrPromoteAdmin(t.db, { username, email: `${username}@clinic.example`, password: 'password123' }, DEFAULT_PASSWORD_MIN_SCORE),
      ).rejects.toThrow(/not acceptable/);
      expect(await t.db.getRepository(User).countBy({ username })).toBe(0);
    });
  });
});
