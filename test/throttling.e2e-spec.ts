import type { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage } from '@nestjs/throttler';
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectProblem } from './support/problems';
import { startTestApp, useTestApp } from './support/test-app';
import { insertUser } from './support/tokens';

const GENERAL_LIMIT = 5;
const AUTH_LIMIT = 3;

/** A client address no other test (or earlier run sharing a Redis) has used. */
const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;

function expectThrottled(res: Response): void {
  expectProblem(res, 429);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('rate limits (e2e)', () => {
  // Behind a trusted proxy, so each test can be its own client with X-Forwarded-For.
  const t = useTestApp({ THROTTLE_LIMIT: String(GENERAL_LIMIT), THROTTLE_AUTH_LIMIT: String(AUTH_LIMIT), TRUST_PROXY: 'true' });

  describe('strict limit on login, register and refresh', () => {
    it('answers 429 with a numeric Retry-After once the strict budget is spent, across all three', async () => {
      const ip = freshIp();
      // Invalid bodies: the limit is checked before validation, and they cost no password hash.
      const spent = [
        await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({}),
        await t.http().post('/api/auth/register/').set('X-Forwarded-For', ip).send({}),
        await t.http().post('/api/auth/token/refresh/').set('X-Forwarded-For', ip).send({}),
      ];
      expect(spent.map((res) => res.status)).toEqual([400, 400, 400]);

      for (const path of [
        '/api/auth/login/',
        '/api/token/',
        '/api/auth/register/',
        '/api/auth/',
        '/api/auth/refresh/',
        '/api/token/refresh/',
      ]) {
        const res = await t.http().post(path).set('X-Forwarded-For', ip).send({});
        expectThrottled(res);
      }
    });

    it('keeps the strict budget per client address', async () => {
      const ip = freshIp();
      for (let i = 0; i < AUTH_LIMIT; i++) await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({});
      expectThrottled(await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({}));
      expect((await t.http().post('/api/auth/login/').set('X-Forwarded-For', freshIp()).send({})).status).toBe(400);
    });

    it('counts strict attempts per address even when they carry an access token', async () => {
      // Otherwise every account an attacker registers would bring a fresh budget of login attempts.
      const ip = freshIp();
      const accounts = await Promise.all(Array.from({ length: AUTH_LIMIT }, () => insertUser(t.db)));
      for (const account of accounts) {
        const res = await t.as(account).post('/api/auth/login/').set('X-Forwarded-For', ip).send({});
        expect(res.status).toBe(400);
      }
      expectThrottled(await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({}));
      expectThrottled(await t.as(accounts[0]).post('/api/auth/login/').set('X-Forwarded-For', ip).send({}));
    });

    it('leaves the other routes to the general limit', async () => {
      const ip = freshIp();
      const user = await insertUser(t.db);
      for (let i = 0; i < AUTH_LIMIT; i++) await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({});
      expectThrottled(await t.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({}));
      // AUTH_LIMIT + 1 of the address's GENERAL_LIMIT requests are spent; one more is allowed.
      expect((await t.as(user).get('/api/auth/me/').set('X-Forwarded-For', ip)).status).toBe(200);
      // Logout is not one of the strict routes.
      expect((await t.http().post('/api/auth/logout/').set('X-Forwarded-For', ip).send({ refresh: 'x' })).status).toBe(401);
    });
  });

  describe('general limit', () => {
    it('applies per user: one user spending their budget does not throttle another', async () => {
      const [alice, bob] = await Promise.all([insertUser(t.db), insertUser(t.db)]);
      for (let i = 0; i < GENERAL_LIMIT; i++) {
        // A different address each time: an authenticated caller is counted by account, not address.
        expect((await t.as(alice).get('/api/auth/me/').set('X-Forwarded-For', freshIp())).status).toBe(200);
      }
      expectThrottled(await t.as(alice).get('/api/auth/me/').set('X-Forwarded-For', freshIp()));
      const res = await t.as(bob).get('/api/auth/me/');
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(bob.id);
    });

    it('applies per address to anonymous callers', async () => {
      const ip = freshIp();
      for (let i = 0; i < GENERAL_LIMIT; i++) {
        expect((await t.http().get('/api/auth/me/').set('X-Forwarded-For', ip)).status).toBe(401);
      }
      expectThrottled(await t.http().get('/api/auth/me/').set('X-Forwarded-For', ip));
      expect((await t.http().get('/api/auth/me/').set('X-Forwarded-For', freshIp())).status).toBe(401);
    });

    it('does not let an anonymous address spend a user budget', async () => {
      const ip = freshIp();
      const user = await insertUser(t.db);
      for (let i = 0; i <= GENERAL_LIMIT; i++) await t.http().get('/api/auth/me/').set('X-Forwarded-For', ip);
      expectThrottled(await t.http().get('/api/auth/me/').set('X-Forwarded-For', ip));
      expect((await t.as(user).get('/api/auth/me/').set('X-Forwarded-For', ip)).status).toBe(200);
    });

    it('never throttles the health probes', async () => {
      const ip = freshIp();
      for (let i = 0; i < GENERAL_LIMIT * 3; i++) {
        const path = i % 2 ? '/health/live' : '/health/ready/';
        expect((await t.http().get(path).set('X-Forwarded-For', ip)).status, path).toBe(200);
      }
      // The same address is still fresh for the API: the probes spent nothing.
      expect((await t.http().get('/api/auth/me/').set('X-Forwarded-For', ip)).status).toBe(401);
    });
  });

  describe('without a trusted proxy', () => {
    const direct = useTestApp({ THROTTLE_LIMIT: '2' });

    it('ignores X-Forwarded-For, so a client cannot dodge its limit by forging it', async () => {
      for (let i = 0; i < 2; i++) {
        expect((await direct.http().get('/api/auth/me/').set('X-Forwarded-For', freshIp())).status).toBe(401);
      }
      expectThrottled(await direct.http().get('/api/auth/me/').set('X-Forwarded-For', freshIp()));
    });
  });

  describe('shared storage', () => {
    const redisUrl = process.env.REDIS_URL;
    if (!redisUrl) console.info('rate limits: skipping the shared-Redis test because REDIS_URL is not set.');

    it.skipIf(!redisUrl)('shares one budget between two instances on the same Redis', async () => {
      const env = { REDIS_URL: redisUrl!, THROTTLE_LIMIT: '4', THROTTLE_AUTH_LIMIT: '100000', TRUST_PROXY: 'true' };
      const [one, two] = await Promise.all([startTestApp(env), startTestApp(env)]);
      const storages = [one, two].map((app) => app.app.get<ThrottlerStorageRedisService>(ThrottlerStorage));
      try {
        const ip = freshIp();
        const statuses: number[][] = [[], []];
        for (let i = 0; i < 10; i++) {
          const which = i % 2;
          const res = await [one, two][which].http().get('/api/auth/me/').set('X-Forwarded-For', ip);
          statuses[which].push(res.status);
          if (res.status === 429) expectThrottled(res);
        }
        const accepted = statuses.flat().filter((status) => status !== 429);
        expect(accepted).toHaveLength(4);
        // Each instance saw both sides of the shared budget.
        for (const seen of statuses) expect(new Set(seen)).toEqual(new Set([401, 429]));
      } finally {
        await Promise.all([one.close(), two.close()]);
      }
      // Closing an app closes its Redis connection, or every test app would leak one.
      for (const storage of storages) expect(storage.redis.status).toBe('end');
    });
  });
});
