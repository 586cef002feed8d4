import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generate } from 'otplib';
import type { DestinationStream } from 'pino';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnApp, startOwnApp } from './support/instances';
import { expectProblem, expectUnauthorized } from './support/problems';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, TEST_REFRESH_SECRET, TestUser, uniqueName } from './support/test-app';
import { signAccessToken, tamperedToken, unsignedToken } from './support/tokens';

/**
 * The account tokens attacked as an attacker would, through HTTP against the real app, a real
 * PostgreSQL and a real SMTP server: password reset and e-mail verification tokens (read from the
 * mails), the MFA login's mfa_token, TOTP codes and recovery codes (computed from the secret),
 * refresh and access tokens. Reuse, expiry, the wrong account, enumeration by message and by
 * timing, and leaks into logs and responses. The flows themselves are tested in
 * account-security, email-verification, lockout, mfa and admin-accounts e2e specs.
 */

const PASSWORDS = ['Quiet-Lantern-Orchard-73', 'Amber-Kettle-Meadow-58', 'Silver-Canyon-Thistle-91'];
const WRONG = 'not-the-password-at-all';
const resetTokenOf = (text: string) => /reset-password\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
const verifyTokenOf = (text: string) => /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text)?.[1];
/** A TOTP code `steps` 30-second steps from now (the service accepts one step of drift, and each step once). */
const totp = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
const otherCode = (code: string) => (code === '000000' ? '111111' : '000000');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A problem body without what differs from one request to the next anyway. */
const comparable = (res: Response) =>
  Object.fromEntries(Object.entries(res.body as Record<string, unknown>).filter(([key]) => key !== 'request_id'));
/**
 * The headers without those that differ per request whatever the account: its id, the clock, and
 * the address's rate-limit budget, which counts down with every request (the limits stay compared).
 */
const comparableHeaders = (res: Response) =>
  Object.fromEntries(
    Object.entries(res.headers as Record<string, string>).filter(
      ([name]) => !/^(x-request-id|date|x-ratelimit-remaining.*|x-ratelimit-reset.*)$/.test(name),
    ),
  );

/** Every line the app logged and every response body it sent. */
interface Capture {
  logLines: string[];
  responses: { url: string; body: string }[];
}
function capture(): { seen: Capture; logDestination: DestinationStream; beforeInit: (app: NestFastifyApplication) => void } {
  const seen: Capture = { logLines: [], responses: [] };
  return {
    seen,
    logDestination: { write: (line: string) => void seen.logLines.push(line) },
    beforeInit: (app) =>
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onSend', (request, _reply, payload: unknown, done: (error: null, payload: unknown) => void) => {
          const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
          seen.responses.push({ url: request.url, body });
          done(null, payload);
        }),
  };
}

