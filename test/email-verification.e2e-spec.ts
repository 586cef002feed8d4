import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, uniqueName, useTestApp } from './support/test-app';

const tokenOf = (text: string) => /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

describe('e-mail verification (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({
    SMTP_URL: smtp.url,
    PUBLIC_URL: 'https://clinic.example',
    MAIL_RETRY_BASE_MS: '20',
    THROTTLE_AUTH_LIMIT: '10000',
  }));
  afterAll(() => smtp?.close());

  it('mails a link at registration whose token verifies the address, once', async () => {
    const user = await t.newUser();
    expect((await t.as(user).get('/api/auth/me/')).body.email_verified).toBe(false);
    const mail = await smtp.waitForMail(user.email, /Confirm your e-mail/);
    expect(mail.text).toContain('https://clinic.example/verify-email?token=');
    const token = tokenOf(mail.text ?? '')!;

    expect((await t.http().post('/api/auth/email/verify/').send({ token })).status).toBe(204);
    expect((await t.as(user).get('/api/auth/me/')).body.email_verified).toBe(true);
    const again = await t.http().post('/api/auth/email/verify/').send({ token });
    expect(again.status).toBe(400);
    expect(Object.keys(again.body.errors)).toEqual(['token']);
    expect((await t.http().post('/api/auth/email/verify/').send({ token: 'made-up' })).status).toBe(400);
  });

  it('sends a new link on request, voiding the older one, and answers 202 alike for an unknown account', async () => {
    const user = await t.newUser();
    const first = tokenOf((await smtp.waitForMail(user.email, /Confirm your e-mail/)).text ?? '')!;
    const count = smtp.mails.length;
    expect((await t.http().post('/api/auth/email/verify/resend/').send({ email: user.email })).status).toBe(202);
    await expect.poll(() => smtp.mails.length).toBeGreaterThan(count);
    const second = tokenOf(smtp.mails[smtp.mails.length - 1].text ?? '')!;
    expect(second).not.toBe(first);
    expect((await t.http().post('/api/auth/email/verify/').send({ token: first })).status).toBe(400);
    expect((await t.http().post('/api/auth/email/verify/').send({ token: second })).status).toBe(204);

    const before = smtp.mails.length;
    expect((await t.http().post('/api/auth/email/verify/resend/').send({ email: 'nobody-at-all@clinic.example' })).status).toBe(202);
    // A verified account gets nothing more either.
    expect((await t.http().post('/api/auth/email/verify/resend/').send({ username: user.username })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.mails.length).toBe(before);
  });

  it('counts a followed password reset link as a verification', async () => {
    const user = await t.newUser();
    await t.http().post('/api/auth/password/reset/').send({ email: user.email });
    const mail = await smtp.waitForMail(user.email, /Reset your password/);
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
    expect(
      (await t.http().post('/api/auth/password/reset/confirm/').send({ token, new_password: 'Quiet-Lantern-Orchard-73' })).status,
    ).toBe(204);
    const login = await t.http().post('/api/auth/login/').send({ username: user.username, password: 'Quiet-Lantern-Orchard-73' });
    expect(login.body.user.email_verified).toBe(true);
  });
});

describe('REQUIRE_VERIFIED_EMAIL (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, REQUIRE_VERIFIED_EMAIL: 'true', THROTTLE_AUTH_LIMIT: '10000' }));
  afterAll(() => smtp?.close());

  it('keeps an unverified account out with a 401 saying why, only given the right password', async () => {
    const username = uniqueName('unverified');
    const email = `${username}@clinic.example`;
    expect((await t.http().post('/api/auth/register/').send({ username, email, password: TEST_PASSWORD })).status).toBe(201);
    const refused = await t.http().post('/api/auth/login/').send({ username, password: TEST_PASSWORD });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/verify your e-mail/i);
    const wrong = await t.http().post('/api/auth/login/').send({ username, password: 'not-the-password-at-all' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).not.toMatch(/verify/i);

    const token = tokenOf((await smtp.waitForMail(email, /Confirm your e-mail/)).text ?? '')!;
    expect((await t.http().post('/api/auth/email/verify/').send({ token })).status).toBe(204);
    expect((await t.http().post('/api/auth/login/').send({ username, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('lets admins made by create-admin in: the operator vouches for the address', async () => {
    const admin = await t.newAdmin();
    expect((await t.as(admin).get('/api/auth/me/')).body.email_verified).toBe(true);
  });
});
