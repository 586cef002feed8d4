import { generate } from 'otplib';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectUnauthorized } from './support/problems';
import { TEST_PASSWORD, TestUser, useTestApp } from './support/test-app';
import { decodeClaims, signAccessToken } from './support/tokens';

/**
 * The app's code `steps` time steps from now (each 30 s): the service accepts one step of drift
 * either way, and a step once. A test that needs several codes of one account takes them at
 * increasing offsets, so each is of a later step than the one before, whenever the clock turns.
 */
const code = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

const SET_UP_FIRST = 'Set up two-factor authentication first.';

describe('two-factor authentication (e2e)', () => {
  const t = useTestApp({ MFA_REQUIRED_ROLES: 'admin', MFA_ISSUER: 'Test Clinic' });

  const login = (user: Pick<TestUser, 'username'>) =>
    t.http().post('/api/auth/login/').send({ username: user.username, password: TEST_PASSWORD });
  const loginMfa = (body: object) => t.http().post('/api/auth/login/mfa/').send(body);

  /** Sets MFA up and enables it with the code of the previous step: the current and next remain for the test. */
  async function withMfa(user: TestUser): Promise<{ secret: string; recoveryCodes: string[] }> {
    const setup = await t.as(user).post('/api/auth/mfa/totp/setup/');
    expect(setup.status, setup.text).toBe(200);
    const enable = await t
      .as(user)
      .post('/api/auth/mfa/totp/enable/')
      .send({ code: await code(setup.body.secret, -1) });
    expect(enable.status, enable.text).toBe(200);
    return { secret: setup.body.secret, recoveryCodes: enable.body.recovery_codes };
  }

  /** The first step of a login of an account with MFA: its mfa_token. */
  async function firstStep(user: TestUser): Promise<string> {
    const res = await login(user);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    return res.body.mfa_token as string;
  }

  const mfaColumns = async (id: number) =>
    (
      await t.db.query<{ mfa_secret: string | null; mfa_pending_secret: string | null; mfa_enabled_at: Date | null }[]>(
        'SELECT mfa_secret, mfa_pending_secret, mfa_enabled_at FROM users WHERE id = $1',
        [id],
      )
    )[0];

  describe('setting it up', () => {
    it('answers a base32 secret and its otpauth URL, pending (and encrypted) until enabled', async () => {
      const user = await t.newUser();
      const res = await t.as(user).post('/api/auth/mfa/totp/setup/');
      expect(res.status, res.text).toBe(200);
      const { secret, otpauth_url } = res.body as { secret: string; otpauth_url: string };
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      const url = new URL(otpauth_url);
      expect(url.protocol).toBe('otpauth:');
      expect(url.host).toBe('totp');
      expect(decodeURIComponent(url.pathname)).toBe(`/Test Clinic:${user.username}`);
      expect(Object.fromEntries(url.searchParams)).toMatchObject({ secret, issuer: 'Test Clinic' });
      expect(url.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
      expect(url.searchParams.get('digits') ?? '6').toBe('6');
      expect(url.searchParams.get('period') ?? '30').toBe('30');

      // Not in clear, in no form a dump would show; not active yet.
      const row = await mfaColumns(user.id);
      expect(row.mfa_pending_secret).toMatch(/^v1\./);
      expect(row.mfa_pending_secret).not.toContain(secret);
      expect(row.mfa_pending_secret).not.toContain(Buffer.from(secret).toString('base64'));
      expect(row.mfa_secret).toBeNull();
      expect(row.mfa_enabled_at).toBeNull();
      const plain = await login(user);
      expect(plain.status).toBe(200);
      expect(plain.body.access).toEqual(expect.any(String));
    });

    it('enables it with a code of the secret (400 naming code for a wrong one), answering ten recovery codes', async () => {
      const user = await t.newUser();
      const { secret } = (await t.as(user).post('/api/auth/mfa/totp/setup/')).body as { secret: string };
      const right = await code(secret);
      const wrong = right === '000000' ? '111111' : '000000';
      const refused = await t.as(user).post('/api/auth/mfa/totp/enable/').send({ code: wrong });
      expectProblem(refused, 400);
      expect(Object.keys(refused.body.errors)).toEqual(['code']);
      expect((await mfaColumns(user.id)).mfa_enabled_at).toBeNull();

      const res = await t.as(user).post('/api/auth/mfa/totp/enable/').send({ code: right });
      expect(res.status, res.text).toBe(200);
      const codes = res.body.recovery_codes as string[];
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      const row = await mfaColumns(user.id);
      expect(row.mfa_enabled_at).toBeInstanceOf(Date);
      expect(row.mfa_pending_secret).toBeNull();
      expect(row.mfa_secret).toMatch(/^v1\./);
      expect(row.mfa_secret).not.toContain(secret);
      // Stored hashed: no code is in the table.
      const stored = await t.db.query<{ code_hash: string }[]>('SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1', [user.id]);
      expect(stored).toHaveLength(10);
      for (const { code_hash } of stored) for (const recovery of codes) expect(code_hash).not.toContain(recovery.replace(/-/g, ''));

      // The code that enabled it is spent: it cannot log in.
      expectUnauthorized(await loginMfa({ mfa_token: await firstStep(user), code: right }));
      // Enabled once: a second enable or setup is a conflict.
      expectProblem(await t.as(user).post('/api/auth/mfa/totp/setup/'), 409);
      expectProblem(
        await t
          .as(user)
          .post('/api/auth/mfa/totp/enable/')
          .send({ code: await code(secret, 1) }),
        409,
      );
    });

    it('refuses to enable without a setup', async () => {
      const user = await t.newUser();
      expectProblem(await t.as(user).post('/api/auth/mfa/totp/enable/').send({ code: '123456' }), 409);
    });
  });

  describe('logging in', () => {
    it('answers mfa_required instead of tokens, then the session for a code; the same code twice is refused', async () => {
      const user = await t.newUser();
      const { secret } = await withMfa(user);
      const mfaToken = await firstStep(user);
      const now = await code(secret);

      const res = await loginMfa({ mfa_token: mfaToken, code: now });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        access: expect.any(String),
        refresh: expect.any(String),
        user: { id: user.id, username: user.username },
      });
      const me = await t.as(res.body).get('/api/auth/me/');
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(user.id);
      // A refresh of the new session works like any other.
      expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: res.body.refresh })).status).toBe(200);

      // Replayed, with this token or a new one: refused.
      expectUnauthorized(await loginMfa({ mfa_token: mfaToken, code: now }));
      expectUnauthorized(await loginMfa({ mfa_token: await firstStep(user), code: now }));
      // A wrong code, and the code of a step long gone: refused.
      expectUnauthorized(await loginMfa({ mfa_token: mfaToken, code: now === '000000' ? '111111' : '000000' }));
      expectUnauthorized(await loginMfa({ mfa_token: mfaToken, code: await code(secret, -10) }));
      // The next step's code still works (one step of drift).
      expect((await loginMfa({ mfa_token: mfaToken, code: await code(secret, 1) })).status).toBe(200);
    });

    it('accepts a code once even when it is sent twice at the same moment', async () => {
      const user = await t.newUser();
      const { secret } = await withMfa(user);
      const tokens = await Promise.all([firstStep(user), firstStep(user), firstStep(user)]);
      const now = await code(secret);
      const answers = await Promise.all(tokens.map((mfaToken) => loginMfa({ mfa_token: mfaToken, code: now })));
      expect(answers.map((res) => res.status).sort()).toEqual([200, 401, 401]);
    });

    it('refuses a wrong password before any second step', async () => {
      const user = await t.newUser();
      await withMfa(user);
      const res = await t.http().post('/api/auth/login/').send({ username: user.username, password: 'Wrong-Horse-42' });
      expectUnauthorized(res);
      expect(res.body.mfa_token).toBeUndefined();
    });

    it('takes a recovery code once, in any case and with or without its dashes', async () => {
      const user = await t.newUser();
      const { recoveryCodes } = await withMfa(user);
      const [first, second] = recoveryCodes;
      const res = await loginMfa({ mfa_token: await firstStep(user), recovery_code: first });
      expect(res.status, res.text).toBe(200);
      expect(res.body.access).toEqual(expect.any(String));
      expectUnauthorized(await loginMfa({ mfa_token: await firstStep(user), recovery_code: first }));
      const typed = second.replace(/-/g, '').toUpperCase();
      expect((await loginMfa({ mfa_token: await firstStep(user), recovery_code: typed })).status).toBe(200);
      expectUnauthorized(await loginMfa({ mfa_token: await firstStep(user), recovery_code: second }));
      expectUnauthorized(await loginMfa({ mfa_token: await firstStep(user), recovery_code: 'aaaa-bbbb-cccc-dddd' }));
      const used = await t.db.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NOT NULL',
        [user.id],
      );
      expect(used[0].n).toBe(2);
    });

    it('wants exactly one of code and recovery_code', async () => {
      const user = await t.newUser();
      const { secret, recoveryCodes } = await withMfa(user);
      const mfaToken = await firstStep(user);
      const neither = await loginMfa({ mfa_token: mfaToken });
      expectProblem(neither, 400);
      expect(Object.keys(neither.body.errors)).toEqual(['code']);
      expectProblem(await loginMfa({ mfa_token: mfaToken, code: await code(secret), recovery_code: recoveryCodes[0] }), 400);
    });

    it('audits the second step, failed and successful', async () => {
      const user = await t.newUser();
      const { secret } = await withMfa(user);
      const mfaToken = await firstStep(user);
      const now = await code(secret);
      expectUnauthorized(await loginMfa({ mfa_token: mfaToken, code: now === '000000' ? '111111' : '000000' }));
      expect((await loginMfa({ mfa_token: mfaToken, code: now })).status).toBe(200);
      const actions = () =>
        t.db.query<{ action: string; outcome: string }[]>(
          `SELECT action, outcome FROM audit_events WHERE entity = 'user' AND entity_id = $1 AND action LIKE '%mfa%' ORDER BY id`,
          [user.id],
        );
      await expect.poll(actions).toEqual([
        { action: 'mfa_setup', outcome: 'success' },
        { action: 'mfa_enable', outcome: 'success' },
        { action: 'mfa_challenge', outcome: 'success' },
        { action: 'login_mfa', outcome: 'failure' },
        { action: 'login_mfa', outcome: 'success' },
      ]);
    });
  });

  describe('the mfa_token', () => {
    let user: TestUser;
    let secret: string;
    beforeAll(async () => {
      user = await t.newUser();
      ({ secret } = await withMfa(user));
    });

    it('lives 5 minutes and is no access token, nor a refresh token', async () => {
      const mfaToken = await firstStep(user);
      const claims = decodeClaims(mfaToken);
      expect(claims.type).toBe('mfa');
      expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
      expectUnauthorized(await t.as({ access: mfaToken }).get('/api/auth/me/'));
      expectUnauthorized(await t.as({ access: mfaToken }).get('/api/patients/'));
      expectUnauthorized(await t.http().post('/api/auth/token/refresh/').send({ refresh: mfaToken }));
    });

    it('is refused once expired, and an access token is no mfa_token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const forged = (exp: number) => signAccessToken({ sub: String(user.id), type: 'mfa', iat_ms: Date.now(), iat: now - 400, exp });
      expectUnauthorized(await loginMfa({ mfa_token: forged(now - 100), code: await code(secret) }));
      // An access token of the account in place of the mfa_token: refused even with the right code.
      const other = await t.newUser();
      expectUnauthorized(await loginMfa({ mfa_token: other.access, code: await code(secret) }));
      // The same token, unexpired, with the same code: the code was good, so expiry was the refusal.
      expect((await loginMfa({ mfa_token: forged(now + 100), code: await code(secret) })).status).toBe(200);
    });

    it("is bound to its account: another account's token with this account's code is refused", async () => {
      const other = await t.newUser();
      await withMfa(other);
      const othersToken = await firstStep(other);
      const mine = await code(secret, 1);
      expectUnauthorized(await loginMfa({ mfa_token: othersToken, code: mine }));
      const res = await loginMfa({ mfa_token: await firstStep(user), code: mine });
      expect(res.status, res.text).toBe(200);
      expect(res.body.user.id).toBe(user.id);
    });

    it('ends with a password change, like the sessions', async () => {
      const changer = await t.newUser();
      const { recoveryCodes } = await withMfa(changer);
      const mfaToken = await firstStep(changer);
      const session = await loginMfa({ mfa_token: await firstStep(changer), recovery_code: recoveryCodes[0] });
      expect(session.status).toBe(200);
      const change = await t.as(session.body).post('/api/auth/password/change/').send({
        current_password: TEST_PASSWORD,
        new_password: 'Another-Battery-Staple-77',
      });
      expect(change.status, change.text).toBe(204);
      expectUnauthorized(await loginMfa({ mfa_token: mfaToken, recovery_code: recoveryCodes[1] }));
    });
  });

  describe('turning it off', () => {
    it('needs the password and a code; then logins answer tokens again and the recovery codes are gone', async () => {
      const user = await t.newUser();
      const { secret } = await withMfa(user);
      const session = await loginMfa({ mfa_token: await firstStep(user), code: await code(secret) });
      expect(session.status).toBe(200);
      const wrongPassword = await t.as(session.body).post('/api/auth/mfa/totp/disable/').send({ current_password: 'nope', code: '123456' });
      expectProblem(wrongPassword, 400);
      expect(Object.keys(wrongPassword.body.errors)).toEqual(['current_password']);
      // The code already used to log in is no good either.
      const usedCode = await t
        .as(session.body)
        .post('/api/auth/mfa/totp/disable/')
        .send({ current_password: TEST_PASSWORD, code: await code(secret) });
      expectProblem(usedCode, 400);
      expect(Object.keys(usedCode.body.errors)).toEqual(['code']);

      const res = await t
        .as(session.body)
        .post('/api/auth/mfa/totp/disable/')
        .send({ current_password: TEST_PASSWORD, code: await code(secret, 1) });
      expect(res.status, res.text).toBe(204);
      const plain = await login(user);
      expect(plain.status).toBe(200);
      expect(plain.body.access).toEqual(expect.any(String));
      expect(plain.body.mfa_required).toBeUndefined();
      const row = await mfaColumns(user.id);
      expect(row).toEqual({ mfa_secret: null, mfa_pending_secret: null, mfa_enabled_at: null });
      const codes = await t.db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM mfa_recovery_codes WHERE user_id = $1', [user.id]);
      expect(codes[0].n).toBe(0);
      expectProblem(
        await t.as(session.body).post('/api/auth/mfa/totp/disable/').send({ current_password: TEST_PASSWORD, code: '123456' }),
        409,
      );
    });
  });

  describe('MFA_REQUIRED_ROLES', () => {
    it('lets an admin without MFA log in, but use nothing except its account and the MFA setup until it has set it up', async () => {
      const admin = await t.newAdmin();
      const patient = await t.newUser();
      for (const [method, path] of [
        ['get', '/api/users/'],
        ['get', '/api/patients/'],
        ['get', '/api/auth/sessions/'],
        ['get', `/api/users/${patient.id}/`],
      ] as const) {
        const res = await t.as(admin)[method](path);
        expectProblem(res, 403);
        expect(res.body.detail).toBe(SET_UP_FIRST);
      }
      const disable = await t.as(admin).post('/api/auth/mfa/totp/disable/').send({ current_password: TEST_PASSWORD, code: '123456' });
      expectProblem(disable, 403);
      // Other roles are not concerned.
      expect((await t.as(patient).get('/api/patients/')).status).toBe(200);
      // Public routes stay open to it: the refresh gives the same restricted access.
      const refreshed = await t.http().post('/api/auth/token/refresh/').send({ refresh: admin.refresh });
      expect(refreshed.status).toBe(200);
      expectProblem(await t.as(refreshed.body).get('/api/users/'), 403);

      const me = await t.as(admin).get('/api/auth/me/');
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(admin.id);
      const { secret } = await withMfa(admin);
      // The same access token: the account changed, so its next request sees MFA on.
      expect((await t.as(admin).get('/api/users/')).status).toBe(200);
      // And its next login asks for the code.
      const mfaToken = await firstStep(admin);
      const session = await loginMfa({ mfa_token: mfaToken, code: await code(secret) });
      expect(session.status).toBe(200);
      expect((await t.as(session.body).get('/api/users/')).status).toBe(200);
    });
  });
});

describe('MFA_REQUIRED_ROLES empty (e2e)', () => {
  const t = useTestApp({ MFA_REQUIRED_ROLES: '' });

  it('requires nothing of admins', async () => {
    const admin = await t.newAdmin();
    expect((await t.as(admin).get('/api/users/')).status).toBe(200);
  });
});