/** What every suite below needs of an app: accounts, their mails, their second factor. */
function accounts(app: () => OwnApp, smtp: () => TestSmtpServer, issued: string[]) {
  const register = async (): Promise<TestUser> => {
    const username = uniqueName('tok');
    const res = await app()
      .http()
      .post('/api/auth/register/')
      .send({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD });
    expect(res.status, res.text).toBe(201);
    return { ...res.body.user, password: TEST_PASSWORD, ...res.body.tokens } as TestUser;
  };
  const mailsTo = (email: string, subject: RegExp) =>
    smtp().mails.filter((mail) => JSON.stringify(mail.to).toLowerCase().includes(email.toLowerCase()) && subject.test(mail.subject ?? ''));
  /** The text of the next mail to `email` matching `subject` after `action`. */
  const nextMail = async (email: string, subject: RegExp, action: () => Promise<unknown>) => {
    const before = mailsTo(email, subject).length;
    await action();
    await expect.poll(() => mailsTo(email, subject).length, { timeout: 5_000 }).toBeGreaterThan(before);
    return mailsTo(email, subject).at(-1)!.text ?? '';
  };
  const resetToken = async (user: Pick<TestUser, 'email'>) =>
    resetTokenOf(
      await nextMail(user.email, /Reset your password/, () => app().http().post('/api/auth/password/reset/').send({ email: user.email })),
    )!;
  /** The registration's verification token. */
  const verificationToken = async (user: Pick<TestUser, 'email'>) =>
    verifyTokenOf((await smtp().waitForMail(user.email, /Confirm your e-mail/)).text ?? '')!;
  const confirmReset = (token: string, password: string) =>
    app().http().post('/api/auth/password/reset/confirm/').send({ token, new_password: password });
  const verify = (token: string) => app().http().post('/api/auth/email/verify/').send({ token });
  const login = (username: string, password: string) => app().http().post('/api/auth/login/').send({ username, password });
  const loginMfa = (body: object) => app().http().post('/api/auth/login/mfa/').send(body);
  const refresh = (token: string) => app().http().post('/api/auth/token/refresh/').send({ refresh: token });

  /** MFA on, enabled with the previous step's code: the current and next steps stay usable. */
  const withMfa = async (user: TestUser): Promise<{ secret: string; recoveryCodes: string[] }> => {
    const setup = await app().as(user).post('/api/auth/mfa/totp/setup/');
    expect(setup.status, setup.text).toBe(200);
    const enable = await app()
      .as(user)
      .post('/api/auth/mfa/totp/enable/')
      .send({ code: await totp(setup.body.secret, -1) });
    expect(enable.status, enable.text).toBe(200);
    issued.push(setup.body.secret, setup.body.otpauth_url, ...enable.body.recovery_codes);
    return { secret: setup.body.secret, recoveryCodes: enable.body.recovery_codes };
  };
  const firstStep = async (user: TestUser): Promise<string> => {
    const res = await login(user.username, user.password);
    expect(res.body, res.text).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    return res.body.mfa_token as string;
  };
  const passwordHash = async (id: number) =>
    (await app().db.query<{ h: string }[]>('SELECT password_hash AS h FROM users WHERE id = $1', [id]))[0].h;
  return {
    register,
    nextMail,
    resetToken,
    verificationToken,
    confirmReset,
    verify,
    login,
    loginMfa,
    refresh,
    withMfa,
    firstStep,
    passwordHash,
  };
}

