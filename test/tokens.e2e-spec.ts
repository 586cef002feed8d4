import { beforeAll, describe, expect, it } from 'vitest';
import { expectUnauthorized } from './support/problems';
import { startTestApp, TEST_REFRESH_SECRET, TestUser, useTestApp } from './support/test-app';
import { decodeClaims, expiredAccessToken, insertUser, signAccessToken, tamperedToken, unsignedToken } from './support/tokens';

/** Attacks on the access token: every one must end in 401 with a bearer challenge. */
describe('access tokens (e2e)', () => {
  const t = useTestApp();
  let user: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    [user, admin] = await Promise.all([t.newUser(), t.newAdmin()]);
  });

  const me = (authorization?: string) => {
    const req = t.http().get('/api/auth/me/');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };

  it('accepts the access token it issued', async () => {
    const res = await me(`Bearer ${user.access}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(user.id);
  });

  it('refuses a request without a token', async () => {
    expectUnauthorized(await me());
  });

  it.each([
    ['a malformed token', 'Bearer not.a.jwt'],
    ['a bare word', 'Bearer garbage'],
    ['an empty bearer', 'Bearer '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
  ])('refuses %s', async (_, authorization) => {
    expectUnauthorized(await me(authorization));
  });

  it('refuses the token without its "Bearer" scheme', async () => {
    expectUnauthorized(await me(user.access));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const forged = tamperedToken(user.access);
    expect(decodeClaims(forged).role).toBe('admin');
    expectUnauthorized(await me(`Bearer ${forged}`));
    expectUnauthorized(await t.as({ access: forged }).get('/api/users/'));
  });

  it('refuses a token whose signature was changed', async () => {
    const [header, payload, signature] = user.access.split('.');
    const flipped = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    expectUnauthorized(await me(`Bearer ${flipped}`));
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = unsignedToken(admin.access);
    expect(JSON.parse(Buffer.from(unsigned.split('.')[0], 'base64url').toString())).toEqual({ alg: 'none', typ: 'JWT' });
    expectUnauthorized(await me(`Bearer ${unsigned}`));
    expectUnauthorized(await t.as({ access: unsigned }).get('/api/users/'));
  });

  it('refuses a token signed with another secret', async () => {
    const foreign = signAccessToken(
      { sub: String(user.id), username: user.username, role: user.role },
      'some-other-secret-0123456789-abcdefghijklmnop',
    );
    expectUnauthorized(await me(`Bearer ${foreign}`));
  });

  it('refuses an expired token, saying it expired', async () => {
    const res = await me(`Bearer ${expiredAccessToken(user)}`);
    expectUnauthorized(res);
    expect(res.body.detail).toMatch(/expired/i);
  });

  it('accepts a hand-signed token that is still valid (the expired case is refused for its expiry)', async () => {
    const valid = signAccessToken({ sub: String(user.id), username: user.username, role: user.role });
    expect((await me(`Bearer ${valid}`)).status).toBe(200);
  });

  it('refuses a refresh token used as an access token', async () => {
    expectUnauthorized(await me(`Bearer ${user.refresh}`));
  });

  it('refuses a refresh-typed token even when signed with the access secret', async () => {
    const confused = signAccessToken({ sub: String(user.id), username: user.username, role: user.role, type: 'refresh' });
    expectUnauthorized(await me(`Bearer ${confused}`));
  });

  it('refuses an access token signed with the refresh secret', async () => {
    const confused = signAccessToken({ sub: String(user.id), username: user.username, role: user.role }, TEST_REFRESH_SECRET);
    expectUnauthorized(await me(`Bearer ${confused}`));
  });

  it('refuses a token for a user that does not exist', async () => {
    const ghost = signAccessToken({ sub: '999999', username: 'ghost', role: 'admin' });
    expectUnauthorized(await me(`Bearer ${ghost}`));
  });

  it('refuses the token of a user an admin deactivated', async () => {
    const victim = await insertUser(t.db);
    expect((await me(`Bearer ${victim.access}`)).status).toBe(200);
    const patch = await t.as(admin).patch(`/api/users/${victim.id}/`).send({ is_active: false });
    expect(patch.status).toBe(200);
    expectUnauthorized(await me(`Bearer ${victim.access}`));
  });

  it('checks each token against its own application when two run in one process', async () => {
    const otherSecret = 'another-access-secret-0123456789-abcdefghij';
    const other = await startTestApp({ JWT_ACCESS_SECRET: otherSecret });
    try {
      const stranger = await insertUser(other.db, { accessSecret: otherSecret });
      expect((await other.as(stranger).get('/api/auth/me/')).body.id).toBe(stranger.id);
      expectUnauthorized(await other.as(user).get('/api/auth/me/'));
      // The application built first still checks its own tokens, against its own database.
      expect((await t.as(user).get('/api/auth/me/')).body.id).toBe(user.id);
      expectUnauthorized(await t.as(stranger).get('/api/auth/me/'));
    } finally {
      await other.close();
    }
    expect((await t.as(user).get('/api/auth/me/')).status).toBe(200);
  });

  it('takes the role from the account, not from the token', async () => {
    // A validly signed token claiming admin for a patient still gets a patient's answer.
    const claimsAdmin = signAccessToken({ sub: String(user.id), username: user.username, role: 'admin' });
    const res = await t.as({ access: claimsAdmin }).get('/api/users/');
    expect(res.status).toBe(403);
  });
});
