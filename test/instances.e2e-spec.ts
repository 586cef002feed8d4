import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokensService } from '../src/auth/tokens.service';
import { User } from '../src/users/user.entity';
import { AppInstance, startInstances } from './support/instances';
import { expectProblem, expectUnauthorized } from './support/problems';
import { uniqueName } from './support/test-app';
import { insertUser } from './support/tokens';

const redisUrl = process.env.REDIS_URL;
/** Production runs every instance on one Redis when there is one; so do these tests. */
const sharedRedis: Record<string, string> = redisUrl ? { REDIS_URL: redisUrl } : {};

/** A client address no other test (or earlier run sharing a Redis) has used. */
const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('two instances of the service on one database (e2e)', () => {
  let a: AppInstance;
  let b: AppInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    // Pools big enough that the 100 racing bookings meet in the database, where the race is
    // decided, rather than queue for a connection (the test apps' pool is 5).
    const started = await startInstances(2, { ...sharedRedis, DB_POOL_SIZE: '15' });
    [a, b] = started.instances;
    close = started.close;
  });
  afterAll(() => close());

  it('books one slot exactly once when 100 requests for it race across both instances', async () => {
    const owner = await insertUser(a.db);
    const doctor = await a
      .as(owner)
      .post('/api/doctors/')
      .send({ name: uniqueName('Dr '), specialization: 'Cardiology' });
    expect(doctor.status, JSON.stringify(doctor.body)).toBe(201);
    const patients = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const res = await [a, b][i % 2]
          .as(owner)
          .post('/api/patients/')
          .send({ name: uniqueName('Patient ') });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id as number;
      }),
    );
    const slot = new Date(Date.now() + 30 * 86_400_000);
    slot.setUTCHours(10, 0, 0, 0);

    const started = Date.now();
    const responses = await Promise.all(
      patients.map((patient, i) =>
        [a, b][i % 2]
          .as(owner)
          .post('/api/appointments/')
          .send({ doctor: doctor.body.id, patient, appointment_datetime: slot.toISOString() }),
      ),
    );
    const elapsed = Date.now() - started;
    const statuses = responses.map((res) => res.status);
    console.info(
      `instances: 100 parallel bookings of one slot over 2 instances -> ${count(statuses, 201)} x 201, ` +
        `${count(statuses, 409)} x 409, others ${statuses.filter((s) => s !== 201 && s !== 409).join(',') || 'none'}; ${elapsed} ms`,
    );
    expect(count(statuses, 201)).toBe(1);
    expect(count(statuses, 409)).toBe(99);
    for (const res of responses.filter((r) => r.status === 409)) {
      expectProblem(res, 409);
      expect(res.body.detail).toBe('Doctor already has an appointment at this time.');
    }
    // The database holds exactly the one booking.
    const rows: { n: number }[] = await b.db.query('SELECT count(*)::int AS n FROM appointments WHERE doctor_id = $1', [doctor.body.id]);
    expect(rows[0].n).toBe(1);
  });

  it('revokes a session on both instances when a refresh token rotated on one is replayed on the other', async () => {
    const user = await insertUser(a.db);
    const session = await a.app.get(TokensService).issue(await a.db.getRepository(User).findOneByOrFail({ id: user.id }));

    const rotated = await a.http().post('/api/auth/token/refresh/').send({ refresh: session.refresh });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);

    // The spent token replayed on the other instance: detected as reuse there too.
    const replayed = await b.http().post('/api/auth/token/refresh/').send({ refresh: session.refresh });
    expectUnauthorized(replayed);

    // The whole family is dead, whichever instance is asked.
    expectUnauthorized(await b.http().post('/api/auth/token/refresh/').send({ refresh: rotated.body.refresh }));
    expectUnauthorized(await a.http().post('/api/auth/token/refresh/').send({ refresh: rotated.body.refresh }));
    const live: { n: number }[] = await a.db.query(
      'SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL',
      [user.id],
    );
    expect(live[0].n).toBe(0);
  });

  describe('rate limits on a shared Redis', () => {
    if (!redisUrl) {
      console.info('instances: skipping "shares one rate limit between the instances": REDIS_URL is not set (it needs a Redis server).');
    }
    const LIMIT = 25;
    let pair: Awaited<ReturnType<typeof startInstances>> | undefined;
    beforeAll(async () => {
      if (redisUrl) pair = await startInstances(2, { REDIS_URL: redisUrl, THROTTLE_LIMIT: String(LIMIT), TRUST_PROXY: 'true' });
    });
    afterAll(() => pair?.close());

    it.skipIf(!redisUrl)('shares one rate limit between the instances: the accepted requests of both add up to the limit', async () => {
      const [one, two] = pair!.instances;
      const ip = freshIp();
      const total = LIMIT * 2 + 10;
      const responses = await Promise.all(
        Array.from({ length: total }, (_, i) =>
          [one, two][i % 2]
            .http()
            .get('/api/auth/me/')
            .set('X-Forwarded-For', ip)
            .then((res) => ({ instance: i % 2, res })),
        ),
      );
      const accepted = responses.filter(({ res }) => res.status !== 429);
      const perInstance = [0, 1].map((i) => accepted.filter(({ instance }) => instance === i).length);
      console.info(
        `instances: ${total} parallel requests from one client over 2 instances with a limit of ${LIMIT} -> ` +
          `${accepted.length} accepted (${perInstance.join(' + ')}), ${total - accepted.length} x 429`,
      );
      expect(accepted).toHaveLength(LIMIT);
      for (const { res } of accepted) expect(res.status).toBe(401);
      for (const { res } of responses.filter(({ res }) => res.status === 429)) {
        expectProblem(res, 429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Each instance refused some: the budget is one, not one per instance.
      for (const i of [0, 1]) expect(responses.some(({ instance, res }) => instance === i && res.status === 429)).toBe(true);
    });
  });
});
