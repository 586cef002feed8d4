import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDelivery } from '../src/webhooks/webhook-sender';
import { booked, expectFieldError, expectList, expectProblem, newDoctor, newPatient, patch } from './support/appointments';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';
import { startReceiver, type Received, type WebhookReceiver } from './support/webhook-receiver';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- read loosely, as supertest's res.body
type Json = any;

const FAST_JOBS = { JOBS_POLL_INTERVAL_MS: '500', JOBS_MAINTENANCE_INTERVAL: '1s', WEBHOOK_RETRY_BASE: '1s', BOOKING_HORIZON_DAYS: '3650' };

/** The receiver's own check with node:crypto: HMAC-SHA256 of `id.timestamp.body` under the secret's bytes, among the signatures sent. */
function verifiedByHmac(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(request.headers['webhook-id'])}.${String(request.headers['webhook-timestamp'])}.${request.body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .map((part) => Buffer.from(part.replace(/^v1,/, ''), 'base64'))
    .some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected));
}

/** Verified with the library, as a receiver would (it throws on a bad signature or an old timestamp). */
function verifiedByLibrary(secret: string, request: Received): unknown {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

/** The delivery ids' order is the events' order; arrivals may interleave (JOBS_CONCURRENCY workers send side by side). */
const inDeliveryOrder = (requests: Received[]) => [...requests].sort((a, b) => Number(a.id.slice(9)) - Number(b.id.slice(9)));
const typesOf = (requests: Received[]) => inDeliveryOrder(requests).map((r) => (JSON.parse(r.body) as { type: string }).type);

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let admin: TestUser;
  let manager: TestUser;
  let staff: TestUser;
  let otherManager: TestUser;
  let stranger: TestUser;
  let clinic: number;
  let otherClinic: number;
  const receivers: WebhookReceiver[] = [];

  const newReceiver = async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    return receiver;
  };

  /** A clinic run by `owner`, with `members` in the roles given. */
  const clinicOf = async (owner: TestUser, members: [TestUser, string][] = []): Promise<number> => {
    const res = await t.as(owner).post('/api/clinics/').send({ name: 'Webhook clinic', timezone: 'Europe/Berlin' });
    expect(res.status).toBe(201);
    for (const [user, role] of members) {
      expect((await t.as(owner).post(`/api/clinics/${res.body.id}/members/`).send({ user: user.id, role })).status).toBe(201);
      expect((await t.as(user).post(`/api/clinics/${res.body.id}/membership/accept/`)).status).toBe(200);
    }
    return res.body.id as number;
  };

  const register = async (user: TestUser, body: Json) => {
    const res = await t.as(user).post('/api/webhooks/').send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  const deliveriesOf = async (user: TestUser, endpoint: number, query = '') => {
    const res = await t.as(user).get(`/api/webhooks/${endpoint}/deliveries/${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Json[];
  };

  /** Polls the delivery log until `predicate` holds. */
  const waitForDeliveries = async (user: TestUser, endpoint: number, predicate: (d: Json[]) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const deliveries = await deliveriesOf(user, endpoint);
      if (predicate(deliveries)) return deliveries;
      if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(deliveries)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ ...FAST_JOBS, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '1500', SMTP_URL: smtp.url });
    admin = await t.newAdmin();
    [manager, staff, otherManager, stranger] = await Promise.all([t.newUser(), t.newUser(), t.newUser(), t.newUser()]);
    clinic = await clinicOf(manager, [[staff, 'staff']]);
    otherClinic = await clinicOf(otherManager);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await smtp?.close();
  });

  describe('endpoints', () => {
    it('lets admins and a clinic’s managers register, see and change theirs, shows the secret once, and hides them from everyone else', async () => {
      const receiver = await newReceiver();
      const mine = await t
        .as(manager)
        .post('/api/webhooks/')
        .send({ url: receiver.url, events: ['appointment.booked'], clinic, description: 'Sync' });
      expect(mine.status, JSON.stringify(mine.body)).toBe(201);
      expect(mine.headers.location).toBe(`/api/webhooks/${mine.body.id}/`);
      expect(mine.body).toMatchObject({ url: receiver.url, events: ['appointment.booked'], clinic, description: 'Sync', active: true });
      expect(mine.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const id = mine.body.id as number;

      const read = await t.as(manager).get(`/api/webhooks/${id}/`);
      expect(read.status).toBe(200);
      expect(read.body).not.toHaveProperty('secret');
      expect(JSON.stringify(read.body)).not.toContain(mine.body.secret.slice(6));
      expect(expectList(await t.as(manager).get('/api/webhooks/'), 1).map((w) => w.id)).toEqual([id]);
      const listed = await t.as(admin).get('/api/webhooks/');
      expect(listed.status).toBe(200);
      expect((listed.body as Json[]).map((w) => w.id)).toContain(id);
      expect(JSON.stringify(listed.body)).not.toContain(mine.body.secret.slice(6));
      // The secret is not in the database as it was shown either.
      const [{ secret }] = await t.db.query<{ secret: string }[]>('SELECT secret FROM webhook_endpoints WHERE id = $1', [id]);
      expect(secret).not.toContain(mine.body.secret.slice(6));

      for (const outsider of [staff, otherManager, stranger]) {
        expect((await t.as(outsider).get(`/api/webhooks/${id}/`)).status).toBe(404);
        expectList(await t.as(outsider).get('/api/webhooks/'), 0);
        expectProblem(await t.as(outsider).patch(`/api/webhooks/${id}/`).send({ active: false }), 404);
        expectProblem(await t.as(outsider).delete(`/api/webhooks/${id}/`), 404);
        expectProblem(await t.as(outsider).post(`/api/webhooks/${id}/secret/rotate/`), 404);
        expectProblem(await t.as(outsider).get(`/api/webhooks/${id}/deliveries/`), 404);
      }
      // Staff, a manager of another clinic and an account of no clinic cannot register one for the clinic, nor one without a clinic.
      for (const outsider of [staff, otherManager, stranger]) {
        expectFieldError(
          await t
            .as(outsider)
            .post('/api/webhooks/')
            .send({ url: receiver.url, events: ['patient.created'], clinic }),
          'clinic',
        );
        expectFieldError(
          await t
            .as(outsider)
            .post('/api/webhooks/')
            .send({ url: receiver.url, events: ['patient.created'] }),
          'clinic',
        );
      }
      expectFieldError(
        await t
          .as(admin)
          .post('/api/webhooks/')
          .send({ url: receiver.url, events: ['patient.created'], clinic: 2_000_000_000 }),
        'clinic',
      );

      const changed = await t
        .as(manager)
        .patch(`/api/webhooks/${id}/`)
        .send({ events: ['appointment.booked', 'patient.created'], active: false });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({
        events: ['appointment.booked', 'patient.created'],
        active: false,
        version: read.body.version + 1,
      });
      expect(changed.body).not.toHaveProperty('secret');
      const stale = await t.as(manager).patch(`/api/webhooks/${id}/`).set('If-Match', `"${read.body.version}"`).send({ description: 'x' });
      expect(stale.status).toBe(412);
      // The admin manages it too.
      expect((await t.as(admin).patch(`/api/webhooks/${id}/`).send({ description: 'Checked' })).status).toBe(200);

      expect((await t.as(manager).delete(`/api/webhooks/${id}/`)).status).toBe(204);
      expect((await t.as(manager).get(`/api/webhooks/${id}/`)).status).toBe(404);
      expectList(await t.as(manager).get('/api/webhooks/'), 0);
      const audit = await t.db.query<{ action: string; clinic_id: number }[]>(
        "SELECT action, clinic_id FROM audit_events WHERE entity = 'webhook' AND entity_id = $1 ORDER BY id",
        [id],
      );
      expect(audit).toEqual(['create', 'update', 'update', 'delete'].map((action) => ({ action, clinic_id: clinic })));
    });

    it('refuses invalid fields with 400s naming them', async () => {
      const ok = { url: 'http://127.0.0.1:9/hooks', events: ['patient.created'] };
      for (const [body, field] of [
        [{ ...ok, url: 'ftp://127.0.0.1/hooks' }, 'url'],
        [{ ...ok, url: 'not a url' }, 'url'],
        [{ ...ok, url: 'javascript:alert(1)' }, 'url'],
        [{ ...ok, url: '' }, 'url'],
        [{ ...ok, url: 42 }, 'url'],
        [{ ...ok, events: [] }, 'events'],
        [{ ...ok, events: ['patient.eaten'] }, 'events'],
        [{ ...ok, events: ['patient.created', 'patient.created'] }, 'events'],
        [{ ...ok, events: 'patient.created' }, 'events'],
        [{ ok: ok.url }, 'url'],
        [{ ...ok, clinic: 'one' }, 'clinic'],
        [{ ...ok, description: 'x'.repeat(501) }, 'description'],
      ] as [Json, string][]) {
        expectFieldError(await t.as(admin).post('/api/webhooks/').send(body), field);
      }
      const created = await register(admin, ok);
      expectFieldError(await t.as(admin).patch(`/api/webhooks/${created.id}/`).send({ url: 'gopher://x' }), 'url');
      expectFieldError(await t.as(admin).patch(`/api/webhooks/${created.id}/`).send({ active: 'maybe' }), 'active');
      expectFieldError(
        await t.as(admin).post(`/api/webhooks/${created.id}/replay/`).send({ from: 'yesterday', to: '2030-01-01T00:00:00Z' }),
        'from',
      );
      expectFieldError(
        await t.as(admin).post(`/api/webhooks/${created.id}/replay/`).send({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }),
        'to',
      );
      expectFieldError(await t.as(admin).post(`/api/webhooks/${created.id}/deliveries/abc/retry/`), 'delivery_id');
      expectProblem(await t.as(admin).post(`/api/webhooks/${created.id}/deliveries/999999999/retry/`), 404);
      expect((await t.as(admin).delete(`/api/webhooks/${created.id}/`)).status).toBe(204);
    });
  });

  describe('deliveries', () => {
    it('delivers every booking, patient and assignment change, signed, without PHI; a clinic’s endpoint gets only its clinic’s', async () => {
      const all = await newReceiver();
      const ofClinic = await newReceiver();
      const ofOther = await newReceiver();
      const everything = await register(admin, {
        url: all.url,
        events: [
          'appointment.booked',
          'appointment.rescheduled',
          'appointment.status_changed',
          'patient.created',
          'patient.updated',
          'assignment.created',
          'assignment.ended',
        ],
      });
      const clinics = await register(manager, {
        url: ofClinic.url,
        events: ['appointment.booked', 'appointment.status_changed', 'patient.created'],
        clinic,
      });
      await register(otherManager, { url: ofOther.url, events: ['appointment.booked', 'patient.created'], clinic: otherClinic });

      const patient = await newPatient(t, manager, {
        clinic,
        name: 'Verysecret Person',
        email: 'verysecret@example.com',
        medical_history: 'Rare condition',
      });
      const doctor = await newDoctor(t, manager);
      const mapping = await t.as(manager).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id });
      expect(mapping.status).toBe(201);
      expect((await t.as(manager).delete(`/api/mappings/${mapping.body.id}/`)).status).toBe(204);
      const appointment = await booked(t, manager, {
        patient: patient.id,
        doctor: doctor.id,
        appointment_datetime: '2031-03-04T10:00:00Z',
      });
      expect((await patch(t, manager, appointment.id, { appointment_datetime: '2031-03-04T11:00:00Z' })).status).toBe(200);
      expect((await t.as(manager).delete(`/api/appointments/${appointment.id}/`)).status).toBe(204);
      expect((await t.as(manager).patch(`/api/patients/${patient.id}/`).send({ phone: '+15550177' })).status).toBe(200);
      // A personal patient of someone else: the admin's endpoint only.
      const personal = await newPatient(t, stranger, { name: 'Personal Person' });

      const expected = [
        'patient.created',
        'assignment.created',
        'assignment.ended',
        'appointment.booked',
        'appointment.rescheduled',
        'appointment.status_changed',
        'patient.updated',
        'patient.created',
      ];
      await all.waitFor((r) => r.filter((x) => x.status === 200).length >= expected.length, 20_000, 'every event');
      await ofClinic.waitFor((r) => r.length >= 3, 20_000, "the clinic's events");
      // Let a stray delivery (there should be none) arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(typesOf(all.received)).toEqual(expected);
      expect(typesOf(ofClinic.received)).toEqual(['patient.created', 'appointment.booked', 'appointment.status_changed']);
      expect(ofOther.received).toEqual([]);

      for (const request of all.received) {
        expect(verifiedByLibrary(everything.secret, request)).toBeTruthy();
        expect(verifiedByHmac(everything.secret, request)).toBe(true);
        expect(request.headers['webhook-id']).toMatch(/^delivery_\d+$/);
        expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(120);
        expect(request.headers['content-type']).toBe('application/json');
        for (const value of ['Verysecret', 'verysecret@', 'Rare condition', '5550177', 'Personal Person'])
          expect(request.body).not.toContain(value);
      }
      for (const request of ofClinic.received) {
        expect(verifiedByLibrary(clinics.secret, request)).toBeTruthy();
        expect(verifiedByHmac(clinics.secret, request)).toBe(true);
        // Another endpoint's secret does not verify it.
        expect(verifiedByHmac(everything.secret, request)).toBe(false);
        expect(() => verifiedByLibrary(everything.secret, request)).toThrow();
      }
      const bodies = inDeliveryOrder(all.received).map((r) => JSON.parse(r.body));
      expect(bodies[3]).toEqual({
        type: 'appointment.booked',
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        data: { appointment: appointment.id, patient: patient.id, doctor: doctor.id, changed_fields: expect.any(Array), clinic },
      });
      expect(bodies[5].data).toMatchObject({ appointment: appointment.id, status: 'CANCELLED', changed_fields: ['status'], clinic });
      expect(bodies[6].data).toEqual({ patient: patient.id, changed_fields: ['phone'], clinic });
      expect(bodies[7].data).toEqual({ patient: personal.id, changed_fields: expect.any(Array), clinic: null });

      // The delivery log: each succeeded at its first attempt, with its payload.
      const log = await deliveriesOf(admin, everything.id);
      expect(log).toHaveLength(expected.length);
      expect(log.map((d) => d.payload.type)).toEqual([...expected].reverse());
      expect(log.every((d) => d.status === 'succeeded' && d.attempts === 1 && d.last_status_code === 200 && d.last_attempt_at)).toBe(true);
      expect(log.map((d) => d.webhook_id).sort()).toEqual(all.received.map((r) => r.id).sort());
      expectList(await t.as(admin).get(`/api/webhooks/${everything.id}/deliveries/?status=failed`), 0);
      // The clinic's manager reads its endpoint's log; the admin's endpoint is not the manager's.
      expect(await deliveriesOf(manager, clinics.id)).toHaveLength(3);
      expectProblem(await t.as(manager).get(`/api/webhooks/${everything.id}/deliveries/`), 404);
    });

    it('signs with the old and the new secret during a rotation, both verifying', async () => {
      const receiver = await newReceiver();
      const endpoint = await register(admin, { url: receiver.url, events: ['patient.created'] });
      const rotated = await t.as(admin).post(`/api/webhooks/${endpoint.id}/secret/rotate/`);
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(endpoint.secret);
      expect(Date.parse(rotated.body.previous_secret_expires_at)).toBeGreaterThan(Date.now() + 3_600_000);
      expect((await t.as(admin).get(`/api/webhooks/${endpoint.id}/`)).body).not.toHaveProperty('secret');
      await newPatient(t, admin);
      const [request] = await receiver.waitFor((r) => r.length >= 1);
      expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
      for (const secret of [endpoint.secret as string, rotated.body.secret as string]) {
        expect(verifiedByLibrary(secret, request)).toBeTruthy();
        expect(verifiedByHmac(secret, request)).toBe(true);
      }
      // A second rotation: the first secret no longer signs.
      const again = await t.as(admin).post(`/api/webhooks/${endpoint.id}/secret/rotate/`);
      await newPatient(t, admin);
      const [, second] = await receiver.waitFor((r) => r.length >= 2);
      expect(verifiedByHmac(endpoint.secret, second)).toBe(false);
      expect(verifiedByHmac(rotated.body.secret, second)).toBe(true);
      expect(verifiedByHmac(again.body.secret, second)).toBe(true);
      const audit = await t.db.query<{ action: string }[]>(
        "SELECT action FROM audit_events WHERE entity = 'webhook' AND entity_id = $1 ORDER BY id",
        [endpoint.id],
      );
      expect(audit.map((a) => a.action)).toEqual(['create', 'rotate', 'rotate']);
    });

    it('retries a delivery the receiver fails (500) until it answers 200, with the same webhook-id, recording the attempts', async () => {
      const receiver = await newReceiver();
      receiver.answer = (_request, count) => (count <= 2 ? 500 : 200);
      const endpoint = await register(admin, { url: receiver.url, events: ['patient.created'] });
      await newPatient(t, admin);
      const requests = await receiver.waitFor((r) => r.some((x) => x.status === 200), 20_000, 'a retried delivery');
      expect(requests.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(requests.map((r) => r.id)).size).toBe(1);
      const [delivery] = await waitForDeliveries(admin, endpoint.id, (d) => d[0]?.status === 'succeeded', 'the delivery succeeded');
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, last_status_code: 200, webhook_id: requests[0].id });
      for (const request of requests) expect(verifiedByHmac(endpoint.secret, request)).toBe(true);
    });

    it('does not follow a redirect, and counts a receiver that does not answer in time as a failure', async () => {
      const elsewhere = await newReceiver();
      const redirecting = await newReceiver();
      redirecting.answer = () => ({ status: 302, headers: { location: elsewhere.url } });
      const slow = await newReceiver();
      slow.answer = () => 'hang';
      const redirected = await register(admin, { url: redirecting.url, events: ['patient.created'] });
      const timedOut = await register(admin, { url: slow.url, events: ['patient.created'] });
      await newPatient(t, admin);
      await redirecting.waitFor((r) => r.length >= 2, 20_000, 'a retried redirect');
      await slow.waitFor((r) => r.length >= 1);
      const [afterRedirect] = await waitForDeliveries(admin, redirected.id, (d) => d[0]?.attempts >= 1, 'an attempt');
      expect(afterRedirect).toMatchObject({ status: 'pending', last_status_code: 302, last_error: 'redirect not followed' });
      const [afterTimeout] = await waitForDeliveries(admin, timedOut.id, (d) => d[0]?.attempts >= 1, 'a timed-out attempt');
      expect(afterTimeout).toMatchObject({ status: 'pending', last_status_code: null, last_error: 'no answer within 1500 ms' });
      expect(elsewhere.received).toEqual([]);
      // Deleted, they get nothing more.
      for (const endpoint of [redirected, timedOut]) expect((await t.as(admin).delete(`/api/webhooks/${endpoint.id}/`)).status).toBe(204);
    });

    it('sends a delivery again on retry (same webhook-id) and replays a window of events as new deliveries', async () => {
      const receiver = await newReceiver();
      const endpoint = await register(admin, { url: receiver.url, events: ['patient.created', 'patient.updated'] });
      const from = new Date().toISOString();
      const first = await newPatient(t, admin);
      await newPatient(t, admin);
      expect((await t.as(admin).patch(`/api/patients/${first.id}/`).send({ phone: '+15550123' })).status).toBe(200);
      await receiver.waitFor((r) => r.filter((x) => x.status === 200).length >= 3);
      const to = new Date(Date.now() + 1).toISOString();
      const [latest] = await deliveriesOf(admin, endpoint.id);

      const retried = await t.as(admin).post(`/api/webhooks/${endpoint.id}/deliveries/${latest.id}/retry/`);
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ id: latest.id, status: 'pending', webhook_id: latest.webhook_id });
      await receiver.waitFor((r) => r.length >= 4);
      expect(receiver.received[3].id).toBe(latest.webhook_id);
      expect(receiver.received[3].body).toBe(receiver.received.find((r) => r.id === latest.webhook_id)!.body);

      const replay = await t.as(admin).post(`/api/webhooks/${endpoint.id}/replay/`).send({ from, to });
      expect(replay.status).toBe(202);
      expect(replay.body).toEqual({ deliveries: 3 });
      await receiver.waitFor((r) => r.length >= 7);
      const replayed = inDeliveryOrder(receiver.received.slice(4));
      const original = inDeliveryOrder(receiver.received.slice(0, 3));
      expect(new Set(replayed.map((r) => r.id)).size).toBe(3);
      for (const request of replayed) expect(original.map((r) => r.id)).not.toContain(request.id);
      // The same events, in the same order, under new ids.
      expect(replayed.map((r) => JSON.parse(r.body))).toEqual(original.map((r) => JSON.parse(r.body)));
      for (const request of replayed) expect(verifiedByLibrary(endpoint.secret, request)).toBeTruthy();
      expect(await deliveriesOf(admin, endpoint.id)).toHaveLength(6);
      // Nothing in an empty window; a turned-off endpoint is not replayed to.
      expect(
        (await t.as(admin).post(`/api/webhooks/${endpoint.id}/replay/`).send({ from: '2001-01-01T00:00:00Z', to: '2001-01-02T00:00:00Z' }))
          .body,
      ).toEqual({ deliveries: 0 });
      expect((await t.as(admin).patch(`/api/webhooks/${endpoint.id}/`).send({ active: false })).status).toBe(200);
      expectProblem(await t.as(admin).post(`/api/webhooks/${endpoint.id}/replay/`).send({ from, to }), 409);
      expectProblem(await t.as(admin).post(`/api/webhooks/${endpoint.id}/deliveries/${latest.id}/retry/`), 409);
    });
  });

  describe('an endpoint that keeps failing', () => {
    let fails: TestApp;
    beforeAll(async () => {
      fails = await startTestApp({
        ...FAST_JOBS,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_RETRY_FOR: '2s',
        WEBHOOK_DISABLE_AFTER: '2',
        SMTP_URL: smtp.url,
      });
    });
    afterAll(() => fails?.close());

    it('marks each delivery failed once its retries run out, disables the endpoint after repeated failures and mails its creator', async () => {
      const owner = await fails.newAdmin();
      const receiver = await newReceiver();
      receiver.answer = () => 503;
      const endpoint = (
        await fails
          .as(owner)
          .post('/api/webhooks/')
          .send({ url: receiver.url, events: ['patient.created'] })
      ).body;
      for (let i = 0; i < 2; i++)
        expect(
          (
            await fails
              .as(owner)
              .post('/api/patients/')
              .send({ name: `Failing ${i}` })
          ).status,
        ).toBe(201);
      const mail = await smtp.waitForMail(owner.email, /disabled/, 30_000);
      expect(mail.text).toContain(`Webhook ${endpoint.id}`);
      expect(mail.text).not.toContain(endpoint.secret.slice(6));
      const read = await fails.as(owner).get(`/api/webhooks/${endpoint.id}/`);
      expect(read.body).toMatchObject({ active: false, consecutive_failures: 2, disabled_at: expect.any(String) });
      const log = (await fails.as(owner).get(`/api/webhooks/${endpoint.id}/deliveries/`)).body as Json[];
      expect(log.map((d) => [d.status, d.last_status_code])).toEqual([
        ['failed', 503],
        ['failed', 503],
      ]);
      expect(log.every((d) => d.attempts >= 2)).toBe(true);
      // Disabled: a new event makes no delivery; turned on again, it starts afresh.
      const before = receiver.received.length;
      expect((await fails.as(owner).post('/api/patients/').send({ name: 'While disabled' })).status).toBe(201);
      expect((await fails.as(owner).get(`/api/webhooks/${endpoint.id}/deliveries/`)).body).toHaveLength(2);
      const on = await fails.as(owner).patch(`/api/webhooks/${endpoint.id}/`).send({ active: true });
      expect(on.body).toMatchObject({ active: true, consecutive_failures: 0, disabled_at: null });
      expect(receiver.received.length).toBe(before);
    }, 60_000);
  });

  describe('SSRF', () => {
    let strict: TestApp;
    beforeAll(async () => {
      strict = await startTestApp({ ...FAST_JOBS, WEBHOOK_ALLOW_PRIVATE: 'false' });
    });
    afterAll(() => strict?.close());

    it('refuses loopback, private, link-local and names resolving to them, at registration and on a change of url', async () => {
      const owner = await strict.newAdmin();
      for (const url of [
        'http://127.0.0.1:8000/hooks',
        'http://127.1/hooks',
        'http://0x7f000001/hooks',
        'http://10.0.0.5/hooks',
        'http://192.168.1.10/hooks',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]:8000/hooks',
        'http://[::ffff:127.0.0.1]/hooks',
        'http://[fd00::1]/hooks',
        'http://localhost:8000/hooks',
        'http://0.0.0.0/hooks',
      ]) {
        expectFieldError(
          await strict
            .as(owner)
            .post('/api/webhooks/')
            .send({ url, events: ['patient.created'] }),
          'url',
        );
      }
      // A public address (an IP literal: no DNS needed) is taken, and cannot be moved to a private one.
      const created = await strict
        .as(owner)
        .post('/api/webhooks/')
        .send({ url: 'https://93.184.215.14/hooks', events: ['patient.created'] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expectFieldError(await strict.as(owner).patch(`/api/webhooks/${created.body.id}/`).send({ url: 'http://127.0.0.1/hooks' }), 'url');
      expect((await strict.as(owner).delete(`/api/webhooks/${created.body.id}/`)).status).toBe(204);
    });

    it('refuses to connect to a non-public address when it delivers, whatever the name resolves to', async () => {
      const receiver = await newReceiver();
      const port = new URL(receiver.url).port;
      for (const url of [receiver.url, `http://localhost:${port}/hooks`, `http://[::1]:${port}/hooks`]) {
        const result = await sendDelivery({ url, headers: {}, body: '{}', timeoutMs: 2_000, allowPrivate: false });
        expect(result, url).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/not public/) });
      }
      expect(receiver.received).toEqual([]);
      // Allowed, the same receiver is reached.
      expect(await sendDelivery({ url: receiver.url, headers: {}, body: '{}', timeoutMs: 2_000, allowPrivate: true })).toEqual({
        ok: true,
        statusCode: 200,
        error: null,
      });
    });
  });
});
