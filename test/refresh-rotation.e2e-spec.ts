import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUnauthorized } from './support/problems';
import { TestApp, TestUser, useTestApp } from './support/test-app';
import { insertUser, newSession } from './support/tokens';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const refresh = (t: TestApp, token: string) => t.http().post('/api/auth/token/refresh/').send({ refresh: token });

/** `JWT_REFRESH_ROTATION=off`: one refresh token for its lifetime, as simplejwt clients keep it. */
describe('refresh without rotation (e2e)', () => {
  const t = useTestApp({ JWT_REFRESH_ROTATION: 'off' });
  let user: TestUser;
  beforeAll(async () => {
    user = await insertUser(t.db);
  });

  it('answers a new access token and the same refresh token, again and again', async () => {
    const session = await newSession(t, user);
    const accesses = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await refresh(t, session.refresh);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ access: expect.any(String), refresh: session.refresh });
      expect((await t.as(res.body).get('/api/auth/me/')).body.id).toBe(user.id);
      accesses.add(res.body.access);
    }
    expect(accesses.size).toBe(3);
  });

  it('takes concurrent refreshes with one token as what they are, not as a reuse', async () => {
    const session = await newSession(t, user);
    const answers = await Promise.all([refresh(t, session.refresh), refresh(t, session.refresh)]);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    expect((await refresh(t, session.refresh)).status).toBe(200);
  });

  it('refuses the token once its session is logged out', async () => {
    const session = await newSession(t, user);
    expect((await refresh(t, session.refresh)).status).toBe(200);
    expect((await t.http().post('/api/auth/logout/').send({ refresh: session.refresh })).status).toBe(204);
    expectUnauthorized(await refresh(t, session.refresh));
  });

  it('keeps other sessions alive when one is logged out', async () => {
    const [ended, other] = [await newSession(t, user), await newSession(t, user)];
    await t.http().post('/api/auth/logout/').send({ refresh: ended.refresh });
    expect((await refresh(t, other.refresh)).status).toBe(200);
  });

  it('still takes a token spent while rotation was on for a reuse, ending its session', async () => {
    const session = await newSession(t, user);
    // As a refresh made while rotation was on left it: spent, a successor issued.
    await t.db.query('UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1', [sha256(session.refresh)]);
    const res = await refresh(t, session.refresh);
    expectUnauthorized(res);
    expect(res.body.detail).toMatch(/already used/);
    const [row] = await t.db.query('SELECT revoked_at FROM refresh_tokens WHERE token_hash = $1', [sha256(session.refresh)]);
    expect(row.revoked_at).not.toBeNull();
  });
});

describe('refresh with rotation, the default (e2e)', () => {
  const t = useTestApp({ JWT_REFRESH_ROTATION: 'on' });

  it('answers the next refresh token and revokes the session when a spent one comes back', async () => {
    const session = await newSession(t, await insertUser(t.db));
    const next = await refresh(t, session.refresh);
    expect(next.status).toBe(200);
    expect(next.body.refresh).not.toBe(session.refresh);
    expectUnauthorized(await refresh(t, session.refresh));
    expectUnauthorized(await refresh(t, next.body.refresh));
  });
});