describe('security: account tokens (e2e)', () => {
  let smtp: TestSmtpServer;
  let t: OwnApp;
  const main = capture();
  /** Secrets the service handed out that are not JWTs: TOTP secrets, otpauth URLs, recovery codes. */
  const issued: string[] = [];
  const a = accounts(
    () => t,
    () => smtp,
    issued,
  );
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startOwnApp(
      {
        SMTP_URL: smtp.url,
        PUBLIC_URL: 'https://clinic.example',
        MAIL_RETRY_BASE_MS: '20',
        // Info, as in production: the request lines and the services' own messages.
        LOG_LEVEL: 'info',
        LOGIN_LOCKOUT_THRESHOLD: '3',
        LOGIN_LOCKOUT_DURATION: '15m',
      },
      main,
    );
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  describe('reuse', () => {
    /** A single-use token: `use(i)` is its i-th use (0 the first); `ok` its first use's status, `refused` every later one's. */
    interface SingleUse {
      issue: () => Promise<{ use: (i: number) => Promise<Response>; after?: (winner: number) => Promise<void> }>;
      ok: number;
      refused: number;
      field?: string;
    }
    const SINGLE_USE: Record<string, SingleUse> = {
      'a password reset token': {
        ok: 204,
        refused: 400,
        field: 'token',
        issue: async () => {
          const user = await a.register();
          const token = await a.resetToken(user);
          return {
            use: (i) => a.confirmReset(token, PASSWORDS[i]),
            // Only the winning use's password was set: no later one overwrote it.
            after: async (winner) => {
              for (const [i, password] of PASSWORDS.entries()) {
                expect((await a.login(user.username, password)).status, `password ${i}`).toBe(i === winner ? 200 : 401);
              }
            },
          };
        },
      },
      'an e-mail verification token': {
        ok: 204,
        refused: 400,
        field: 'token',
        issue: async () => {
          const user = await a.register();
          const token = await a.verificationToken(user);
          return { use: () => a.verify(token) };
        },
      },
      'a TOTP code (the same time step, with a new mfa_token each time)': {
        ok: 200,
        refused: 401,
        issue: async () => {
          const user = await a.register();
          const { secret } = await a.withMfa(user);
          const tokens = await Promise.all(PASSWORDS.map(() => a.firstStep(user)));
          const code = await totp(secret);
          return { use: (i) => a.loginMfa({ mfa_token: tokens[i], code }) };
        },
      },
      'a recovery code': {
        ok: 200,
        refused: 401,
        issue: async () => {
          const user = await a.register();
          const { recoveryCodes } = await a.withMfa(user);
          const tokens = await Promise.all(PASSWORDS.map(() => a.firstStep(user)));
          return { use: (i) => a.loginMfa({ mfa_token: tokens[i], recovery_code: recoveryCodes[0] }) };
        },
      },
      'a refresh token (rotation)': {
        ok: 200,
        refused: 401,
        issue: async () => {
          const user = await a.register();
          return { use: () => a.refresh(user.refresh) };
        },
      },
    };

    it.each(Object.entries(SINGLE_USE))('%s works once: every later use is refused', async (_, { issue, ok, refused, field }) => {
      const { use, after } = await issue();
      expect((await use(0)).status).toBe(ok);
      for (const i of [1, 2]) {
        const again = await use(i);
        expectProblem(again, refused);
        if (field) expect(Object.keys(again.body.errors)).toEqual([field]);
      }
      await after?.(0);
    });

    it.each(Object.entries(SINGLE_USE))('%s works once also when its uses race', async (_, { issue, ok, refused }) => {
      const { use, after } = await issue();
      const answers = await Promise.all(PASSWORDS.map((__, i) => use(i)));
      const statuses = answers.map((res) => res.status);
      expect([...statuses].sort()).toEqual([ok, refused, refused].sort());
      await after?.(statuses.indexOf(ok));
    });

    it('lets an mfa_token carry several logins within its 5 minutes, each with a code not used before, and never a used one', async () => {
      // By design: the mfa_token proves the password only; the code is the single-use factor.
      const user = await a.register();
      const { secret, recoveryCodes } = await a.withMfa(user);
      const mfaToken = await a.firstStep(user);
      const now = await totp(secret);
      expect((await a.loginMfa({ mfa_token: mfaToken, code: now })).status).toBe(200);
      expectUnauthorized(await a.loginMfa({ mfa_token: mfaToken, code: now }));
      expect((await a.loginMfa({ mfa_token: mfaToken, recovery_code: recoveryCodes[0] })).status).toBe(200);
      expectUnauthorized(await a.loginMfa({ mfa_token: mfaToken, recovery_code: recoveryCodes[0] }));
      // Every earlier step is spent with the one used: the previous step's code too.
      expectUnauthorized(await a.loginMfa({ mfa_token: mfaToken, code: await totp(secret, -1) }));
    });

    /** How an account's sessions end; `kept`: the caller's own session goes on (a password change). */
    const ENDINGS: Record<string, { end: (user: TestUser, admin: TestUser) => Promise<Response>; kept: boolean }> = {
      'a logout everywhere': { end: (user) => t.as(user).post('/api/auth/logout/all/'), kept: false },
      'a password change': {
        end: (user) => t.as(user).post('/api/auth/password/change/').send({ current_password: TEST_PASSWORD, new_password: PASSWORDS[0] }),
        kept: true,
      },
      'a password reset': { end: async (user) => a.confirmReset(await a.resetToken(user), PASSWORDS[0]), kept: false },
      "an admin's end of the sessions": { end: (user, admin) => t.as(admin).post(`/api/users/${user.id}/sessions/end/`), kept: false },
    };

    it.each(Object.entries(ENDINGS))('refuses the refresh and access tokens of every session after %s', async (_, { end, kept }) => {
      const admin = await t.newAdmin();
      const user = await a.register();
      const second = await a.login(user.username, TEST_PASSWORD);
      expect(second.status).toBe(200);
      const third = await a.login(user.username, TEST_PASSWORD);
      const rotated = await a.refresh(second.body.refresh);
      expect(rotated.status).toBe(200);
      expect([200, 202, 204]).toContain((await end(user, admin)).status);

      // Every access token issued until then, the caller's own included.
      for (const access of [user.access, second.body.access, rotated.body.access, third.body.access]) {
        const res = await t.as({ access }).get('/api/auth/me/');
        expectUnauthorized(res);
        expect(res.body.detail).toMatch(/session .* has ended/i);
      }
      // Every refresh token of the other sessions, a rotated one included.
      for (const refresh of [rotated.body.refresh, third.body.refresh]) expectUnauthorized(await a.refresh(refresh));
      const own = await a.refresh(user.refresh);
      if (kept) {
        expect(own.status).toBe(200);
        expect((await t.as(own.body).get('/api/auth/me/')).status).toBe(200);
      } else expectUnauthorized(own);
    });

    it("refuses an mfa_token issued before the account's sessions ended", async () => {
      const user = await a.register();
      const { secret } = await a.withMfa(user);
      const mfaToken = await a.firstStep(user);
      const session = await a.loginMfa({ mfa_token: await a.firstStep(user), code: await totp(secret) });
      expect(session.status).toBe(200);
      expect((await t.as(session.body).post('/api/auth/logout/all/')).status).toBe(204);
      expectUnauthorized(await a.loginMfa({ mfa_token: mfaToken, code: await totp(secret, 1) }));
      // The code was good: a new first step takes it.
      expect((await a.loginMfa({ mfa_token: await a.firstStep(user), code: await totp(secret, 1) })).status).toBe(200);
    });
  });

  describe('expiry and forgery', () => {
    it('refuses an access token issued before tokens_valid_after, and takes one issued after', async () => {
      const user = await a.register();
      expect((await t.as(user).post('/api/auth/logout/all/')).status).toBe(204);
      const [{ after }] = await t.db.query<{ after: Date }[]>('SELECT tokens_valid_after AS after FROM users WHERE id = $1', [user.id]);
      const claims = { sub: String(user.id), username: user.username, role: user.role };
      const at = (ms: number) => signAccessToken({ ...claims, iat_ms: ms });
      const ended = await t.as({ access: at(after.getTime() - 1) }).get('/api/auth/me/');
      expectUnauthorized(ended);
      expect(ended.body.detail).toMatch(/session .* has ended/i);
      // A token of before iat_ms existed: its iat (seconds) is judged the same way.
      const legacy = signAccessToken({ ...claims, iat: Math.floor(after.getTime() / 1000) - 1 });
      expectUnauthorized(await t.as({ access: legacy }).get('/api/auth/me/'));
      // The same claims issued after it: accepted, so the instant was the refusal.
      expect((await t.as({ access: at(after.getTime() + 1) }).get('/api/auth/me/')).status).toBe(200);
    });

    it('refuses every forged or borrowed mfa_token with 401, however right the code', async () => {
      const user = await a.register();
      const other = await a.register();
      const { secret } = await a.withMfa(user);
      const real = await a.firstStep(user);
      const now = Math.floor(Date.now() / 1000);
      const mfaClaims = { sub: String(user.id), type: 'mfa', jti: 'forged', iat_ms: Date.now(), iat: now };
      const FORGED: Record<string, string> = {
        'expired (a signed mfa token past its 5 minutes)': signAccessToken({
          ...mfaClaims,
          iat: now - 400,
          iat_ms: (now - 400) * 1000,
          exp: now - 100,
        }),
        'signed with another secret': signAccessToken({ ...mfaClaims, exp: now + 100 }, 'not-the-secret-of-this-service-0123456789'),
        'signed with the refresh secret': signAccessToken({ ...mfaClaims, exp: now + 100 }, TEST_REFRESH_SECRET),
        'unsigned (alg none)': unsignedToken(real),
        'tampered (sub changed, signature kept)': tamperedToken(real),
        'an access token of the account': user.access,
        'an access token of another account': other.access,
        'a refresh token of the account': user.refresh,
        'a signed mfa token without iat_ms': signAccessToken({ sub: String(user.id), type: 'mfa', exp: now + 100 }),
        empty: '',
      };
      const code = await totp(secret);
      for (const [name, token] of Object.entries(FORGED)) {
        const res = await a.loginMfa({ mfa_token: token, code });
        expect(res.status, name).toBe(token === '' ? 400 : 401);
        expect(res.body.access, name).toBeUndefined();
      }
      // The code was right all along, and none of the refusals spent it.
      expect((await a.loginMfa({ mfa_token: real, code })).status).toBe(200);
    });
  });

  describe('the wrong account', () => {
    it("refuses account A's mfa_token with B's code or recovery code, and spends neither", async () => {
      const userA = await a.register();
      const userB = await a.register();
      await a.withMfa(userA);
      const b = await a.withMfa(userB);
      const tokenA = await a.firstStep(userA);
      const codeB = await totp(b.secret);
      expectUnauthorized(await a.loginMfa({ mfa_token: tokenA, code: codeB }));
      expectUnauthorized(await a.loginMfa({ mfa_token: tokenA, recovery_code: b.recoveryCodes[0] }));
      const asB = await a.loginMfa({ mfa_token: await a.firstStep(userB), code: codeB });
      expect(asB.status).toBe(200);
      expect(asB.body.user.id).toBe(userB.id);
      const again = await a.loginMfa({ mfa_token: await a.firstStep(userB), recovery_code: b.recoveryCodes[0] });
      expect(again.status).toBe(200);
      expect(again.body.user.id).toBe(userB.id);
    });

    it('changes only the account a reset token was mailed to, whatever else the body names', async () => {
      const userA = await a.register();
      const userB = await a.register();
      const tokenA = await a.resetToken(userA);
      const tokenB = await a.resetToken(userB);
      const hashB = await a.passwordHash(userB.id);
      // Another account named in the body: refused as an unknown field, or ignored; never B's change.
      for (const extra of [{ username: userB.username }, { email: userB.email }, { user_id: userB.id }]) {
        const res = await t
          .http()
          .post('/api/auth/password/reset/confirm/')
          .send({ token: tokenA, new_password: PASSWORDS[1], ...extra });
        expect(res.status, JSON.stringify(extra)).toBe(400);
      }
      expect((await a.confirmReset(tokenA, PASSWORDS[0])).status).toBe(204);
      expect((await a.login(userA.username, PASSWORDS[0])).body.user.id).toBe(userA.id);
      // B: the same hash, its sessions alive, its own link still good.
      expect(await a.passwordHash(userB.id)).toBe(hashB);
      expect((await a.login(userB.username, PASSWORDS[0])).status).toBe(401);
      expect((await a.refresh(userB.refresh)).status).toBe(200);
      expect((await a.confirmReset(tokenB, PASSWORDS[2])).status).toBe(204);
    });

    it('verifies only the account and the address a verification token was mailed for', async () => {
      const userA = await a.register();
      const userB = await a.register();
      const tokenB = await a.verificationToken(userB);
      const newEmail = `${uniqueName('moved')}@clinic.example`;
      const tokenA = verifyTokenOf(
        await a.nextMail(newEmail, /Confirm your e-mail/, async () => {
          const res = await t.as(userA).patch('/api/auth/me/').send({ email: newEmail, current_password: TEST_PASSWORD });
          expect(res.status, res.text).toBe(200);
        }),
      )!;
      expect((await a.verify(tokenA)).status).toBe(204);
      const rows = await t.db.query<{ id: number; email: string; email_verified: boolean }[]>(
        'SELECT id, email, email_verified FROM users WHERE id = ANY($1) ORDER BY id',
        [[userA.id, userB.id]],
      );
      expect(rows).toEqual([
        { id: userA.id, email: newEmail, email_verified: true },
        { id: userB.id, email: userB.email, email_verified: false },
      ]);
      expect((await a.verify(tokenB)).status).toBe(204);
    });

    it("answers DELETE of another account's session exactly as a missing one, and leaves it alive", async () => {
      const owner = await a.register();
      const attacker = await a.register();
      const [{ id }] = (await t.as(owner).get('/api/auth/sessions/')).body as { id: number }[];
      const theirs = await t.as(attacker).delete(`/api/auth/sessions/${id}/`);
      const missing = await t.as(attacker).delete('/api/auth/sessions/2147483647/');
      expectProblem(theirs, 404);
      expectProblem(missing, 404);
      expect({ ...comparable(theirs), instance: undefined }).toEqual({ ...comparable(missing), instance: undefined });
      expect((await t.as(owner).get('/api/auth/sessions/')).body).toEqual([expect.objectContaining({ id })]);
      expect((await a.refresh(owner.refresh)).status).toBe(200);
    });
  });

  describe('enumeration by message', () => {
    const REQUESTS: Record<string, { path: string; body: (user: TestUser | null) => object }> = {
      'a reset request by email': {
        path: '/api/auth/password/reset/',
        body: (user) => ({ email: user?.email ?? 'nobody-at-all@clinic.example' }),
      },
      'a reset request by username': {
        path: '/api/auth/password/reset/',
        body: (user) => ({ username: user?.username ?? uniqueName('ghost') }),
      },
      'a verification resend by email': {
        path: '/api/auth/email/verify/resend/',
        body: (user) => ({ email: user?.email ?? 'nobody-at-all@clinic.example' }),
      },
      'a verification resend by username': {
        path: '/api/auth/email/verify/resend/',
        body: (user) => ({ username: user?.username ?? uniqueName('ghost') }),
      },
    };

    it.each(Object.entries(REQUESTS))('answers %s alike for an existing and an unknown account', async (_, { path, body }) => {
      const user = await a.register();
      const known = await t.http().post(path).send(body(user));
      const unknown = await t.http().post(path).send(body(null));
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(known.status);
      expect(comparableHeaders(unknown)).toEqual(comparableHeaders(known));
      expect(unknown.text).toBe(known.text);
    });

    it('answers the login of a locked, deactivated or unknown account exactly as a wrong password', async () => {
      const admin = await t.newAdmin();
      const locked = await a.register();
      const deactivated = await a.register();
      const wrong = await a.login(locked.username, WRONG);
      for (let i = 0; i < 2; i++) expectUnauthorized(await a.login(locked.username, WRONG));
      expect((await t.as(admin).patch(`/api/users/${deactivated.id}/`).send({ is_active: false })).status).toBe(200);
      const [{ until }] = await t.db.query<{ until: Date | null }[]>('SELECT locked_until AS until FROM users WHERE id = $1', [locked.id]);
      expect(until!.getTime()).toBeGreaterThan(Date.now());

      const CASES: Record<string, Promise<Response>> = {
        'locked, the right password': a.login(locked.username, TEST_PASSWORD),
        'locked, a wrong password': a.login(locked.username, WRONG),
        'deactivated, the right password': a.login(deactivated.username, TEST_PASSWORD),
        'unknown account': a.login(uniqueName('ghost'), TEST_PASSWORD),
      };
      expectUnauthorized(wrong);
      for (const [name, pending] of Object.entries(CASES)) {
        const res = await pending;
        expect(res.status, name).toBe(401);
        expect(comparable(res), name).toEqual(comparable(wrong));
        expect(comparableHeaders(res), name).toEqual(comparableHeaders(wrong));
      }
    });

    it("refuses a locked account's second step like a wrong code, even with the right code, and does not unlock it", async () => {
      // Per-account lockout must stop TOTP guessing: an mfa_token lives 5 minutes, enough to try
      // many codes from many addresses if the lock does not hold at this step.
      const user = await a.register();
      const { secret } = await a.withMfa(user);
      const mfaToken = await a.firstStep(user);
      const right = await totp(secret);
      const wrongCode = await a.loginMfa({ mfa_token: mfaToken, code: otherCode(right) });
      for (let i = 0; i < 2; i++) expectUnauthorized(await a.loginMfa({ mfa_token: mfaToken, code: otherCode(right) }));
      const lockedUntil = async () =>
        (await t.db.query<{ until: Date | null }[]>('SELECT locked_until AS until FROM users WHERE id = $1', [user.id]))[0].until;
      expect((await lockedUntil())!.getTime()).toBeGreaterThan(Date.now());

      const res = await a.loginMfa({ mfa_token: mfaToken, code: right });
      expectUnauthorized(res);
      expect(res.body.access).toBeUndefined();
      expect(comparable(res)).toEqual(comparable(wrongCode));
      expect((await lockedUntil())!.getTime()).toBeGreaterThan(Date.now());
    });

    it('answers a made-up, a used and a voided token alike, for resets and verifications', async () => {
      const user = await a.register();
      const verification = await a.verificationToken(user);
      expect((await a.verify(verification)).status).toBe(204);
      const voided = await a.resetToken(user);
      const used = await a.resetToken(user);
      expect((await a.confirmReset(used, PASSWORDS[0])).status).toBe(204);
      const made = 'q0Vb9cW1kLr7TtYm3XhE2aJf8sNd4uPz6gKiOyRwBcA';
      const resets = await Promise.all([made, used, voided].map((token) => a.confirmReset(token, PASSWORDS[1])));
      const verifies = await Promise.all([made, verification].map((token) => a.verify(token)));
      for (const group of [resets, verifies]) {
        for (const res of group) {
          expectProblem(res, 400);
          expect(comparable(res)).toEqual(comparable(group[0]));
        }
      }
    });
  });

  describe('enumeration by timing', () => {
    // Login: a wrong password, an unknown and a locked account wait for the same floor (proved in
    // django-passwords.e2e-spec.ts, "answers an unknown account no sooner than a wrong password").
    // The requests below answer before they look anything up: proved structurally, with the
    // users table locked, rather than by timing them.
    it.each([
      ['a reset request', '/api/auth/password/reset/', /Reset your password/],
      ['a verification resend', '/api/auth/email/verify/resend/', /Confirm your e-mail/],
    ])('answers %s before any lookup, for an existing and an unknown account alike', async (_, path, subject) => {
      const user = await a.register();
      await smtp.waitForMail(user.email, /Confirm your e-mail/);
      const mailsForUser = () =>
        smtp.mails.filter((mail) => JSON.stringify(mail.to).includes(user.email) && subject.test(mail.subject ?? '')).length;
      const before = mailsForUser();
      const runner = t.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
        for (const email of [user.email, 'nobody-at-all@clinic.example']) {
          const res = await t.http().post(path).send({ email }).timeout(5_000);
          expect(res.status).toBe(202);
        }
        await sleep(200);
        expect(mailsForUser(), 'nothing was looked up yet').toBe(before);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
      // Once the table is free, the work goes on: the account's mail follows.
      await expect.poll(mailsForUser).toBeGreaterThan(before);
    });
  });

  describe('no token where it does not belong', () => {
    it('logs none, and answers each only in the response that issues it (the mailed ones in none)', async () => {
      // One more pass through every flow, so this test stands alone; it checks the whole file's traffic.
      const user = await a.register();
      expect((await a.verify(await a.verificationToken(user))).status).toBe(204);
      expect((await a.confirmReset(await a.resetToken(user), PASSWORDS[0])).status).toBe(204);
      user.password = PASSWORDS[0];
      const session = await a.login(user.username, PASSWORDS[0]);
      Object.assign(user, session.body);
      const { secret } = await a.withMfa(user);
      const mfa = await a.loginMfa({ mfa_token: await a.firstStep(user), code: await totp(secret) });
      expect(mfa.status).toBe(200);
      expect((await a.refresh(mfa.body.refresh)).status).toBe(200);
      for (const path of ['/api/auth/me/', '/api/auth/sessions/']) expect((await t.as(mfa.body).get(path)).status).toBe(200);
      expect((await t.as(mfa.body).post('/api/auth/logout/all/')).status).toBe(204);

      const mailed = smtp.mails.flatMap((mail) => [resetTokenOf(mail.text ?? ''), verifyTokenOf(mail.text ?? '')].filter((x) => x != null));
      const jwts = new Set(main.seen.responses.flatMap((res) => res.body.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? []));
      expect(mailed.length).toBeGreaterThan(20);
      expect(jwts.size).toBeGreaterThan(50);
      expect(issued.length).toBeGreaterThan(50);
      const typedRecoveryCodes = issued
        .filter((value) => /^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/.test(value))
        .map((code) => code.replace(/-/g, ''));

      const responsesWith = (value: string) => main.seen.responses.filter((res) => res.body.includes(value));
      for (const token of mailed) expect(responsesWith(token), 'a mailed token in a response').toEqual([]);
      for (const value of [...jwts, ...issued]) expect(responsesWith(value).length, `${value} in more than one response`).toBe(1);

      const logLines = main.seen.logLines;
      expect(
        logLines.some((line) => line.includes('/api/auth/login/mfa/')),
        'the requests are logged',
      ).toBe(true);
      for (const line of logLines) {
        for (const value of [...mailed, ...jwts, ...issued, ...typedRecoveryCodes]) {
          expect(line.includes(value), `a log line shows a token: ${line.slice(0, 300)}`).toBe(false);
        }
      }
      console.info(
        `account tokens: ${logLines.length} log lines (level info) and ${main.seen.responses.length} responses checked against ` +
          `${mailed.length} mailed tokens, ${jwts.size} JWTs and ${issued.length} TOTP secrets, URLs and recovery codes`,
      );
    });
  });
});

