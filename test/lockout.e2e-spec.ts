import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, useTestApp, type TestUser } from './support/test-app';

const WRONG = 'not-the-password-at-all';
const NEW_PASSWORD = 'Quiet-Lantern-Orchard-73';
const tokenOf = (text: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('per-account lockout (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({
    SMTP_URL: smtp.url,
    MAIL_RETRY_BASE_MS: '20',
    LOGIN_LOCKOUT_THRESHOLD: '3',
    LOGIN_LOCKOUT_DURATION: '1s',
    THROTTLE_AUTH_LIMIT: '10000',
  }));
  afterAll(() => smtp?.close());

  const login = (user: TestUser, password: string) => t.http().post('/api/auth/login/').send({ username: user.username, password });
  const failTimes = async (user: TestUser, n: number) => {
    for (let i = 0; i < n; i++) expect((await login(user, WRONG)).status).toBe(401);
  };
  const lockedUntil = async (user: TestUser) => {
    const [row] = await t.db.query<{ locked_until: Date | null }[]>('SELECT locked_until FROM users WHERE id = $1', [user.id]);
    return row.locked_until;
  };

  it('locks after the threshold of failures in a row: the right password then gets the same 401 as a wrong one', async () => {
    const user = await t.newUser();
    const wrong = await login(user, WRONG);
    await failTimes(user, 2);
    const locked = await login(user, TEST_PASSWORD);
    expect(locked.status).toBe(401);
    expect(locked.body.detail).toBe(wrong.body.detail);
    expect(locked.headers['content-type']).toBe(wrong.headers['content-type']);
    expect(await lockedUntil(user)).not.toBeNull();
  });

  it('mails the owner a reset link, which sets a new password and unlocks the account', async () => {
    const user = await t.newUser();
    await failTimes(user, 3);
    const mail = await smtp.waitForMail(user.email, /locked/);
    expect(mail.text).not.toContain(WRONG);
    const token = tokenOf(mail.text ?? '')!;
    expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: NEW_PASSWORD })).status).toBe(204);
    expect(await lockedUntil(user)).toBeNull();
    expect((await login(user, NEW_PASSWORD)).status).toBe(200);
  });

  it('shows admins locked_until and lets only them unlock', async () => {
    const admin = await t.newAdmin();
    const user = await t.newUser();
    await failTimes(user, 3);
    const seen = await t.as(admin).get(`/api/users/${user.id}/`);
    expect(Date.parse(seen.body.locked_until)).toBeGreaterThan(Date.now());

    expect((await t.as(user).post(`/api/users/${user.id}/unlock/`)).status).toBe(403);
    expect((await t.as(admin).post('/api/users/2147483647/unlock/')).status).toBe(404);
    expect((await t.as(admin).post(`/api/users/${user.id}/unlock/`)).status).toBe(204);
    expect((await t.as(admin).get(`/api/users/${user.id}/`)).body.locked_until).toBeNull();
    expect((await login(user, TEST_PASSWORD)).status).toBe(200);

    // Audited in the batch written a few milliseconds after the answer.
    const actions = async () =>
      (
        await t.db.query<{ action: string }[]>(
          `SELECT action FROM audit_events WHERE entity = 'user' AND entity_id = $1 AND action IN ('lock', 'unlock') ORDER BY id`,
          [user.id],
        )
      ).map((row) => row.action);
    await expect.poll(actions).toEqual(['lock', 'unlock']);
  });

  it('starts the count again after a successful login', async () => {
    const user = await t.newUser();
    await failTimes(user, 2);
    expect((await login(user, TEST_PASSWORD)).status).toBe(200);
    await failTimes(user, 2);
    expect((await login(user, TEST_PASSWORD)).status).toBe(200);
  });

  it('doubles each further lock', async () => {
    const user = await t.newUser();
    await failTimes(user, 3);
    const first = (await lockedUntil(user))!.getTime() - Date.now();
    await new Promise((resolve) => setTimeout(resolve, first + 50));
    await failTimes(user, 3);
    const second = (await lockedUntil(user))!.getTime() - Date.now();
    expect(first).toBeLessThanOrEqual(1000);
    expect(second).toBeGreaterThan(1200);
    expect(second).toBeLessThanOrEqual(2000);
  });

  it('counts concurrent failures one by one: they lock the account once', async () => {
    const user = await t.newUser();
    const answers = await Promise.all(Array.from({ length: 8 }, () => login(user, WRONG)));
    expect(answers.every((res) => res.status === 401)).toBe(true);
    expect(await lockedUntil(user)).not.toBeNull();
    await smtp.waitForMail(user.email, /locked/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.mails.filter((mail) => JSON.stringify(mail.to).includes(user.email) && /locked/.test(mail.subject ?? ''))).toHaveLength(1);
  });

  it('tries no password a signed-in session sends again while the account is locked: not even the right one', async () => {
    const user = await t.newUser();
    await failTimes(user, 3);
    const change = await t
      .as(user)
      .post('/api/auth/password/change/')
      .send({ current_password: TEST_PASSWORD, new_password: NEW_PASSWORD });
    expect(change.status).toBe(400);
    expect(Object.keys(change.body.errors)).toEqual(['current_password']);
    const email = await t
      .as(user)
      .patch('/api/auth/me/')
      .send({ email: `moved-${user.email}`, current_password: TEST_PASSWORD });
    expect(email.status).toBe(400);
    // Nothing changed, and the lock was not lifted or lengthened by it.
    const [row] = await t.db.query<{ password_hash: string; locked_until: Date }[]>(
      'SELECT password_hash, locked_until FROM users WHERE id = $1',
      [user.id],
    );
    expect(row.locked_until.getTime()).toBeGreaterThan(Date.now());
    await new Promise((resolve) => setTimeout(resolve, row.locked_until.getTime() - Date.now() + 50));
    expect((await login(user, TEST_PASSWORD)).status).toBe(200);
  });

  it('counts a wrong current password at a password change as a failed login', async () => {
    const user = await t.newUser();
    for (let i = 0; i < 3; i++) {
      const res = await t.as(user).post('/api/auth/password/change/').send({ current_password: WRONG, new_password: NEW_PASSWORD });
      expect(res.status).toBe(400);
    }
    expect((await login(user, TEST_PASSWORD)).status).toBe(401);
  });
});
