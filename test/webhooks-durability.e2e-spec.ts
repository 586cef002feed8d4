import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPromoteAdmin } from '../src/users/create-admin';
import { openTestDatabase, type TestDatabase } from './support/database';
import { startInstances, startOwnApp, type AppInstance, type OwnApp } from './support/instances';
import { ServiceProcess } from './support/service-process';
import { TEST_PASSWORD, uniqueName } from './support/test-app';
import { startReceiver, type Received, type WebhookReceiver } from './support/webhook-receiver';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely, as supertest's res.body
type Json = any;

const FAST_JOBS = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  JOBS_POLL_INTERVAL_MS: '500',
  JOBS_MAINTENANCE_INTERVAL: '1s',
  WEBHOOK_RETRY_BASE: '1s',
  WEBHOOK_TIMEOUT_MS: '2000',
  BOOKING_HORIZON_DAYS: '3650',
};

/** The ids the receiver answered 200, each with how many times. */
function successesById(received: Received[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of received.filter((r) => r.status === 200)) counts.set(request.id, (counts.get(request.id) ?? 0) + 1);
  return counts;
}

/** An hour in the future, a day apart per `i`, for bookings that never collide. */
const slot = (i: number) => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + (i + 2) * 86_400_000).toISOString();

describe('webhook deliveries across a crash (e2e)', () => {
  let database: TestDatabase;
  let service: ServiceProcess | undefined;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await openTestDatabase();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await receiver?.close();
    await database?.close();
  });

  it('delivers the bookings committed before a SIGKILL once the service is back, each delivery id answered once', async () => {
    const admin = { username: uniqueName('admin'), password: TEST_PASSWORD };
    await createOrPromoteAdmin(database.db, { ...admin, email: `${admin.username}@clinic.example` });
    // The first run's deliveries never complete: the receiver holds every request without answering.
    receiver.answer = () => 'hang';

    service = await ServiceProcess.start(database.url, FAST_JOBS);
    const login = await service.send('POST', '/api/auth/login/', { body: admin });
    expect(login.status).toBe(200);
    const token = login.body.access as string;
    const endpoint = await service.send('POST', '/api/webhooks/', { token, body: { url: receiver.url, events: ['appointment.booked'] } });
    expect(endpoint.status).toBe(201);
    const patient = await service.send('POST', '/api/patients/', { token, body: { name: 'Crash Patient' } });
    const doctor = await service.send('POST', '/api/doctors/', { token, body: { name: 'Dr Crash', specialization: 'Cardiology' } });
    expect([patient.status, doctor.status]).toEqual([201, 201]);
    const booked: number[] = [];
    const book = async (i: number) => {
      const booking = await service!.send('POST', '/api/appointments/', {
        token,
        body: { patient: patient.body.id, doctor: doctor.body.id, appointment_datetime: slot(i) },
      });
      expect(booking.status, JSON.stringify(booking.body)).toBe(201);
      booked.push(booking.body.id as number);
    };
    // Two deliveries in flight (their jobs active, their attempts leased) when the process dies...
    await book(0);
    await book(1);
    await receiver.waitFor((r) => r.length === 2, 20_000, 'the first two deliveries, held');
    // ...and one whose booking has just committed: killed right after its answer, no shutdown hook, no job finishes.
    await book(2);
    service.child.kill('SIGKILL');
    await service.exited;
    expect(service.child.signalCode).toBe('SIGKILL');
    const [{ pending }] = await database.db.query<{ pending: number }[]>(
      "SELECT count(*)::int AS pending FROM webhook_deliveries WHERE status = 'pending'",
    );
    expect(pending).toBe(3);

    receiver.answer = () => 200;
    service = await ServiceProcess.start(database.url, FAST_JOBS);
    await receiver.waitFor((r) => successesById(r).size === 3, 45_000, 'the three bookings after the restart');
    const rows = await database.db.query<{ status: string; id: string }[]>('SELECT id::text, status FROM webhook_deliveries ORDER BY id');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const successes = successesById(receiver.received);
    expect([...successes.keys()].sort()).toEqual(rows.map((row) => `delivery_${row.id}`).sort());
    expect([...successes.values()]).toEqual([1, 1, 1]);
    const appointments = receiver.received
      .filter((r) => r.status === 200)
      .map((r) => JSON.parse(r.body).data.appointment as number)
      .sort((a, b) => a - b);
    expect(appointments).toEqual(booked);
    expect(rows.every((row) => row.status === 'succeeded' || row.status === 'pending')).toBe(true);
    await expect
      .poll(
        async () =>
          (await database.db.query<{ n: number }[]>("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'succeeded'"))[0].n,
        {
          timeout: 10_000,
        },
      )
      .toBe(3);
    await service.stop('SIGTERM');
  }, 180_000);
});

