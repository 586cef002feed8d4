import * as argon2 from 'argon2';
import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/core/auth/role';
import { User } from '../src/users/user.entity';
import { expectProblem, expectUnauthorized } from './support/problems';
import { TEST_PASSWORD, TestUser, uniqueName, useTestApp } from './support/test-app';
import { insertUser, newSession } from './support/tokens';

const BAD_CREDENTIALS = 'No active account found with the given credentials.';

/** Fails when a password, or anything that looks like its hash, is anywhere in the body. */
function expectNoPasswordIn(res: Response, password = TEST_PASSWORD): void {
  expect(res.text).not.toMatch(/password/i);
  expect(res.text).not.toContain(password);
  expect(res.text).not.toContain('$argon2');
}

describe('auth (e2e)', () => {
  const t = useTestApp();

  const account = (overrides: Record<string, unknown> = {}) => {
    const username = uniqueName();
    return { username, email: `${username}@clinic.example`, password: TEST_PASSWORD, ...overrides };
  };

  describe('register', () => {
    it('creates a patient by default and returns the user with a token pair that works at once', async () => {
      const body = account();
      const res = await t.http().post('/api/auth/register/').send(body);
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({
        id: expect.any(Number),
        username: body.username,
        email: body.email,
        role: 'patient',
        is_active: true,
        last_login: null,
      });
      expect(res.body.tokens).toEqual({ access: expect.any(String), refresh: expect.any(String) });
      expectNoPasswordIn(res);
      const me = await t.as(res.body.tokens).get('/api/auth/me/');
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(res.body.user.id);
    });

    it('creates a doctor when asked', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ role: 'doctor' }));
      expect(res.status).toBe(201);
      expect(res.body.user.role).toBe('doctor');
    });

    it('refuses to register an admin', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ role: 'admin' }));
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['role']);
    });

    it.each([
      ['shorter than 8 characters', 'Ab1-xyz'],
      ['entirely numeric', '4829175036'],
      ['common', 'password123'],
      ['common in another case', 'PassWord123'],
    ])('refuses a password that is %s', async (_, password) => {
      const res = await t.http().post('/api/auth/register/').send(account({ password }));
      expectProblem(res, 400);
      expect(res.body.errors.password).toEqual([expect.any(String)]);
      expect(res.text).not.toContain(password);
    });

    it.each([
      ['repeated characters', 'aaaaaaaa', /^Repeated characters like "aaa" are easy to guess\. Add more words/],
      ['a common password', 'password123', /^This is a commonly used password\. Add more words/],
    ])("refuses %s with the strength estimate's warning and suggestions", async (_, password, reason) => {
      const res = await t.http().post('/api/auth/register/').send(account({ password }));
      expectProblem(res, 400);
      expect(res.body.errors).toEqual({ password: [expect.stringMatching(reason)] });
    });

    it('refuses the username with digits, and the username in l33t, which the estimate is told about', async () => {
      const username = uniqueName('marigold.finch');
      const digits = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ username, password: `${username}2024` }));
      expectProblem(digits, 400);
      expect(digits.body.errors).toEqual({ password: ['The password is too similar to the username or email.'] });

      const leet = { username: 'marigold.finch', email: `${uniqueName()}@clinic.example`, password: 'M4r1g0ld.F1nch!' };
      const res = await t.http().post('/api/auth/register/').send(leet);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual({ password: [expect.stringMatching(/^There should not be any personal or page related data\. /)] });
    });

    it('accepts a strong passphrase', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ password: 'quiet lantern orbit 97' }));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });

    it('refuses a password similar to the username', async () => {
      const body = account();
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send({ ...body, password: `${body.username.toUpperCase()}!x` });
      expectProblem(res, 400);
      expect(res.body.errors.password).toHaveLength(1);
    });

    it('refuses a password similar to the email', async () => {
      const username = uniqueName();
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send({ username, email: 'marigold.finch@clinic.example', password: 'Marigold.Finch-7' });
      expectProblem(res, 400);
      expect(res.body.errors.password).toHaveLength(1);
    });

    it('names every reason a password is refused', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ password: '1234567' }));
      expectProblem(res, 400);
      expect(res.body.errors.password).toHaveLength(2); // too short and entirely numeric
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(151)],
      ['with a space', 'jane doe'],
      ['with a slash', 'jane/doe'],
      ['not a string', 12345],
    ])('refuses a username %s', async (_, username) => {
      const res = await t.http().post('/api/auth/register/').send(account({ username }));
      expectProblem(res, 400);
      expect(res.body.errors.username).toEqual(expect.arrayContaining([expect.any(String)]));
    });

    it('accepts a username of 150 letters, digits and @.+-_', async () => {
      const username = `${uniqueName('u')}@.+-_`.padEnd(150, 'z');
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ username, email: `${uniqueName()}@clinic.example` }));
      expect(res.status).toBe(201);
      expect(res.body.user.username).toBe(username);
    });

    it('refuses an invalid email', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ email: 'not-an-email' }));
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['email']);
    });

    it('refuses missing fields, naming each', async () => {
      const res = await t.http().post('/api/auth/register/').send({});
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'password', 'username']);
    });

    it('refuses an unknown field, naming it', async () => {
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send(account({ is_staff: true }));
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['is_staff']);
    });

    describe('when the name is taken', () => {
      let taken: TestUser;
      beforeAll(async () => {
        taken = await t.newUser({ username: uniqueName('Alice'), email: `${uniqueName('Alice')}@Clinic.example` });
      });

      it('answers 409 naming username when the username is taken in another case', async () => {
        const res = await t
          .http()
          .post('/api/auth/register/')
          .send(account({ username: taken.username.toLowerCase() }));
        expectProblem(res, 409);
        expect(Object.keys(res.body.errors)).toEqual(['username']);
      });

      it('answers 409 naming email when the email is taken in another case', async () => {
        const res = await t
          .http()
          .post('/api/auth/register/')
          .send(account({ email: taken.email.toLowerCase() }));
        expectProblem(res, 409);
        expect(Object.keys(res.body.errors)).toEqual(['email']);
      });

      it('answers 409 naming both when username and email are taken', async () => {
        const res = await t
          .http()
          .post('/api/auth/register/')
          .send(account({ username: taken.username.toUpperCase(), email: taken.email.toUpperCase() }));
        expectProblem(res, 409);
        expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'username']);
      });
    });

    it('answers one 201 and one 409 to two concurrent registrations of one username', async () => {
      const body = account();
      const other = { ...body, email: `${uniqueName()}@clinic.example` };
      const results = await Promise.all([
        t.http().post('/api/auth/register/').send(body),
        t.http().post('/api/auth/register/').send(other),
      ]);
      expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
      const conflict = results.find((res) => res.status === 409)!;
      expectProblem(conflict, 409);
      expect(conflict.body.errors.username).toEqual([expect.any(String)]);
    });
  });

  describe('login', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await t.newUser();
    });

    it('logs in with username and password, returning tokens and the user', async () => {
      const res = await t.http().post('/api/auth/login/').send({ username: user.username, password: user.password });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access: expect.any(String), refresh: expect.any(String), user: expect.objectContaining({ id: user.id }) });
      expectNoPasswordIn(res);
    });

    it.each([
      ["argon2's defaults", {}],
      ['the earlier 19 MiB, 2-pass setting', { memoryCost: 19_456, timeCost: 2, parallelism: 1 }],
    ])('stores the current-cost hash at the next login of an account hashed with %s', async (_, cost) => {
      const legacy = await insertUser(t.db);
      const users = t.db.getRepository(User);
      await users.update(legacy.id, { passwordHash: await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, ...cost }) });
      const login = () => t.http().post('/api/auth/login/').send({ username: legacy.username, password: TEST_PASSWORD });
      expect((await login()).status).toBe(200);
      const { passwordHash } = await users.findOneByOrFail({ id: legacy.id });
      expect(passwordHash).toMatch(/^\$argon2id\$v=19\$m=12288,p=1,t=3\$/);
      expect((await login()).status).toBe(200);
    });

    it('logs in with the username in another case', async () => {
      const res = await t.http().post('/api/auth/login/').send({ username: user.username.toUpperCase(), password: user.password });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.id);
    });

    it('logs in with the email in another case', async () => {
      const res = await t.http().post('/api/auth/login/').send({ email: user.email.toUpperCase(), password: user.password });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(user.id);
    });

    it('sets last_login, in the response and on the account', async () => {
      const before = Date.now();
      const res = await t.http().post('/api/auth/login/').send({ username: user.username, password: user.password });
      expect(res.status).toBe(200);
      expect(res.body.user.last_login).not.toBeNull();
      expect(Date.parse(res.body.user.last_login)).toBeGreaterThanOrEqual(before - 1000);
      const me = await t.as(res.body).get('/api/auth/me/');
      expect(me.body.last_login).toBe(res.body.user.last_login);
    });

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const wrong = await t.http().post('/api/auth/login/').send({ username: user.username, password: 'Wrong-Password-1' });
      const unknown = await t
        .http()
        .post('/api/auth/login/')
        .send({ username: uniqueName('ghost'), password: user.password });
      const unknownEmail = await t.http().post('/api/auth/login/').send({ email: 'ghost@clinic.example', password: user.password });
      for (const res of [wrong, unknown, unknownEmail]) {
        expectUnauthorized(res);
        expect(res.body.detail).toBe(BAD_CREDENTIALS);
      }
    });

    it('refuses an inactive account with the same 401, even with the right password', async () => {
      const inactive = await insertUser(t.db, { withPassword: true });
      await t.db.getRepository(User).update(inactive.id, { isActive: false });
      const res = await t.http().post('/api/auth/login/').send({ username: inactive.username, password: inactive.password });
      expectUnauthorized(res);
      expect(res.body.detail).toBe(BAD_CREDENTIALS);
    });

    it('answers 400 when neither username nor email is given', async () => {
      for (const body of [{ password: user.password }, { username: null, email: null, password: user.password }]) {
        const res = await t.http().post('/api/auth/login/').send(body);
        expectProblem(res, 400);
        expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'username']);
      }
    });

    it('treats a null username or email as absent', async () => {
      const byEmail = await t.http().post('/api/auth/login/').send({ username: null, email: user.email, password: user.password });
      expect(byEmail.status).toBe(200);
      expect(byEmail.body.user.id).toBe(user.id);
      const unknown = await t
        .http()
        .post('/api/auth/login/')
        .send({ username: null, email: 'ghost@clinic.example', password: user.password });
      expectUnauthorized(unknown);
    });

    it('answers 400 without a password', async () => {
      const res = await t.http().post('/api/auth/login/').send({ username: user.username });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['password']);
    });

    it('refuses an unknown field, naming it', async () => {
      const res = await t.http().post('/api/auth/login/').send({ username: user.username, password: user.password, remember: true });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['remember']);
    });
  });

  describe('refresh and logout', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await insertUser(t.db);
    });

    /** A fresh session of `user`, as a login starts one (without its argon2 cost). */
    const login = () => newSession(t, user);

    it('exchanges a refresh token for a new pair, both different from the old', async () => {
      const old = await login();
      const res = await t.http().post('/api/auth/token/refresh/').send({ refresh: old.refresh });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
      expect(res.body.access).not.toBe(old.access);
      expect(res.body.refresh).not.toBe(old.refresh);
      expect((await t.as(res.body).get('/api/auth/me/')).body.id).toBe(user.id);
    });

    it('revokes the whole family when a spent refresh token is reused', async () => {
      const first = await login();
      const second = (await t.http().post('/api/auth/token/refresh/').send({ refresh: first.refresh })).body;
      const third = await t.http().post('/api/auth/token/refresh/').send({ refresh: second.refresh });
      expect(third.status).toBe(200);

      const replay = await t.http().post('/api/auth/token/refresh/').send({ refresh: first.refresh });
      expectUnauthorized(replay);
      // The newest token of the family, never used, is dead too.
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: third.body.refresh }));
    });

    it('keeps other sessions of the same user alive when one family is revoked', async () => {
      const victim = await login();
      const other = await login();
      await t.http().post('/api/auth/token/refresh/').send({ refresh: victim.refresh });
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: victim.refresh }));
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: other.refresh })).status).toBe(200);
    });

    it('logs out with 204, after which the refresh token is refused', async () => {
      const session = await login();
      const res = await t.http().post('/api/auth/logout/').send({ refresh: session.refresh });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: session.refresh }));
      expectUnauthorized(await t.http().post('/api/auth/logout/').send({ refresh: session.refresh }));
    });

    it.each([
      ['garbage', 'not-a-token'],
      ['a JWT that is not ours', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ])('refuses a %s refresh token with 401', async (_, refresh) => {
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh }));
      expectUnauthorized(await t.http().post('/api/auth/logout/').send({ refresh }));
    });

    it('refuses an access token presented as a refresh token', async () => {
      const session = await login();
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: session.access }));
    });

    it('answers 400 when the refresh token is missing', async () => {
      const res = await t.http().post('/api/auth/token/refresh/').send({});
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['refresh']);
    });
  });

  describe('me', () => {
    it('returns the caller', async () => {
      const user = await insertUser(t.db, { role: Role.Doctor });
      const res = await t.as(user).get('/api/auth/me/');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.id, username: user.username, email: user.email, role: 'doctor', is_active: true });
      expectNoPasswordIn(res);
    });

    it('answers 401 without a token', async () => {
      expectUnauthorized(await t.http().get('/api/auth/me/'));
    });
  });

  describe('aliases and trailing slashes', () => {
    it('registers at POST /api/auth/ and /api/auth', async () => {
      for (const path of ['/api/auth/', '/api/auth']) {
        const res = await t.http().post(path).send(account());
        expect(res.status, path).toBe(201);
        expect(res.body.tokens.access).toEqual(expect.any(String));
      }
    });

    it('logs in at /api/token/, /api/token and /api/auth/login', async () => {
      const user = await insertUser(t.db, { withPassword: true });
      for (const path of ['/api/token/', '/api/token', '/api/auth/login']) {
        const res = await t.http().post(path).send({ username: user.username, password: user.password });
        expect(res.status, path).toBe(200);
        expect(res.body.user.id).toBe(user.id);
      }
    });

    it('refreshes at every alias, with and without the trailing slash', async () => {
      let { refresh } = await newSession(t, await insertUser(t.db));
      for (const path of [
        '/api/auth/token/refresh/',
        '/api/auth/token/refresh',
        '/api/auth/refresh/',
        '/api/auth/refresh',
        '/api/token/refresh/',
        '/api/token/refresh',
      ]) {
        const res = await t.http().post(path).send({ refresh });
        expect(res.status, path).toBe(200);
        refresh = res.body.refresh;
      }
    });

    it('registers, logs out and reads me without the trailing slash', async () => {
      const body = account();
      const registered = await t.http().post('/api/auth/register').send(body);
      expect(registered.status).toBe(201);
      expect((await t.as(registered.body.tokens).get('/api/auth/me')).status).toBe(200);
      expect((await t.http().post('/api/auth/logout').send({ refresh: registered.body.tokens.refresh })).status).toBe(204);
    });

    it('serves nothing outside the /api prefix', async () => {
      expectProblem(await t.http().post('/auth/login/').send({ username: 'x', password: 'y' }), 404);
      expectProblem(await t.http().get('/users/'), 404);
    });
  });
});
