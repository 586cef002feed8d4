import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, uniqueName, useTestApp, type TestApp, type TestUser } from './support/test-app';

const CHOSEN_PASSWORD = 'Amber-Kettle-Meadow-58';

const tokenOf = (text: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
const login = (t: TestApp, body: object) => t.http().post('/api/auth/login/').send(body);

describe('admin account management and PATCH /api/auth/me/ (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://clinic.example', MAIL_RETRY_BASE_MS: '20' }));
  afterAll(() => smtp?.close());

  let admin: TestUser;
  beforeAll(async () => {
    admin = await t.newAdmin();
  });

  describe('POST /api/users/', () => {
    it('creates an account whose owner sets a password through the mailed link, then logs in', async () => {
      const username = uniqueName('made');
      const email = `${username}@clinic.example`;
      const res = await t.as(admin).post('/api/users/').send({ username, email, role: 'doctor', name: 'Dr Made', phone: '+1 555 7301' });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ username, email, role: 'doctor', name: 'Dr Made', phone: '+1 555 7301', is_active: true });
      expect(res.headers.location).toBe(`/api/users/${res.body.id}/`);

      // No password works before the owner chooses one.
      expect((await login(t, { username, password: '' })).status).toBe(400);
      expect((await login(t, { username, password: TEST_PASSWORD })).status).toBe(401);

      const mail = await smtp.waitForMail(email, /account was made for you/);
      expect(mail.text).toContain(username);
      expect(mail.text).toContain('7 days');
      const token = tokenOf(mail.text ?? '')!;
      expect(token).toBeTruthy();
      const [stored] = await t.db.query<{ ttl_days: number }[]>(
        `SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::int AS ttl_days FROM password_reset_tokens WHERE user_id = $1`,
        [res.body.id],
      );
      expect(stored.ttl_days).toBe(7);

      const set = await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: CHOSEN_PASSWORD });
      expect(set.status, set.text).toBe(204);
      const loggedIn = await login(t, { username, password: CHOSEN_PASSWORD });
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.user.id).toBe(res.body.id);

      const [event] = await t.db.query<{ actor_id: number; changed_fields: string[] }[]>(
        `SELECT actor_id, changed_fields FROM audit_events WHERE entity = 'user' AND entity_id = $1 AND action = 'create'`,
        [res.body.id],
      );
      expect(event.actor_id).toBe(admin.id);
      expect([...event.changed_fields].sort()).toEqual(['email', 'name', 'phone', 'role', 'username']);
    });

    it('voids the set-password link when an admin mails a reset, and spends each link once', async () => {
      const email = `${uniqueName('voided')}@clinic.example`;
      const res = await t.as(admin).post('/api/users/').send({ email, role: 'patient' });
      expect(res.status).toBe(201);
      const setup = tokenOf((await smtp.waitForMail(email, /account was made for you/)).text ?? '')!;
      expect((await t.as(admin).post(`/api/users/${res.body.id}/password-reset/`)).status).toBe(202);
      const reset = tokenOf((await smtp.waitForMail(email, /Reset your password/)).text ?? '')!;
      const confirm = (token: string) => t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: CHOSEN_PASSWORD });
      expect((await confirm(setup)).status).toBe(400);
      expect((await confirm(reset)).status).toBe(204);
      expect((await confirm(reset)).status).toBe(400);
      expect((await login(t, { email, password: CHOSEN_PASSWORD })).status).toBe(200);
    });

    it('derives the username from the email when none is given', async () => {
      const local = uniqueName('derived').toLowerCase();
      const res = await t
        .as(admin)
        .post('/api/users/')
        .send({ email: `${local}@clinic.example`, role: 'patient' });
      expect(res.status, res.text).toBe(201);
      expect(res.body.username).toBe(local);
      expect(res.body.name).toBeNull();
    });

    it('answers 409 for a taken username, email (also as a look-alike) or phone, as registration does', async () => {
      const existing = await t.newUser();
      const fresh = uniqueName('fresh');
      for (const [body, field] of [
        [{ username: existing.username, email: `${fresh}@clinic.example`, role: 'patient' }, 'username'],
        [{ username: fresh, email: existing.email.toUpperCase(), role: 'patient' }, 'email'],
        [{ username: fresh, email: existing.email.replace('a', '\u0430'), role: 'patient' }, 'email'],
      ] as const) {
        const res = await t.as(admin).post('/api/users/').send(body);
        expect(res.status, JSON.stringify(body)).toBe(409);
        expect(Object.keys(res.body.errors)).toContain(field);
      }
      expect(await t.db.query('SELECT 1 FROM users WHERE username = $1', [fresh])).toEqual([]);
    });

    it('refuses a missing or unknown role and a password with 400, and anyone but an admin with 403', async () => {
      const email = `${uniqueName('nope')}@clinic.example`;
      expect((await t.as(admin).post('/api/users/').send({ email })).status).toBe(400);
      expect((await t.as(admin).post('/api/users/').send({ email, role: 'owner' })).status).toBe(400);
      expect((await t.as(admin).post('/api/users/').send({ email, role: 'patient', password: TEST_PASSWORD })).status).toBe(400);
      const patient = await t.newUser();
      const doctor = await t.newUser({ role: 'doctor' });
      for (const who of [patient, doctor]) {
        const res = await t.as(who).post('/api/users/').send({ email, role: 'admin' });
        expect(res.status).toBe(403);
      }
      expect(await t.db.query('SELECT 1 FROM users WHERE email = $1', [email])).toEqual([]);
    });
  });

  describe('PATCH /api/users/:id/ with email', () => {
    it('changes the email: the account logs in with the new one, not the old', async () => {
      const user = await t.newUser();
      const email = `${uniqueName('moved')}@clinic.example`;
      const res = await t.as(admin).patch(`/api/users/${user.id}/`).send({ email });
      expect(res.status, res.text).toBe(200);
      expect(res.body.email).toBe(email);
      expect((await login(t, { email, password: TEST_PASSWORD })).status).toBe(200);
      expect((await login(t, { email: user.email, password: TEST_PASSWORD })).status).toBe(401);
      const [event] = await t.db.query<{ actor_id: number; changed_fields: string[] }[]>(
        `SELECT actor_id, changed_fields FROM audit_events WHERE entity = 'user' AND entity_id = $1 AND action = 'update'`,
        [user.id],
      );
      expect(event).toEqual({ actor_id: admin.id, changed_fields: ['email'] });
    });

    it("refuses another account's email or a look-alike with 409, and null or a non-email with 400", async () => {
      const user = await t.newUser();
      const other = await t.newUser();
      for (const email of [other.email, other.email.toUpperCase(), other.email.replace('a', '\u0430')]) {
        const res = await t.as(admin).patch(`/api/users/${user.id}/`).send({ email });
        expect(res.status, email).toBe(409);
        expect(Object.keys(res.body.errors)).toEqual(['email']);
      }
      for (const email of [null, 'not-an-email']) {
        expect((await t.as(admin).patch(`/api/users/${user.id}/`).send({ email })).status).toBe(400);
      }
      expect((await t.as(admin).get(`/api/users/${user.id}/`)).body.email).toBe(user.email);
      // Its own email in another case is no conflict.
      const recased = await t.as(admin).patch(`/api/users/${user.id}/`).send({ email: user.email.toUpperCase() });
      expect(recased.status).toBe(200);
      expect(recased.body.email).toBe(user.email.toUpperCase());
    });

    it('holds the new email against look-alikes, and frees the old one', async () => {
      const user = await t.newUser();
      const email = `${uniqueName('moved')}@clinic.example`;
      expect((await t.as(admin).patch(`/api/users/${user.id}/`).send({ email })).status).toBe(200);
      const username = uniqueName('late');
      const lookAlike = await t
        .http()
        .post('/api/auth/register/')
        .send({ username, email: email.replace('a', '\u0430'), password: TEST_PASSWORD });
      expect(lookAlike.status, lookAlike.text).toBe(409);
      expect(Object.keys(lookAlike.body.errors)).toEqual(['email']);
      const old = await t.http().post('/api/auth/register/').send({ username, email: user.email, password: TEST_PASSWORD });
      expect(old.status, old.text).toBe(201);
    });

    it('refuses an email change to anyone but an admin', async () => {
      const user = await t.newUser();
      const res = await t
        .as(user)
        .patch(`/api/users/${user.id}/`)
        .send({ email: `${uniqueName('self')}@clinic.example` });
      expect(res.status).toBe(403);
    });
  });

  describe('POST /api/users/:id/sessions/end/', () => {
    it("ends every session of the account: its access and refresh tokens are refused, the admin's are not", async () => {
      const user = await t.newUser();
      const second = await login(t, { username: user.username, password: TEST_PASSWORD });
      expect((await t.as(user).get('/api/auth/me/')).status).toBe(200);

      expect((await t.as(admin).post(`/api/users/${user.id}/sessions/end/`)).status).toBe(204);
      expect((await t.as(user).get('/api/auth/me/')).status).toBe(401);
      expect((await t.as({ access: second.body.access }).get('/api/auth/me/')).status).toBe(401);
      for (const refresh of [user.refresh, second.body.refresh]) {
        expect((await t.http().post('/api/auth/token/refresh/').send({ refresh })).status).toBe(401);
      }
      expect((await t.as(admin).get('/api/auth/me/')).status).toBe(200);
      // The account itself is untouched: it logs in again.
      expect((await login(t, { username: user.username, password: TEST_PASSWORD })).status).toBe(200);
      // Session events are written by the trail's batch, shortly after the answer.
      await expect
        .poll(() =>
          t.db.query<{ actor_id: number }[]>(
            `SELECT actor_id FROM audit_events WHERE entity = 'user' AND entity_id = $1 AND action = 'logout_all'`,
            [user.id],
          ),
        )
        .toEqual([{ actor_id: admin.id }]);
    });

    it('answers 404 for an unknown account and 403 to anyone but an admin', async () => {
      expect((await t.as(admin).post('/api/users/2147483647/sessions/end/')).status).toBe(404);
      const user = await t.newUser();
      const victim = await t.newUser();
      expect((await t.as(user).post(`/api/users/${victim.id}/sessions/end/`)).status).toBe(403);
      expect((await t.as(victim).get('/api/auth/me/')).status).toBe(200);
    });
  });

  describe('POST /api/users/:id/password-reset/', () => {
    it('mails the account a reset link that sets a new password', async () => {
      const user = await t.newUser();
      expect((await t.as(admin).post(`/api/users/${user.id}/password-reset/`)).status).toBe(202);
      const mail = await smtp.waitForMail(user.email, /Reset your password/);
      const token = tokenOf(mail.text ?? '')!;
      // The password stays until the link is used.
      expect((await login(t, { username: user.username, password: TEST_PASSWORD })).status).toBe(200);
      expect((await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: CHOSEN_PASSWORD })).status).toBe(204);
      expect((await login(t, { username: user.username, password: CHOSEN_PASSWORD })).status).toBe(200);
    });

    it('answers 404 for an unknown account, 409 for a deactivated one and 403 to anyone but an admin', async () => {
      expect((await t.as(admin).post('/api/users/2147483647/password-reset/')).status).toBe(404);
      const user = await t.newUser();
      expect((await t.as(user).post(`/api/users/${user.id}/password-reset/`)).status).toBe(403);
      expect((await t.as(admin).patch(`/api/users/${user.id}/`).send({ is_active: false })).status).toBe(200);
      expect((await t.as(admin).post(`/api/users/${user.id}/password-reset/`)).status).toBe(409);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Its registration's verification mail came; no reset link did.
      expect(smtp.mails.some((mail) => JSON.stringify(mail.to ?? '').includes(user.email) && /reset/i.test(mail.subject ?? ''))).toBe(
        false,
      );
    });
  });

  describe('PATCH /api/auth/me/', () => {
    it('changes the name and phone without a password, and clears them with null', async () => {
      const user = await t.newUser();
      const res = await t.as(user).patch('/api/auth/me/').send({ name: '  Jane Q. Doe ', phone: '+1 555 7302' });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id: user.id, name: 'Jane Q. Doe', phone: '+1 555 7302', email: user.email });
      expect((await t.as(user).get('/api/auth/me/')).body).toMatchObject({ name: 'Jane Q. Doe', phone: '+1 555 7302' });
      const cleared = await t.as(user).patch('/api/auth/me/').send({ name: null, phone: null });
      expect(cleared.body).toMatchObject({ name: null, phone: null });
    });

    it("refuses another account's phone with 409 naming phone", async () => {
      const user = await t.newUser();
      const other = await t.newUser();
      expect((await t.as(other).patch('/api/auth/me/').send({ phone: '+1 555 7303' })).status).toBe(200);
      const res = await t.as(user).patch('/api/auth/me/').send({ phone: '+1 (555) 730-3' });
      expect(res.status).toBe(409);
      expect(Object.keys(res.body.errors)).toEqual(['phone']);
    });

    it('changes the email only with the right current password', async () => {
      const user = await t.newUser();
      const other = await t.newUser();
      const email = `${uniqueName('mine')}@clinic.example`;

      const without = await t.as(user).patch('/api/auth/me/').send({ email });
      expect(without.status).toBe(400);
      expect(Object.keys(without.body.errors)).toEqual(['current_password']);
      const wrong = await t.as(user).patch('/api/auth/me/').send({ email, current_password: 'not-my-password' });
      expect(wrong.status).toBe(400);
      expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
      const taken = await t.as(user).patch('/api/auth/me/').send({ email: other.email, current_password: TEST_PASSWORD });
      expect(taken.status).toBe(409);
      expect(Object.keys(taken.body.errors)).toEqual(['email']);
      expect((await t.as(user).get('/api/auth/me/')).body.email).toBe(user.email);

      const res = await t.as(user).patch('/api/auth/me/').send({ email, current_password: TEST_PASSWORD });
      expect(res.status, res.text).toBe(200);
      // The new address takes effect once its owner follows the link mailed to it.
      expect(res.body.email).toBe(user.email);
      const mail = await smtp.waitForMail(email, /Confirm your e-mail/);
      const token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
      expect((await t.http().post('/api/auth/email/verify/').send({ token })).status).toBe(204);
      expect((await t.as(user).get('/api/auth/me/')).body).toMatchObject({ email, email_verified: true });
      expect((await login(t, { email, password: TEST_PASSWORD })).status).toBe(200);
      // Sending back the email it has needs no password.
      expect((await t.as(user).patch('/api/auth/me/').send({ email, name: 'Same Mail' })).status).toBe(200);
    });

    it('refuses fields an account may not change on itself', async () => {
      const user = await t.newUser();
      for (const body of [{ role: 'admin' }, { is_active: false }, { username: 'renamed' }, { email: null }]) {
        expect((await t.as(user).patch('/api/auth/me/').send(body)).status, JSON.stringify(body)).toBe(400);
      }
      expect((await t.as(user).get('/api/auth/me/')).body).toMatchObject({ role: 'patient', username: user.username });
    });
  });
});