describe('webhook deliveries while the receiver is down (e2e)', () => {
  let app: OwnApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    app = await startOwnApp(FAST_JOBS);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });

  it('delivers every event once the receiver is back', async () => {
    const admin = await app.newAdmin();
    const endpoint = await app
      .as(admin)
      .post('/api/webhooks/')
      .send({ url: receiver.url, events: ['patient.created'] });
    expect(endpoint.status).toBe(201);
    await receiver.stop();
    const patients: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await app
        .as(admin)
        .post('/api/patients/')
        .send({ name: `Outage ${i}` });
      expect(res.status).toBe(201);
      patients.push(res.body.id as number);
    }
    // Every delivery is tried, and fails, while the receiver is down.
    await expect
      .poll(
        async () => {
          const log = (await app.as(admin).get(`/api/webhooks/${endpoint.body.id}/deliveries/`)).body as Json[];
          return log.length === 5 && log.every((d) => d.attempts >= 2 && d.status === 'pending' && d.last_error);
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBe(true);
    expect(receiver.received).toEqual([]);
    await receiver.start();
    await receiver.waitFor((r) => successesById(r).size === 5, 30_000, 'every event after the outage');
    const delivered = receiver.received.map((r) => JSON.parse(r.body).data.patient as number).sort((a, b) => a - b);
    expect([...new Set(delivered)]).toEqual(patients);
    await expect
      .poll(
        async () => ((await app.as(admin).get(`/api/webhooks/${endpoint.body.id}/deliveries/?status=succeeded`)).body as Json[]).length,
        {
          timeout: 10_000,
        },
      )
      .toBe(5);
  }, 60_000);
});

describe('two instances sharing the queue (e2e)', () => {
  let instances: AppInstance[];
  let close: () => Promise<void>;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    ({ instances, close } = await startInstances(2, { ...FAST_JOBS, JOBS_CONCURRENCY: '4' }));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await close?.();
    await receiver?.close();
  });

  it('never sends one delivery twice at the same time, even with two jobs of it', async () => {
    const [one, two] = instances;
    const login = await one.http().post('/api/auth/login/').send({ username: 'x', password: 'y' });
    expect(login.status).toBe(401);
    const adminName = uniqueName('admin');
    await createOrPromoteAdmin(one.db, { username: adminName, email: `${adminName}@clinic.example`, password: TEST_PASSWORD });
    const admin = (await one.http().post('/api/auth/login/').send({ username: adminName, password: TEST_PASSWORD })).body;
    // Slow and sometimes failing: attempts overlap in time and are retried.
    let n = 0;
    receiver.answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return ++n % 3 === 0 ? 500 : 200;
    };
    const endpoint = await one
      .as(admin)
      .post('/api/webhooks/')
      .send({ url: receiver.url, events: ['patient.created'] });
    expect(endpoint.status).toBe(201);
    for (let i = 0; i < 12; i++) {
      const created = await (i % 2 ? one : two)
        .as(admin)
        .post('/api/patients/')
        .send({ name: `Shared ${i}` });
      expect(created.status).toBe(201);
    }
    // A second job for each delivery, through the other instance: two workers may fetch one delivery's jobs at once.
    const log = (await two.as(admin).get(`/api/webhooks/${endpoint.body.id}/deliveries/`)).body as Json[];
    expect(log).toHaveLength(12);
    for (const delivery of log) {
      expect((await two.as(admin).post(`/api/webhooks/${endpoint.body.id}/deliveries/${delivery.id}/retry/`)).status).toBe(202);
    }
    await receiver.waitFor((r) => successesById(r).size === 12, 45_000, 'every delivery');
    await expect
      .poll(
        async () => ((await one.as(admin).get(`/api/webhooks/${endpoint.body.id}/deliveries/?status=succeeded`)).body as Json[]).length,
        {
          timeout: 20_000,
        },
      )
      .toBe(12);
    expect(receiver.maxConcurrentSameId()).toBe(1);
  }, 90_000);
});