describe('security: account tokens past their time (e2e)', () => {
  let smtp: TestSmtpServer;
  let t: OwnApp;
  const a = accounts(
    () => t,
    () => smtp,
    [],
  );
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startOwnApp({ SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '20', PASSWORD_RESET_TTL: '1s', EMAIL_VERIFICATION_TTL: '1s' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('refuses an expired reset token and an expired verification token, changing nothing', async () => {
    const user = await a.register();
    const [reset, verification] = await Promise.all([a.resetToken(user), a.verificationToken(user)]);
    await sleep(1_100);
    const refusedReset = await a.confirmReset(reset, PASSWORDS[0]);
    expectProblem(refusedReset, 400);
    expect(Object.keys(refusedReset.body.errors)).toEqual(['token']);
    const refusedVerify = await a.verify(verification);
    expectProblem(refusedVerify, 400);
    expect(Object.keys(refusedVerify.body.errors)).toEqual(['token']);
    expect((await a.login(user.username, TEST_PASSWORD)).body.user).toMatchObject({ id: user.id, email_verified: false });

    // Fresh ones, used at once, work: the time was the refusal. (Verification first: a followed
    // reset link verifies the address too.)
    const resent = verifyTokenOf(
      await a.nextMail(user.email, /Confirm your e-mail/, () =>
        t.http().post('/api/auth/email/verify/resend/').send({ email: user.email }),
      ),
    )!;
    expect((await a.verify(resent)).status).toBe(204);
    expect((await a.confirmReset(await a.resetToken(user), PASSWORDS[0])).status).toBe(204);
  });
});
