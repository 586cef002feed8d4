import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, useTestApp, type TestApp, type TestUser } from './support/test-app';

const NEW_PASSWORD = 'Quiet-Lantern-Orchard-73';

/** A second login of the user: a second session. */
async function logIn(t: TestApp, user: TestUser, password = TEST_PASSWORD, agent = 'second-device/1.0') {
  const res = await t.http().post('/api/auth/login/').set('User-Agent', agent).send({ username: user.username, password });
  return res;
}

const tokenOf = (text: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('sessions, logout everywhere and passwords (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://clinic.example', MAIL_RETRY_BASE_MS: '20' }));
  afterAll(() => smtp?.close());

  describe('sessions', () => {
    it('lists the live sessions of the caller only, marking the current one', async () => {
      const user = await t.newUser();
      const other = await t.newUser();
      const second = await logIn(t, user);
      expect(second.status).toBe(200);

      const res = await t.as(user).get('/api/auth/sessions/');
      expect(res.status).toBe(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body).toHaveLength(2);
      const [newest, oldest] = res.body as { id: number; current: boolean; user_agent: string | null; client_address: string }[];
      expect(newest).toMatchObject({ current: false, user_agent: 'second-device/1.0' });
      expect(oldest.current).toBe(true);
      expect(newest.client_address).toBeTruthy();
      expect(Object.keys(newest).sort()).toEqual([
        'client_address',
        'created_at',
        'current',
        'expires_at',
        'id',
        'last_used_at',
        'user_agent',
      ]);

      // Someone else's session is not found, and not ended.
      expect((await t.as(other).delete(`/api/auth/sessions/${newest.id}/`)).status).toBe(404);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: second.body.refresh })).status).toBe(200);
    });

    it('ends one session: its refresh token stops working, the others go on', async () => {
      const user = await t.newUser();
      const second = await logIn(t, user);
      const sessions = (await t.as(user).get('/api/auth/sessions/')).body as { id: number; current: boolean }[];
      const other = sessions.find((session) => !session.current)!;

      expect((await t.as(user).delete(`/api/auth/sessions/${other.id}/`)).status).toBe(204);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: second.body.refresh })).status).toBe(401);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: user.refresh })).status).toBe(200);
      expect((await t.as(user).delete(`/api/auth/sessions/${other.id}/`)).status).toBe(404);
      const left = (await t.as(user).get('/api/auth/sessions/')).body as { id: number }[];
      expect(left.map((session) => session.id)).not.toContain(other.id);
    });

    it('logs out everywhere: every refresh token and every access token issued until then stop working', async () => {
      const user = await t.newUser();
      const second = await logIn(t, user);
      expect((await t.as(user).get('/api/auth/me/')).status).toBe(200);

      expect((await t.as(user).post('/api/auth/logout/all/')).status).toBe(204);
      const refused = await t.as(user).get('/api/auth/me/');
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toMatch(/session .* has ended/i);
      expect((await t.as({ access: second.body.access }).get('/api/auth/me/')).status).toBe(401);
      for (const refresh of [user.refresh, second.body.refresh]) {
        expect((await t.http().post('/api/auth/token/refresh/').send({ refresh })).status).toBe(401);
      }
      // A new login is a new session, and works.
      const again = await logIn(t, user);
      expect((await t.as({ access: again.body.access }).get('/api/auth/me/')).status).toBe(200);
      expect((await t.as({ access: again.body.access }).get('/api/auth/sessions/')).body).toHaveLength(1);
    });

    it('ends the sessions and access tokens of a deactivated account, also once it is active again', async () => {
      const admin = await t.newAdmin();
      const user = await t.newUser();
      expect((await t.as(admin).patch(`/api/users/${user.id}/`).send({ is_active: false })).status).toBe(200);
      expect((await t.as(admin).patch(`/api/users/${user.id}/`).send({ is_active: true })).status).toBe(200);
      expect((await t.as(user).get('/api/auth/me/')).status).toBe(401);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: user.refresh })).status).toBe(401);
      expect((await logIn(t, user)).status).toBe(200);
    });
  });

  describe('password change', () => {
    it('refuses a wrong current password, naming the field, and a new one the policy refuses', async () => {
      const user = await t.newUser();
      const wrong = await t
        .as(user)
        .post('/api/auth/password/change/')
        .send({ current_password: 'not-it-at-all', new_password: NEW_PASSWORD });
      expect(wrong.status).toBe(400);
      expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
      const weak = await t.as(user).post('/api/auth/password/change/').send({ current_password: TEST_PASSWORD, new_password: 'password1' });
      expect(weak.status).toBe(400);
      expect(Object.keys(weak.body.errors)).toEqual(['new_password']);
      const same = await t
        .as(user)
        .post('/api/auth/password/change/')
        .send({ current_password: TEST_PASSWORD, new_password: TEST_PASSWORD });
      expect(same.status).toBe(400);
      expect((await logIn(t, user)).status).toBe(200);
    });

    it('changes it, ends the other sessions and the access tokens, keeps this session through a refresh, and mails the owner', async () => {
      const user = await t.newUser();
      const second = await logIn(t, user);
      const res = await t.as(user).post('/api/auth/password/change/').send({ current_password: TEST_PASSWORD, new_password: NEW_PASSWORD });
      expect(res.status).toBe(204);

      expect((await t.as(user).get('/api/auth/me/')).status).toBe(401);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: second.body.refresh })).status).toBe(401);
      const refreshed = await t.http().post('/api/auth/token/refresh/').send({ refresh: user.refresh });
      expect(refreshed.status).toBe(200);
      expect((await t.as({ access: refreshed.body.access }).get('/api/auth/me/')).status).toBe(200);

      expect((await logIn(t, user)).status).toBe(401);
      expect((await logIn(t, user, NEW_PASSWORD)).status).toBe(200);
      const mail = await smtp.waitForMail(user.email, /password was changed/);
      expect(mail.text).not.toContain(NEW_PASSWORD);
    });
  });

  describe('password reset', () => {
    it('answers 202 alike for an unknown account, and mails nothing', async () => {
      const before = smtp.mails.length;
      const res = await t.http().post('/api/auth/password/reset/').send({ email: 'nobody-here@clinic.example' });
      expect(res.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(smtp.mails.length).toBe(before);
      expect((await t.http().post('/api/auth/password/reset/').send({})).status).toBe(400);
    });

    it('answers before it looks anything up, so its timing cannot tell whether the account exists', async () => {
      const user = await t.newUser();
      // Hold the users table: a lookup made before answering would wait for it.
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
        for (const email of [user.email, 'nobody-at-all@clinic.example']) {
          const res = await t.http().post('/api/auth/password/reset/').send({ email }).timeout(5_000);
          expect(res.status).toBe(202);
        }
        expect(smtp.mails.some((mail) => JSON.stringify(mail.to).includes(user.email) && /Reset/.test(mail.subject ?? ''))).toBe(false);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      // Once the table is free, the account's mail follows.
      await smtp.waitForMail(user.email, /Reset your password/);
    });

    it('mails a single-use link whose token sets a new password and ends every session', async () => {
      const user = await t.newUser();
      expect((await t.http().post('/api/auth/password/reset/').send({ username: user.username })).status).toBe(202);
      const mail = await smtp.waitForMail(user.email, /Reset your password/);
      expect(mail.text).toContain('https://clinic.example/reset-password?token=');
      const token = tokenOf(mail.text ?? '')!;
      expect(token.length).toBeGreaterThanOrEqual(43); // 256 random bits in base64url

      const weak = await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: 'password1' });
      expect(weak.status).toBe(400);
      expect(Object.keys(weak.body.errors)).toEqual(['new_password']);

      expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: NEW_PASSWORD })).status).toBe(204);
      expect((await t.as(user).get('/api/auth/me/')).status).toBe(401);
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: user.refresh })).status).toBe(401);
      expect((await logIn(t, user, NEW_PASSWORD)).status).toBe(200);

      const again = await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: 'Another-Quiet-Harbour-19' });
      expect(again.status).toBe(400);
      expect(Object.keys(again.body.errors)).toEqual(['token']);
      expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token: 'made-up', new_password: NEW_PASSWORD })).status).toBe(
        400,
      );
    });

    it('voids an older link when a newer one is asked for', async () => {
      const user = await t.newUser();
      await t.http().post('/api/auth/password/reset/').send({ email: user.email });
      const first = tokenOf((await smtp.waitForMail(user.email, /Reset your password/)).text ?? '')!;
      const count = smtp.mails.length;
      await t.http().post('/api/auth/password/reset/').send({ email: user.email });
      await expect.poll(() => smtp.mails.length).toBeGreaterThan(count);
      const second = tokenOf(smtp.mails[smtp.mails.length - 1].text ?? '')!;
      expect(second).not.toBe(first);

      expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token: first, new_password: NEW_PASSWORD })).status).toBe(
        400,
      );
      expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token: second, new_password: NEW_PASSWORD })).status).toBe(
        204,
      );
    });

    it('stores only the hash of a reset token', async () => {
      const user = await t.newUser();
      await t.http().post('/api/auth/password/reset/').send({ email: user.email });
      const token = tokenOf((await smtp.waitForMail(user.email, /Reset your password/)).text ?? '')!;
      const rows = await t.db.query<{ token_hash: string }[]>('SELECT token_hash FROM password_reset_tokens WHERE user_id = $1', [user.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].token_hash).not.toContain(token);
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    });
  });
});

describe('an expired password reset link (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, PASSWORD_RESET_TTL: '1s' }));
  afterAll(() => smtp?.close());

  it('is refused', async () => {
    const user = await t.newUser();
    await t.http().post('/api/auth/password/reset/').send({ email: user.email });
    const token = tokenOf((await smtp.waitForMail(user.email, /Reset your password/)).text ?? '')!;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const res = await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: NEW_PASSWORD });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors)).toEqual(['token']);
  });
});
