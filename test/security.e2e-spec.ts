import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIRED_ROLES } from '../src/core/auth/decorators';
import { Role } from '../src/core/auth/role';
import { snapshot, SNAPSHOT_TABLES } from './support/db-snapshot';
import { OwnApp, startOwnApp } from './support/instances';
import { fillPath, liveSpec, LiveSpec, Method, Operation } from './support/live-spec';
import { expectProblem, expectUnauthorized } from './support/problems';
import { TEST_ACCESS_SECRET, TEST_PASSWORD, TEST_REFRESH_SECRET, TestUser, uniqueName } from './support/test-app';
import { expiredAccessToken, insertUser, signAccessToken, tamperedToken, unsignedToken } from './support/tokens';

/**
 * The OWASP API Security Top 10 (2023), walked over the live OpenAPI document so that a new
 * route is covered (or this suite fails asking for it to be classified):
 *
 * - API1 broken object level authorization: every route with an id, as two other users, and with
 *   a clinic's ids as the members of another clinic;
 * - API2 broken authentication: every protected route with every kind of bad token (the token
 *   rules themselves, refresh rotation and reuse detection are in tokens.e2e-spec.ts and
 *   auth.e2e-spec.ts);
 * - API3 broken object property level authorization: mass assignment of server-owned fields;
 * - API4 unrestricted resource consumption: body size, page size, ranges, rate limits (the rate
 *   limits in depth: throttling.e2e-spec.ts);
 * - API5 broken function level authorization: every admin route, found from the controllers;
 * - API8 security misconfiguration: helmet's headers, CORS, no stack traces or versions;
 * - and no password hash, token hash or secret in any response body or log line.
 */

/** Everything the app sent, and every line it logged. */
interface Capture {
  responses: { url: string; status: number; contentType: string; body: string }[];
  logLines: string[];
}

function capture(): { capture: Capture; logDestination: DestinationStream; beforeInit: (app: NestFastifyApplication) => void } {
  const seen: Capture = { responses: [], logLines: [] };
  return {
    capture: seen,
    logDestination: { write: (line: string) => void seen.logLines.push(line) },
    beforeInit: (app) => {
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onSend', (request, reply, payload: unknown, done: (error: null, payload: unknown) => void) => {
          const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
          seen.responses.push({
            url: request.url,
            status: reply.statusCode,
            contentType: String(reply.getHeader('content-type') ?? ''),
            body,
          });
          done(null, payload);
        });
    },
  };
}

/** `METHOD /path/{}` with parameter names erased, so a renamed parameter does not unclassify a route. */
const routeKey = (operation: Pick<Operation, 'method' | 'path'>) =>
  `${operation.method.toUpperCase()} ${operation.path.replace(/\/$/, '').replace(/\{[^}]+\}/g, '{}')}`;

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

describe('security: OWASP API Top 10 (e2e)', () => {
  const main = capture();
  let t: OwnApp;
  let spec: LiveSpec;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let admin: TestUser;
  /** Records of each kind a route with an id is about; `account` for the account routes, `member` for a clinic's member. */
  type Records = Record<'patient' | 'doctor' | 'mapping' | 'appointment' | 'session' | 'clinic' | 'account' | 'member' | 'webhook', number>;
  const none = (): Records => ({
    patient: 0,
    clinic: 0,
    doctor: 0,
    mapping: 0,
    appointment: 0,
    session: 0,
    account: 0,
    member: 0,
    webhook: 0,
  });
  /** Alice's records, which the others attack. */
  const own = none();
  /**
   * Clinic K's records, which the members of another clinic K2 attack: its patient, assigned to
   * (and booked with) the profile of K2's clinician, who is no clinician of K; K's clinician's
   * profile; K itself and its staff member; its manager's session.
   */
  const clinicK = none();
  /** K's staff member, who reaches K's records; K2's manager, staff and clinician, who do not. */
  let kStaff: TestUser;
  let otherClinic: TestUser[] = [];
  const SECRET_NOTE = `confidential-${uniqueName('note')}`;

  const register = async (role: 'patient' | 'doctor'): Promise<TestUser> => {
    const username = uniqueName('sec');
    const res = await t
      .http()
      .post('/api/auth/register/')
      .send({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD, role });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { ...res.body.user, password: TEST_PASSWORD, ...res.body.tokens } as TestUser;
  };
  const created = async (res: Response | Promise<Response>): Promise<number> => {
    const done = await res;
    expect(done.status, done.text).toBe(201);
    return done.body.id as number;
  };
  const futureSlot = (days: number) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T10:00:00Z`;

  beforeAll(async () => {
    t = await startOwnApp({ LOG_LEVEL: 'debug', CORS_ORIGINS: 'https://clinic.example' }, main);
    spec = await liveSpec(t.http);
    [alice, bob, carol] = [await register('patient'), await register('patient'), await register('doctor')];
    admin = await t.newAdmin();
    await created(
      t
        .as(carol)
        .post('/api/doctors/')
        .send({ name: uniqueName('Dr Carol '), specialization: 'Oncology' }),
    );

    own.patient = await created(t.as(alice).post('/api/patients/').send({ name: 'Alice Private', medical_history: SECRET_NOTE }));
    own.doctor = await created(
      t
        .as(alice)
        .post('/api/doctors/')
        .send({ name: uniqueName('Dr Alice '), specialization: 'Cardiology' }),
    );
    const schedule = await t
      .as(alice)
      .put(`/api/doctors/${own.doctor}/schedule/`)
      .send({
        timezone: 'UTC',
        slot_minutes: 30,
        entries: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
      });
    expect(schedule.status).toBe(200);
    own.mapping = await created(t.as(alice).post('/api/mappings/').send({ patient: own.patient, doctor: own.doctor }));
    own.appointment = await created(
      t
        .as(alice)
        .post('/api/appointments/')
        .send({ patient: own.patient, doctor: own.doctor, appointment_datetime: futureSlot(3) }),
    );
    // Alice runs a clinic alone: bob and carol are no members of it.
    own.clinic = await created(t.as(alice).post('/api/clinics/').send({ name: 'Alice Private Clinic', timezone: 'UTC' }));
    [{ id: own.session }] = await t.db.query<{ id: number }[]>('SELECT id FROM sessions WHERE user_id = $1', [alice.id]);
    [own.account, own.member] = [bob.id, alice.id];

    // Clinic K, run by a manager who logged in (so it has a session), and another clinic K2.
    const kManager = await register('patient');
    const [kDoctor, k2Manager, k2Staff, k2Clinician] = [
      await insertUser(t.db, { role: Role.Doctor }),
      await insertUser(t.db),
      await insertUser(t.db),
      await insertUser(t.db, { role: Role.Doctor }),
    ];
    kStaff = await insertUser(t.db);
    otherClinic = [k2Manager, k2Staff, k2Clinician];
    clinicK.clinic = await created(t.as(kManager).post('/api/clinics/').send({ name: 'Kay Clinic', timezone: 'UTC' }));
    const k2 = await created(t.as(k2Manager).post('/api/clinics/').send({ name: 'Other Clinic', timezone: 'UTC' }));
    const join = async (clinic: number, manager: TestUser, user: TestUser, role: string) => {
      expect((await t.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: user.id, role })).status).toBe(201);
      expect((await t.as(user).post(`/api/clinics/${clinic}/membership/accept/`)).status).toBe(200);
    };
    await join(clinicK.clinic, kManager, kStaff, 'staff');
    await join(clinicK.clinic, kManager, kDoctor, 'clinician');
    await join(k2, k2Manager, k2Staff, 'staff');
    await join(k2, k2Manager, k2Clinician, 'clinician');
    const profile = (who: TestUser) =>
      created(
        t
          .as(who)
          .post('/api/doctors/')
          .send({ name: uniqueName('Dr Kay '), specialization: 'Pediatrics' }),
      );
    clinicK.doctor = await profile(kDoctor);
    const kSchedule = {
      timezone: 'UTC',
      slot_minutes: 30,
      entries: [1, 3, 5].map((weekday) => ({ weekday, start: '08:00', end: '16:00' })),
    };
    expect((await t.as(kDoctor).put(`/api/doctors/${clinicK.doctor}/schedule/`).send(kSchedule)).status).toBe(200);
    const k2Profile = await profile(k2Clinician);
    clinicK.patient = await created(
      t.as(kStaff).post('/api/patients/').send({ name: 'Kay Private', medical_history: SECRET_NOTE, clinic: clinicK.clinic }),
    );
    await created(t.as(kStaff).post('/api/mappings/').send({ patient: clinicK.patient, doctor: clinicK.doctor }));
    clinicK.mapping = await created(t.as(kStaff).post('/api/mappings/').send({ patient: clinicK.patient, doctor: k2Profile }));
    clinicK.appointment = await created(
      t
        .as(kStaff)
        .post('/api/appointments/')
        .send({ patient: clinicK.patient, doctor: k2Profile, appointment_datetime: futureSlot(4) }),
    );
    [{ id: clinicK.session }] = await t.db.query<{ id: number }[]>('SELECT id FROM sessions WHERE user_id = $1', [kManager.id]);
    [clinicK.account, clinicK.member] = [kStaff.id, kStaff.id];
    // A webhook of each clinic, by its manager; turned off at once, so no delivery changes the records while the attacks run.
    const webhookOf = async (manager: TestUser, clinic: number) => {
      const id = await created(
        t
          .as(manager)
          .post('/api/webhooks/')
          .send({ url: 'https://93.184.215.14/hooks', events: ['patient.deleted'], clinic }),
      );
      expect((await t.as(manager).patch(`/api/webhooks/${id}/`).send({ active: false })).status).toBe(200);
      return id;
    };
    own.webhook = await webhookOf(alice, own.clinic);
    clinicK.webhook = await webhookOf(kManager, clinicK.clinic);
  });
  afterAll(() => t?.close());

  /** Path values for a route: the record of `of` (Alice's unless told) of the kind the route is about. */
  const idsFor = (key: string, of: Records = own): Record<string, number> => {
    const id = /^\w+ \/api\/users\//.test(key)
      ? of.account
      : /\/api\/auth\/sessions\//.test(key)
        ? of.session
        : /\/api\/appointments\//.test(key)
          ? of.appointment
          : /\/api\/clinics\//.test(key)
            ? of.clinic
            : /\/api\/webhooks\//.test(key)
              ? of.webhook
              : /^DELETE \/api\/mappings\/\{\}$/.test(key)
                ? of.mapping
                : /\/api\/doctors\//.test(key)
                  ? of.doctor
                  : of.patient;
    return new Proxy<Record<string, number>>({}, { get: (_, name) => (name === 'user_id' ? of.member : id), has: () => true });
  };

  /** A valid body for a write, so that a refusal is about who asks, not about what is sent. */
  const BODIES: Record<string, object> = {
    'PUT /api/patients/{}': { name: 'Taken Over' },
    'PATCH /api/patients/{}': { name: 'Taken Over' },
    'PATCH /api/appointments/{}': { status: 'CANCELLED' },
    // A valid PUT: only then does the answer show the access rule rather than validation.
    'PUT /api/appointments/{}': { doctor: 1, patient: 1, appointment_datetime: '2030-01-15T09:30:00Z', status: 'CANCELLED' },
    'PUT /api/doctors/{}': { name: 'Taken Over', specialization: 'None' },
    'PATCH /api/doctors/{}': { name: 'Taken Over' },
    'PUT /api/doctors/{}/schedule': { timezone: 'UTC', slot_minutes: 30, entries: [] },
    'PATCH /api/users/{}': { is_active: false },
    'PATCH /api/clinics/{}': { name: 'Taken Over' },
    'POST /api/clinics/{}/members': { user: 1, role: 'manager' },
    'PATCH /api/clinics/{}/members/{}': { role: 'staff' },
    'PATCH /api/webhooks/{}': { active: true },
    'POST /api/webhooks/{}/replay': { from: '2030-01-01T00:00:00Z', to: '2030-01-02T00:00:00Z' },
  };

  const call = (who: TestUser | undefined, method: Method, path: string, body?: object): Promise<Response> => {
    const req = who ? t.as(who)[method](path) : t.http()[method](path);
    return body === undefined ? req : req.send(body);
  };

  describe('API1 broken object level authorization', () => {
    /**
     * What another user gets from each route with an id of Alice's. Patients, assignments and
     * appointments are owned: 404, as for an id that does not exist. The doctor directory is
     * shared by design: any authenticated user reads a doctor, its schedule and free slots, but
     * only its creator, linked account or an admin changes them (403). Accounts are the admins'.
     */
    const FOR_OTHERS: Record<string, 200 | 403 | 404> = {
      'GET /api/patients/{}': 404,
      'PUT /api/patients/{}': 404,
      'PATCH /api/patients/{}': 404,
      'DELETE /api/patients/{}': 404,
      'GET /api/patients/{}/doctors': 404,
      'GET /api/mappings/{}': 404,
      'GET /api/mappings/{}/doctors': 404,
      'GET /api/mappings/patient/{}': 404,
      'DELETE /api/mappings/{}': 404,
      'GET /api/appointments/{}': 404,
      'PATCH /api/appointments/{}': 404,
      'PUT /api/appointments/{}': 404,
      'DELETE /api/appointments/{}': 404,
      'GET /api/appointments/{}/history': 404,
      'GET /api/appointments/{}/reminders': 404,
      'DELETE /api/auth/sessions/{}': 404,
      // Clinics: seen only by their active members (and admins).
      'GET /api/clinics/{}': 404,
      'PATCH /api/clinics/{}': 404,
      'GET /api/clinics/{}/members': 404,
      'POST /api/clinics/{}/members': 404,
      'POST /api/clinics/{}/membership/accept': 404,
      'POST /api/clinics/{}/membership/decline': 404,
      'PATCH /api/clinics/{}/members/{}': 404,
      'DELETE /api/clinics/{}/members/{}': 404,
      'GET /api/clinics/{}/audit-events': 404,
      // Webhooks: seen and run by admins and their clinic's managers only.
      'GET /api/webhooks/{}': 404,
      'PATCH /api/webhooks/{}': 404,
      'DELETE /api/webhooks/{}': 404,
      'POST /api/webhooks/{}/secret/rotate': 404,
      'GET /api/webhooks/{}/deliveries': 404,
      'POST /api/webhooks/{}/deliveries/{}/retry': 404,
      'POST /api/webhooks/{}/replay': 404,
      // Shared resource: the doctor directory.
      'GET /api/doctors/{}': 200,
      'GET /api/doctors/{}/schedule': 200,
      'GET /api/doctors/{}/slots': 200,
      'PUT /api/doctors/{}': 403,
      'PATCH /api/doctors/{}': 403,
      'DELETE /api/doctors/{}': 403,
      'PUT /api/doctors/{}/schedule': 403,
      // Function level: admins only.
      'GET /api/users/{}': 403,
      'PATCH /api/users/{}': 403,
      'POST /api/users/{}/unlock': 403,
      'POST /api/users/{}/sessions/end': 403,
      'POST /api/users/{}/password-reset': 403,
    };
    const query = (key: string) => (key.endsWith('/slots') ? `?date=${tomorrow()}` : '');

    it('classifies every route with an id in the OpenAPI document', () => {
      const idRoutes = spec.operations.filter((operation) => operation.pathParams.length > 0).map(routeKey);
      expect(idRoutes.length).toBeGreaterThan(15);
      expect(idRoutes.filter((key) => !(key in FOR_OTHERS))).toEqual([]);
    });

    /**
     * Sends the ids of `of` to every route with an id as each of `attackers`: each answers as
     * FOR_OTHERS says (404: like a missing id), and nothing changes; `reader` (whose records they
     * are) does reach every GET. `name` is the patient's, which no answer may show.
     */
    const expectEveryIdRouteRefused = async (of: Records, attackers: TestUser[], reader: TestUser, name: string): Promise<string[]> => {
      const before = await snapshot(t.db);
      const checked: string[] = [];
      for (const operation of spec.operations.filter((op) => op.pathParams.length > 0)) {
        const key = routeKey(operation);
        const path = fillPath(operation.path, idsFor(key, of)) + query(key);
        const missing = fillPath(operation.path, new Proxy({}, { get: () => 2_147_483_647, has: () => true })) + query(key);
        for (const attacker of attackers) {
          const res = await call(attacker, operation.method, path, BODIES[key]);
          expect(res.status, `${key} as ${attacker.role}: ${res.text}`).toBe(FOR_OTHERS[key]);
          expect(res.text).not.toContain(SECRET_NOTE);
          expect(res.text).not.toContain(name);
          if (FOR_OTHERS[key] === 404) {
            // Indistinguishable from an id that does not exist.
            const absent = await call(attacker, operation.method, missing, BODIES[key]);
            expect(absent.status, key).toBe(404);
            expect(res.body.detail, key).toBe(absent.body.detail);
            expectProblem(res, 404);
          } else if (FOR_OTHERS[key] === 403) {
            expectProblem(res, 403);
          }
        }
        checked.push(key);
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      // The owner does reach every one of them (so the 404s above are about ownership).
      for (const operation of spec.operations.filter((op) => op.pathParams.length > 0 && op.method === 'get')) {
        const key = routeKey(operation);
        // Accounts are the admins'; a clinic's trail is its managers' (test/clinic-audit.e2e-spec.ts).
        // A clinic's webhooks are its managers' (Alice manages hers; K's staff reader does not): test/webhooks.e2e-spec.ts.
        if (key.includes('/users/') || key.endsWith('/audit-events') || (key.includes('/webhooks/') && of !== own)) continue;
        const res = await t.as(reader).get(fillPath(operation.path, idsFor(key, of)) + query(key));
        expect(res.status, `${key} as the owner: ${res.text}`).toBe(200);
      }
      return checked;
    };

    it("answers another user's ids on every such route as if they did not exist, and changes nothing", async () => {
      const checked = await expectEveryIdRouteRefused(own, [bob, carol], alice, 'Alice Private');
      console.info(`security: object level authorization checked on ${checked.length} routes with ids, as a patient and as a doctor`);
    });

    it("answers another clinic's ids on every such route as if they did not exist, to its manager, staff and clinician, and changes nothing", async () => {
      // K2's clinician is the doctor of K's assignment and appointment, yet no clinician of K: they stay K's.
      const checked = await expectEveryIdRouteRefused(clinicK, otherClinic, kStaff, 'Kay Private');
      console.info(`security: object level authorization checked on ${checked.length} routes with ids of another clinic, as its 3 roles`);
    });

    it("refuses another user's ids inside bodies and filters", async () => {
      const bobsDoctor = await created(
        t
          .as(bob)
          .post('/api/doctors/')
          .send({ name: uniqueName('Dr Bob '), specialization: 'Dermatology' }),
      );
      expectProblem(await t.as(bob).post('/api/mappings/').send({ patient: own.patient, doctor: bobsDoctor }), 404);
      expectProblem(
        await t
          .as(bob)
          .post('/api/appointments/')
          .send({ patient: own.patient, doctor: bobsDoctor, appointment_datetime: futureSlot(5) }),
        404,
      );
      for (const path of [
        `/api/appointments/?patient=${own.patient}`,
        `/api/appointments/?doctor=${own.doctor}`,
        `/api/mappings/?patient=${own.patient}`,
        `/api/mappings/?doctor=${own.doctor}`,
        '/api/patients/?search=Alice%20Private',
        '/api/patients/?assigned=true',
      ]) {
        for (const attacker of [bob, carol]) {
          const res = await t.as(attacker).get(path);
          expect(res.status, path).toBe(200);
          expect(res.body, `${path} as ${attacker.role}`).toEqual([]);
          expect(res.headers['x-total-count']).toBe('0');
        }
      }
      // Linking someone else's account to a doctor profile.
      const res = await t
        .as(bob)
        .post('/api/doctors/')
        .send({ name: uniqueName('Dr Fake '), specialization: 'X', user: carol.id });
      expectProblem(res, 403);
    });

    it("refuses another clinic's ids inside bodies and filters, to its manager, staff and clinician", async () => {
      const mine = new Map<TestUser, number>();
      for (const attacker of otherClinic) {
        mine.set(
          attacker,
          await created(
            t
              .as(attacker)
              .post('/api/patients/')
              .send({ name: uniqueName('Mine '), clinic: null }),
          ),
        );
      }
      const before = await snapshot(t.db);
      for (const attacker of otherClinic) {
        const as = t.as(attacker);
        expectProblem(await as.post('/api/mappings/').send({ patient: clinicK.patient, doctor: clinicK.doctor }), 404);
        expectProblem(
          await as
            .post('/api/appointments/')
            .send({ patient: clinicK.patient, doctor: clinicK.doctor, appointment_datetime: futureSlot(6) }),
          404,
        );
        // A patient put into K, made or moved: the same field error as for a clinic that does not exist.
        for (const put of [
          (clinic: number) => as.post('/api/patients/').send({ name: uniqueName('Planted '), clinic }),
          (clinic: number) => as.patch(`/api/patients/${mine.get(attacker)}/`).send({ clinic }),
        ]) {
          const [res, absent] = [await put(clinicK.clinic), await put(2_147_483_647)];
          expectProblem(res, 400);
          expect(Object.keys(res.body.errors), attacker.role).toEqual(['clinic']);
          expect(res.body.errors).toEqual(absent.body.errors);
        }
        for (const path of [
          `/api/patients/?clinic=${clinicK.clinic}`,
          `/api/patients/?clinic=${clinicK.clinic}&assigned=true`,
          '/api/patients/?assigned=true',
          '/api/patients/?search=Kay%20Private',
          '/api/mappings/',
          `/api/mappings/?clinic=${clinicK.clinic}`,
          `/api/mappings/?patient=${clinicK.patient}`,
          '/api/appointments/',
          `/api/appointments/?clinic=${clinicK.clinic}`,
          `/api/appointments/?patient=${clinicK.patient}`,
        ]) {
          const res = await as.get(path);
          expect(res.status, path).toBe(200);
          expect(res.body, `${path} as ${attacker.username}`).toEqual([]);
          expect(res.headers['x-total-count']).toBe('0');
        }
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
    });
  });

  /**
   * Moves of every field that grants access to someone's records: a doctor profile's `user`
   * (its account reads the patients assigned to it), an account's `role` and `is_active`, an
   * assignment's and an appointment's `patient` and `doctor`. Each attempt is refused and changes
   * nothing, and the attacker still cannot read the patient.
   */
  describe('API1 link moves: the fields that grant access', () => {
    const doctorAccount = () => insertUser(t.db, { role: Role.Doctor });
    const patientAccount = () => insertUser(t.db);
    const postProfile = (who: TestUser, fields: object = {}) =>
      t
        .as(who)
        .post('/api/doctors/')
        .send({ name: uniqueName('Dr Link '), specialization: 'Linking', ...fields });
    const newProfile = (who: TestUser) => created(postProfile(who));
    const linkOf = async (profile: number) => (await t.as(admin).get(`/api/doctors/${profile}/`)).body.user as number | null;
    const expectNoRead = async (who: TestUser, patient: number) => {
      const res = await t.as(who).get(`/api/patients/${patient}/`);
      expectProblem(res, 404);
      expect(res.text).not.toContain(SECRET_NOTE);
    };

    it("keeps a profile's creator from moving its link back to itself once an admin linked it to the real doctor", async () => {
      const creator = await doctorAccount();
      const realDoctor = await doctorAccount();
      const owner = await patientAccount();
      const profile = await newProfile(creator);
      expect(await linkOf(profile)).toBe(creator.id); // the automatic link
      expect((await t.as(creator).patch(`/api/doctors/${profile}/`).send({ user: null })).status).toBe(200);
      expect((await t.as(admin).patch(`/api/doctors/${profile}/`).send({ user: realDoctor.id })).status).toBe(200);
      const patient = await created(
        t
          .as(owner)
          .post('/api/patients/')
          .send({ name: uniqueName('Linked '), medical_history: SECRET_NOTE }),
      );
      await created(t.as(owner).post('/api/mappings/').send({ patient, doctor: profile }));
      expect((await t.as(realDoctor).get(`/api/patients/${patient}/`)).body.medical_history).toBe(SECRET_NOTE);

      const move = await t.as(creator).patch(`/api/doctors/${profile}/`).send({ user: creator.id });
      expectProblem(move, 403);
      expect(move.body.detail).toMatch(/linked to this doctor profile or an admin/);
      expect(await linkOf(profile)).toBe(realDoctor.id);
      await expectNoRead(creator, patient);
      expect((await t.as(realDoctor).get(`/api/patients/${patient}/`)).status).toBe(200);
    });

    it("refuses every move of a doctor profile's user by anyone but an admin (create, PUT, PATCH), and the creator's hold on a linked profile", async () => {
      const creator = await patientAccount();
      const linked = await doctorAccount();
      const otherDoctor = await doctorAccount();
      const stranger = await patientAccount();
      const owner = await patientAccount();
      const profile = await newProfile(creator);
      expect((await t.as(admin).patch(`/api/doctors/${profile}/`).send({ user: linked.id })).status).toBe(200);
      const patient = await created(
        t
          .as(owner)
          .post('/api/patients/')
          .send({ name: uniqueName('Linked '), medical_history: SECRET_NOTE }),
      );
      await created(t.as(owner).post('/api/mappings/').send({ patient, doctor: profile }));
      await created(
        t
          .as(owner)
          .post('/api/appointments/')
          .send({ patient, doctor: profile, appointment_datetime: futureSlot(13) }),
      );
      const unlinked = await newProfile(creator);

      const put = (who: TestUser, id: number, user: number | null) =>
        t.as(who).put(`/api/doctors/${id}/`).send({ name: 'Dr Moved', specialization: 'Moved', user });
      const patch = (who: TestUser, id: number, user: number | null) => t.as(who).patch(`/api/doctors/${id}/`).send({ user });
      const attempts: [string, () => Promise<Response>][] = [
        ["a patient creates a profile linked to someone else's account", () => postProfile(stranger, { user: linked.id })],
        ["a doctor creates a profile linked to another doctor's account", () => postProfile(otherDoctor, { user: linked.id })],
        ['a patient creates a profile linked to a doctor account', () => postProfile(creator, { user: otherDoctor.id })],
        ...[put, patch].flatMap((write): [string, () => Promise<Response>][] => [
          [`the creator ${write.name}s the linked profile to another account`, () => write(creator, profile, otherDoctor.id)],
          [`the creator ${write.name}s the linked profile to no account`, () => write(creator, profile, null)],
          [`the creator ${write.name}s its unlinked profile to a doctor account`, () => write(creator, unlinked, otherDoctor.id)],
          [`another doctor ${write.name}s the linked profile to itself`, () => write(otherDoctor, profile, otherDoctor.id)],
          [`another doctor ${write.name}s an unlinked profile to itself`, () => write(otherDoctor, unlinked, otherDoctor.id)],
          [`a patient ${write.name}s the linked profile to a doctor account`, () => write(stranger, profile, otherDoctor.id)],
          [`the linked account ${write.name}s its link to another account`, () => write(linked, profile, otherDoctor.id)],
        ]),
        // The creator of a profile linked to someone else keeps no rights over it (a delete would cancel the owner's appointment).
        ['the creator deletes the linked profile', () => t.as(creator).delete(`/api/doctors/${profile}/`)],
        [
          'the creator sets the schedule of the linked profile',
          () => t.as(creator).put(`/api/doctors/${profile}/schedule/`).send({ timezone: 'UTC', slot_minutes: 30, entries: [] }),
        ],
      ];
      const before = await snapshot(t.db);
      for (const [what, attempt] of attempts) {
        const res = await attempt();
        expect(res.status, `${what}: ${res.text}`).toBe(403);
        expectProblem(res, 403);
        expect(res.body.detail, what).toMatch(/only (an admin|the account linked|the doctor profile's creator)/i);
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      expect(await linkOf(profile)).toBe(linked.id);
      expect(await linkOf(unlinked)).toBeNull();
      for (const attacker of [creator, otherDoctor, stranger]) await expectNoRead(attacker, patient);
      expect((await t.as(linked).get(`/api/patients/${patient}/`)).status).toBe(200);
      console.info(`security: ${attempts.length} moves of a doctor profile's user, or writes to one linked to someone else, refused`);
    });
    it("refuses role and is_active changes to anyone but an admin, their own account's included", async () => {
      const patient = await patientAccount();
      const doctor = await doctorAccount();
      const before = await snapshot(t.db);
      for (const who of [patient, doctor]) {
        for (const target of [patient, doctor, admin]) {
          for (const body of [{ role: 'admin' }, { role: 'doctor' }, { is_active: false }, { is_active: true }]) {
            const res = await t.as(who).patch(`/api/users/${target.id}/`).send(body);
            expect(res.status, `${who.role} sets ${JSON.stringify(body)} on ${target.role}`).toBe(403);
            expectProblem(res, 403);
          }
        }
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      expect((await t.as(patient).get('/api/auth/me/')).body.role).toBe('patient');
    });

    it('refuses registering as an admin', async () => {
      const username = uniqueName('wannabe');
      const res = await t
        .http()
        .post('/api/auth/register/')
        .send({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD, role: 'admin' });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['role']);
      expect(await t.db.query('SELECT 1 FROM users WHERE username = $1', [username])).toEqual([]);
    });

    it("refuses assigning a doctor to someone else's patient, or moving oneself onto it", async () => {
      const owner = await patientAccount();
      const attacker = await patientAccount();
      const attackersDoctor = await newProfile(attacker);
      const careDoctor = await doctorAccount();
      const careProfile = await newProfile(careDoctor);
      const intruder = await doctorAccount();
      const intruderProfile = await newProfile(intruder);
      const patient = await created(
        t
          .as(owner)
          .post('/api/patients/')
          .send({ name: uniqueName('Owned '), medical_history: SECRET_NOTE }),
      );
      await created(t.as(owner).post('/api/mappings/').send({ patient, doctor: careProfile }));
      const before = await snapshot(t.db);
      // Someone else's patient: as if it did not exist.
      expectProblem(await t.as(attacker).post('/api/mappings/').send({ patient, doctor: attackersDoctor }), 404);
      expectProblem(await t.as(intruder).post('/api/mappings/').send({ patient, doctor: intruderProfile }), 404);
      // The assigned doctor reads the patient, but may not assign anyone to it, itself included.
      expectProblem(await t.as(careDoctor).post('/api/mappings/').send({ patient, doctor: intruderProfile }), 403);
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      await expectNoRead(intruder, patient);
      await expectNoRead(attacker, patient);
    });

    it("refuses booking someone else's patient, and moving an appointment to another patient or doctor", async () => {
      const owner = await patientAccount();
      const attacker = await patientAccount();
      const attackersPatient = await created(
        t
          .as(attacker)
          .post('/api/patients/')
          .send({ name: uniqueName('Mine ') }),
      );
      const careDoctor = await doctorAccount();
      const careProfile = await newProfile(careDoctor);
      const otherProfile = await newProfile(await doctorAccount());
      const patient = await created(
        t
          .as(owner)
          .post('/api/patients/')
          .send({ name: uniqueName('Owned '), medical_history: SECRET_NOTE }),
      );
      await created(t.as(owner).post('/api/mappings/').send({ patient, doctor: careProfile }));
      const appointment = await created(
        t
          .as(owner)
          .post('/api/appointments/')
          .send({ patient, doctor: careProfile, appointment_datetime: futureSlot(11) }),
      );
      const before = await snapshot(t.db);
      const book = (who: TestUser) =>
        t
          .as(who)
          .post('/api/appointments/')
          .send({ patient, doctor: careProfile, appointment_datetime: futureSlot(12) });
      expectProblem(await book(attacker), 404);
      // The assigned doctor reads the patient, yet books for it only through its owner.
      expectProblem(await book(careDoctor), 403);
      // PATCH changes when, how long, why and the status, never whose or with whom.
      for (const who of [owner, careDoctor, admin]) {
        for (const body of [
          { patient: attackersPatient },
          { doctor: otherProfile },
          { patient_id: attackersPatient },
          { doctor_id: otherProfile },
        ]) {
          const res = await t.as(who).patch(`/api/appointments/${appointment}/`).send(body);
          expectProblem(res, 400);
          expect(Object.keys(res.body.errors ?? {}), `${who.role} PATCH ${JSON.stringify(body)}`).toEqual(Object.keys(body));
        }
      }
      expectProblem(await t.as(attacker).patch(`/api/appointments/${appointment}/`).send({ notes: 'mine now' }), 404);
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      const read = await t.as(owner).get(`/api/appointments/${appointment}/`);
      expect(read.body).toMatchObject({ patient, doctor: careProfile });
    });
  });

  describe('API2 broken authentication', () => {
    it('opens exactly the intended operations to anonymous callers', () => {
      const open = spec.operations
        .filter((operation) => operation.public)
        .map(routeKey)
        .sort();
      expect(open).toEqual(
        [
          'GET /health/live',
          'GET /health/ready',
          'POST /api/auth',
          'POST /api/auth/login',
          'POST /api/auth/login/mfa',
          'POST /api/auth/logout',
          'POST /api/auth/email/verify',
          'POST /api/auth/email/verify/resend',
          'POST /api/auth/password/reset',
          'POST /api/auth/password/reset/confirm',
          'POST /api/auth/refresh',
          'POST /api/auth/register',
          'POST /api/auth/token/refresh',
          'POST /api/token',
          'POST /api/token/refresh',
        ].sort(),
      );
    });

    it('refuses every protected operation with a missing, malformed, unsigned, tampered, expired, foreign or refresh token', async () => {
      const tokens: Record<string, string | undefined> = {
        missing: undefined,
        'not a JWT': 'Bearer not-a-jwt',
        'another scheme': `Basic ${Buffer.from('alice:pw').toString('base64')}`,
        'alg none': `Bearer ${unsignedToken(admin.access)}`,
        tampered: `Bearer ${tamperedToken(alice.access)}`,
        expired: `Bearer ${expiredAccessToken(alice)}`,
        'another secret': `Bearer ${signAccessToken({ sub: String(admin.id), username: admin.username, role: 'admin' }, 'x'.repeat(48))}`,
        'a refresh token': `Bearer ${alice.refresh}`,
        // The first step of a two-factor login: signed with the access secret, but of its own type.
        'an mfa token': `Bearer ${signAccessToken({ sub: String(admin.id), type: 'mfa', iat_ms: Date.now() })}`,
        'signed with the refresh secret': `Bearer ${signAccessToken({ sub: String(admin.id), username: admin.username, role: 'admin' }, TEST_REFRESH_SECRET)}`,
      };
      const protectedOperations = spec.operations.filter((operation) => !operation.public);
      const before = await snapshot(t.db);
      let requests = 0;
      for (const operation of protectedOperations) {
        const key = routeKey(operation);
        const path = fillPath(operation.path, idsFor(key));
        for (const [kind, authorization] of Object.entries(tokens)) {
          let req = t.http()[operation.method](path);
          if (authorization) req = req.set('Authorization', authorization);
          const res = await (BODIES[key] ? req.send(BODIES[key]) : req);
          requests++;
          expect(res.status, `${key} with ${kind}`).toBe(401);
          expectUnauthorized(res);
        }
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      console.info(
        `security: ${protectedOperations.length} protected operations x ${Object.keys(tokens).length} bad tokens = ${requests} requests, all 401`,
      );
    });
  });

  describe('API3 mass assignment', () => {
    /** Privileged or internal fields no body declares: refused as unknown. */
    const PRIVILEGED = ['created_by_id', 'createdById', 'role', 'is_active', 'deleted_at', 'password_hash'];
    /**
     * Fields the service owns and answers in reads: ignored, so a client may send back what it
     * read, and so they must change nothing. Each with a value no record could have by itself.
     */
    const SERVER_OWNED = ['id', 'created_by', 'owner', 'version', 'created_at', 'updated_at', 'doctor_details', 'assigned_at'];
    const FORGED_ID = 987_654_321;
    const FORGED_VERSION = 424_242;
    const FORGED_TIME = '2000-01-01T00:00:00Z';

    type Write = { name: string; who: TestUser; method: Method; path: string; body: () => object | Promise<object>; allowed?: string[] };
    let slot = 40;
    const writes = (): Write[] => {
      const freshDoctor = () =>
        created(
          t
            .as(alice)
            .post('/api/doctors/')
            .send({ name: uniqueName('Dr Fresh '), specialization: 'ENT' }),
        );
      const account = () => {
        const username = uniqueName('mass');
        return { username, email: `${username}@clinic.example`, password: TEST_PASSWORD };
      };
      return [
        { name: 'create patient', who: alice, method: 'post', path: '/api/patients/', body: () => ({ name: 'New' }) },
        {
          name: 'replace patient',
          who: alice,
          method: 'put',
          path: `/api/patients/${own.patient}/`,
          body: () => ({ name: 'Alice Private' }),
        },
        {
          name: 'change patient',
          who: alice,
          method: 'patch',
          path: `/api/patients/${own.patient}/`,
          body: () => ({ phone: '+1 555 0100' }),
        },
        { name: 'create doctor', who: alice, method: 'post', path: '/api/doctors/', body: () => ({ name: 'Dr New', specialization: 'X' }) },
        {
          name: 'replace doctor',
          who: alice,
          method: 'put',
          path: `/api/doctors/${own.doctor}/`,
          body: () => ({ name: 'Dr A', specialization: 'Cardiology' }),
        },
        { name: 'change doctor', who: alice, method: 'patch', path: `/api/doctors/${own.doctor}/`, body: () => ({ phone: '+1 555 0199' }) },
        {
          name: 'set schedule',
          who: alice,
          method: 'put',
          path: `/api/doctors/${own.doctor}/schedule/`,
          // Open all week, so the bookings below fit it.
          body: () => ({
            timezone: 'UTC',
            slot_minutes: 30,
            entries: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' })),
          }),
        },
        {
          name: 'assign doctor',
          who: alice,
          method: 'post',
          path: '/api/mappings/',
          body: async () => ({ patient: own.patient, doctor: await freshDoctor() }),
          // is_active: true is seed 004's way of saying what every assignment starts as (false is refused in seed-fields.e2e-spec.ts).
          allowed: ['is_active'],
        },
        {
          name: 'book',
          who: alice,
          method: 'post',
          path: '/api/appointments/',
          body: () => ({ patient: own.patient, doctor: own.doctor, appointment_datetime: futureSlot(slot++) }),
        },
        {
          name: 'change appointment',
          who: alice,
          method: 'patch',
          path: `/api/appointments/${own.appointment}/`,
          body: () => ({ notes: 'n' }),
        },
        {
          name: 'register',
          who: undefined as unknown as TestUser,
          method: 'post',
          path: '/api/auth/register/',
          body: account,
          allowed: ['role'],
        },
        {
          name: 'admin changes user',
          who: admin,
          method: 'patch',
          path: `/api/users/${bob.id}/`,
          body: () => ({ is_active: true }),
          allowed: ['role', 'is_active'],
        },
        {
          name: 'admin creates user',
          who: admin,
          method: 'post',
          path: '/api/users/',
          body: () => ({ email: `${uniqueName('made')}@clinic.example`, role: 'patient' }),
          allowed: ['role'],
        },
      ];
    };

    it('refuses privileged fields in every write body with 400 naming the field, and applies nothing', async () => {
      const all = writes();
      // One body each, as nothing is written: the assignment's fresh doctor is made here.
      const bodies: object[] = [];
      for (const write of all) bodies.push(await write.body());
      const before = await snapshot(t.db);
      let requests = 0;
      for (const [index, write] of all.entries()) {
        for (const field of PRIVILEGED.filter((f) => !write.allowed?.includes(f))) {
          const value = field.endsWith('_at') ? FORGED_TIME : field === 'role' ? 'admin' : field === 'is_active' ? true : 1;
          const body = bodies[index];
          const res = await call(write.who, write.method, write.path, { ...body, [field]: value });
          requests++;
          expectProblem(res, 400);
          expect(Object.keys(res.body.errors ?? {}), `${write.name} with ${field}`).toContain(field);
        }
      }
      // Registering as an admin is refused too (role is allowed, but only patient or doctor).
      const asAdmin = await t
        .http()
        .post('/api/auth/register/')
        .send({
          username: uniqueName('wannabe'),
          email: `${uniqueName('wannabe')}@clinic.example`,
          password: TEST_PASSWORD,
          role: 'admin',
        });
      expectProblem(asAdmin, 400);
      expect(Object.keys(asAdmin.body.errors)).toEqual(['role']);
      // An admin cannot set a password hash, username or id through the account route either.
      for (const field of ['password', 'username', 'date_joined']) {
        const res = await t
          .as(admin)
          .patch(`/api/users/${bob.id}/`)
          .send({ [field]: 'x' });
        expectProblem(res, 400);
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      console.info(`security: privileged fields refused in ${requests} requests over ${all.length} kinds of write`);
    });

    it('ignores server-owned fields in every write body: the write succeeds and every such value stays the service’s', async () => {
      const mallory = await register('patient');
      const forged: Record<string, unknown> = {
        id: FORGED_ID,
        created_by: mallory.id,
        owner: mallory.id,
        version: FORGED_VERSION,
        created_at: FORGED_TIME,
        updated_at: FORGED_TIME,
        doctor_details: { id: FORGED_ID, name: 'Forged' },
        assigned_at: FORGED_TIME,
      };
      const all = writes();
      let requests = 0;
      for (const write of all) {
        for (const field of SERVER_OWNED) {
          const where = `${write.name} with ${field}`;
          const res = await call(write.who, write.method, write.path, { ...(await write.body()), [field]: forged[field] });
          requests++;
          expect([200, 201], `${where}: ${res.text}`).toContain(res.status);
          const record = (write.name === 'register' ? res.body.user : res.body) as Record<string, unknown>;
          expect(record.id, where).not.toBe(FORGED_ID);
          // An update answers the record of its path (a schedule names its doctor).
          if (write.method !== 'post') expect(String(record.id ?? record.doctor), where).toBe(write.path.split('/')[3]);
          if ('created_by' in record) expect(record.created_by, where).toBe(write.who.id);
          if ('version' in record) expect(record.version, where).not.toBe(FORGED_VERSION);
          for (const time of ['created_at', 'updated_at', 'assigned_date', 'date_joined']) {
            if (time in record) expect(String(record[time]), `${where}: ${time}`).not.toMatch(/^2000-/);
          }
          if (record.doctor_details) expect((record.doctor_details as { name: string }).name, where).not.toBe('Forged');
        }
      }
      // And in the database itself: no row took any forged value.
      const rows = await t.db.query<{ table_name: string; column_name: string }[]>(
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = ANY($1) AND column_name IN ('id', 'created_by_id', 'version', 'created_at', 'updated_at')`,
        [SNAPSHOT_TABLES],
      );
      const forgedValue: Record<string, unknown> = {
        id: FORGED_ID,
        created_by_id: mallory.id,
        version: FORGED_VERSION,
        created_at: FORGED_TIME,
        updated_at: FORGED_TIME,
      };
      expect(rows.length).toBeGreaterThanOrEqual(15);
      for (const { table_name: table, column_name: column } of rows) {
        // As text: a refresh token's id is a uuid.
        const test = column.endsWith('_at') ? `${column} < '2001-01-01'` : `${column}::text = $1`;
        const [{ n }] = await t.db.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${test}`,
          column.endsWith('_at') ? [] : [String(forgedValue[column])],
        );
        expect(n, `${table}.${column}`).toBe(0);
      }
      console.info(`security: server-owned fields ignored in ${requests} requests over ${all.length} kinds of write`);
    });
  });

  describe('API4 unrestricted resource consumption', () => {
    it('refuses a body over the limit with 413 before reading it', async () => {
      const res = await t
        .as(bob)
        .post('/api/patients/')
        .send({ name: 'Big', medical_history: 'x'.repeat(1_100_000) });
      expectProblem(res, 413);
    });

    it('caps page_size at 100 and page at 10,000,000 on every list', async () => {
      const lists = spec.operations.filter((operation) => operation.queryParams.some((param) => param.name === 'page_size'));
      expect(lists.length).toBeGreaterThanOrEqual(8);
      for (const operation of lists) {
        const key = routeKey(operation);
        const who = /\/api\/(users|audit-events)/.test(key) ? admin : alice;
        const path = fillPath(operation.path, idsFor(key));
        expect((await t.as(who).get(`${path}?page_size=100`)).status, key).toBe(200);
        for (const [param, value] of [
          ['page_size', '101'],
          ['page_size', '100000000'],
          ['page', '10000001'],
          ['page', '1e308'],
        ]) {
          const res = await t.as(who).get(`${path}?${param}=${value}`);
          expectProblem(res, 400);
          expect(Object.keys(res.body.errors ?? {}), `${key} ${param}=${value}`).toEqual([param]);
        }
      }
    });

    it('bounds ranges and sizes inside requests', async () => {
      const far = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
      expectProblem(await t.as(alice).get(`/api/doctors/${own.doctor}/slots/?from=${tomorrow()}&to=${far}`), 400);
      expectProblem(await t.as(alice).get(`/api/patients/?search=${'a'.repeat(101)}`), 400);
      const entries = Array.from({ length: 101 }, (_, i) => ({ weekday: i % 7, start: '00:00', end: '00:05' }));
      const res = await t.as(alice).put(`/api/doctors/${own.doctor}/schedule/`).send({ timezone: 'UTC', slot_minutes: 5, entries });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toContain('entries');
    });

    it('rate-limits: 429 with Retry-After past the budget (in depth: throttling.e2e-spec.ts)', async () => {
      const limited = await startOwnApp({ THROTTLE_LIMIT: '4', THROTTLE_AUTH_LIMIT: '2', TRUST_PROXY: 'true' });
      try {
        const ip = '10.99.0.1';
        const logins = [];
        for (let i = 0; i < 3; i++) logins.push(await limited.http().post('/api/auth/login/').set('X-Forwarded-For', ip).send({}));
        expect(logins.map((res) => res.status)).toEqual([400, 400, 429]);
        expectProblem(logins[2], 429);
        expect(Number(logins[2].headers['retry-after'])).toBeGreaterThan(0);
        const reads = [];
        for (let i = 0; i < 5; i++) reads.push((await limited.http().get('/api/auth/me/').set('X-Forwarded-For', '10.99.0.2')).status);
        expect(reads).toEqual([401, 401, 401, 401, 429]);
      } finally {
        await limited.close();
      }
    });
  });

  describe('API5 broken function level authorization', () => {
    /** Every route restricted by @Roles, read from the controllers themselves. */
    function restrictedRoutes(app: NestFastifyApplication): { method: Method; path: string; roles: Role[] }[] {
      const routes: { method: Method; path: string; roles: Role[] }[] = [];
      for (const module of app.get(ModulesContainer).values()) {
        for (const wrapper of module.controllers.values()) {
          const controller = wrapper.metatype as Type;
          const classRoles = (Reflect.getMetadata(REQUIRED_ROLES, controller) ?? []) as Role[];
          const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
          for (const name of Object.getOwnPropertyNames(controller.prototype)) {
            const handler = (controller.prototype as Record<string, unknown>)[name];
            if (name === 'constructor' || typeof handler !== 'function') continue;
            const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
            if (requestMethod === undefined) continue;
            const roles = (Reflect.getMetadata(REQUIRED_ROLES, handler) ?? classRoles) as Role[];
            if (roles.length === 0) continue;
            for (const prefix of prefixes) {
              for (const path of [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat()) {
                const full = `/api/${[prefix, path].filter((part) => part && part !== '/').join('/')}`.replace(/\/+/g, '/');
                routes.push({ method: RequestMethod[requestMethod].toLowerCase() as Method, path: full.replace(/:(\w+)/g, '{$1}'), roles });
              }
            }
          }
        }
      }
      return routes;
    }

    it('answers every admin route with 403 to patients and doctors, and lets admins through', async () => {
      const routes = restrictedRoutes(t.app);
      expect(routes.length).toBeGreaterThanOrEqual(4);
      const documented = new Set(spec.operations.map(routeKey));
      const before = await snapshot(t.db);
      for (const route of routes) {
        const key = routeKey(route);
        expect(documented, `${key} is in the OpenAPI document`).toContain(key);
        const path = fillPath(route.path, idsFor(key));
        for (const user of [alice, carol].filter((u) => !route.roles.includes(u.role as Role))) {
          const res = await call(user, route.method, path, BODIES[key] ?? (route.method === 'get' ? undefined : {}));
          expect(res.status, `${key} as ${user.role}`).toBe(403);
          expectProblem(res, 403);
        }
      }
      expect((await snapshot(t.db)).digest).toBe(before.digest);
      for (const route of routes.filter((r) => r.method === 'get')) {
        expect((await t.as(admin).get(fillPath(route.path, idsFor(routeKey(route))))).status, routeKey(route)).toBe(200);
      }
      console.info(`security: ${routes.length} role-restricted routes found in the controllers: ${routes.map(routeKey).join(', ')}`);
    });
  });

  describe('API8 security misconfiguration', () => {
    const HELMET = {
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': /max-age=\d+/,
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'x-dns-prefetch-control': 'off',
      'x-permitted-cross-domain-policies': 'none',
      'content-security-policy': /default-src/,
    };
    const expectHelmet = (res: Response, what: string) => {
      for (const [header, value] of Object.entries(HELMET)) {
        if (typeof value === 'string') expect(res.headers[header], `${header} on ${what}`).toBe(value);
        else expect(res.headers[header], `${header} on ${what}`).toMatch(value);
      }
      expect(res.headers['x-powered-by'], what).toBeUndefined();
      expect(res.headers.server, what).toBeUndefined();
    };

    it("sends helmet's headers and a locked-down CSP on API responses of every kind, and no server or framework version", async () => {
      const responses: [string, Response][] = [
        ['200', await t.as(alice).get('/api/auth/me/')],
        ['201', await t.as(alice).post('/api/patients/').send({ name: 'Headers' })],
        ['401', await t.http().get('/api/patients/')],
        ['404', await t.as(alice).get('/api/nothing-here/')],
        ['400', await t.as(alice).post('/api/patients/').send({})],
        [
          '413',
          await t
            .as(alice)
            .post('/api/patients/')
            .send({ name: 'x'.repeat(1_100_000) }),
        ],
        ['415', await t.as(alice).post('/api/patients/').set('Content-Type', 'text/plain').send('name=x')],
        ['health', await t.http().get('/health/ready')],
        ['document', await t.http().get('/swagger.json')],
      ];
      for (const [what, res] of responses) {
        expectHelmet(res, what);
        if (what !== 'document') expect(res.headers['content-security-policy'], what).toContain("default-src 'none'");
        expect(res.headers['x-request-id'], what).toBeDefined();
      }
    });

    it('answers what Fastify refuses before any hook (a path too long, a malformed escape) with problem+json and the essential headers', async () => {
      for (const path of [`/api/patients/${'9'.repeat(150)}/`, '/api/patients/%zz/']) {
        const res = await t.as(alice).get(path);
        expect([400, 414], path).toContain(res.status);
        expectProblem(res, res.status);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      }
    });

    it('serves the documentation pages with a CSP that lets them render: the page and every asset load', async () => {
      let checkedPages = 0;
      for (const page of ['/swagger', '/redoc']) {
        const res = await t.http().get(page);
        if (page === '/redoc' && res.status === 404) {
          console.info('security: /redoc is not served by this build; only /swagger checked');
          continue;
        }
        expect(res.status, page).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expectHelmet(res, page);
        const csp = String(res.headers['content-security-policy']);
        const directive = (name: string) =>
          csp
            .split(';')
            .map((part) => part.trim())
            .find((part) => part.startsWith(`${name} `)) ?? '';
        // Inline scripts would need 'unsafe-inline'; inline styles are allowed for these pages.
        const inlineScripts = [...res.text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].filter((m) => m[1].trim() !== '');
        if (inlineScripts.length > 0) expect(directive('script-src'), page).toContain("'unsafe-inline'");
        if (/<style|style="/.test(res.text)) expect(directive('style-src'), page).toContain("'unsafe-inline'");
        const assets = [...res.text.matchAll(/<(?:script|link)[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
        expect(assets.length, page).toBeGreaterThan(0);
        for (const asset of assets) {
          expect(asset, `${page} loads ${asset} from this origin`).not.toMatch(/^(https?:)?\/\//);
          const url = new URL(asset, `http://localhost${page}`).pathname;
          const loaded = await t.http().get(url);
          expect(loaded.status, `${page} asset ${url}`).toBe(200);
          expect(Number(loaded.headers['content-length'] ?? loaded.body?.length ?? 1), url).toBeGreaterThan(0);
        }
        checkedPages++;
      }
      expect(checkedPages).toBeGreaterThanOrEqual(1);
    });

    it('allows CORS only for the configured origins', async () => {
      const preflight = (origin: string) =>
        t
          .http()
          .options('/api/patients/')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'authorization,content-type');
      const allowed = await preflight('https://clinic.example');
      expect(allowed.status).toBeLessThan(300);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://clinic.example');
      expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();
      for (const origin of ['https://evil.example', 'https://clinic.example.evil.example', 'null', 'http://clinic.example']) {
        const refused = await preflight(origin);
        expect(refused.headers['access-control-allow-origin'], origin).toBeUndefined();
        const simple = await t.as(alice).get('/api/auth/me/').set('Origin', origin);
        expect(simple.headers['access-control-allow-origin'], origin).toBeUndefined();
      }
      const exposed = await t.as(alice).get('/api/auth/me/').set('Origin', 'https://clinic.example');
      expect(exposed.headers['access-control-allow-origin']).toBe('https://clinic.example');

      // Without CORS_ORIGINS (the default), no origin at all.
      const closed = await startOwnApp();
      try {
        for (const origin of ['https://clinic.example', 'http://localhost:3000']) {
          const res = await closed.http().options('/api/patients/').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
          expect(res.headers['access-control-allow-origin'], origin).toBeUndefined();
        }
      } finally {
        await closed.close();
      }
    });
  });

  describe('secrets in responses and logs', () => {
    const leak = capture();
    let leaky: OwnApp;
    beforeAll(async () => {
      // A short statement timeout and a held table lock make writes fail: the error paths that log
      // the failing query are where hashes and tokens would leak.
      leaky = await startOwnApp({ LOG_LEVEL: 'debug', DB_STATEMENT_TIMEOUT_MS: '1000' }, leak);
    });
    afterAll(() => leaky?.close());

    it('logs every response with its request id, method, path, status and duration (not the token)', async () => {
      const requestId = `log-check-${Date.now()}`;
      const res = await t.as(alice).get(`/api/patients/${own.patient}/`).set('X-Request-Id', requestId);
      expect(res.status).toBe(200);
      const line = main.capture.logLines
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((entry) => entry.request_id === requestId);
      expect(line).toMatchObject({
        msg: 'request completed',
        req: { method: 'GET', url: `/api/patients/${own.patient}/` },
        res: { status_code: 200 },
      });
      expect(line?.response_time_ms).toEqual(expect.any(Number));
      expect(JSON.stringify(line)).not.toContain(alice.access);
    });

    it('takes no token from the URL, and neither echoes nor logs one sent there', async () => {
      const requestId = `query-token-${Date.now()}`;
      const path = `/api/patients/${own.patient}/`;
      const res = await t.http().get(`${path}?page=1&access_token=${alice.access}&api_key=${alice.refresh}`).set('X-Request-Id', requestId);
      expect(res.status).toBe(401);
      expect(res.body.instance).toBe(path);
      expect(JSON.stringify(res.body)).not.toContain(alice.access);
      const line = main.capture.logLines.find((text) => (JSON.parse(text) as { request_id?: string }).request_id === requestId);
      expect(line).toBeDefined();
      expect(line).not.toContain(alice.access);
      expect(line).not.toContain(alice.refresh);
      expect(JSON.parse(line!)).toMatchObject({ req: { url: `${path}?page=1&access_token=[redacted]&api_key=[redacted]` } });
    });

    /** Runs `during` while another session holds `table` in SHARE mode (reads pass, writes wait). */
    const whileLocked = async <T>(table: string, during: () => Promise<T>): Promise<T> => {
      const runner = leaky.db.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(`LOCK TABLE ${table} IN SHARE MODE`);
        return await during();
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };

    it('answers 503 problem+json, not a hang, when a write times out, and logs the failure without its values', async () => {
      const username = uniqueName('locked');
      const started = Date.now();
      const register = await whileLocked('users', () =>
        leaky
          .http()
          .post('/api/auth/register/')
          .send({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD }),
      );
      expectProblem(register, 503);
      expect(register.headers['retry-after']).toMatch(/^\d+$/);
      expect(Date.now() - started).toBeLessThan(5000);

      const user = await insertUser(leaky.db, { withPassword: true });
      const login = await whileLocked('refresh_tokens', () =>
        leaky.http().post('/api/auth/login/').send({ username: user.username, password: TEST_PASSWORD }),
      );
      expectProblem(login, 503);
      const patient = await whileLocked('patients', () =>
        leaky.as(user).post('/api/patients/').send({ name: 'Lockstep Patient', medical_history: SECRET_NOTE }),
      );
      expectProblem(patient, 503);

      const failures = leak.capture.logLines.filter((line) => /statement timeout/.test(line));
      expect(failures.length, 'the timeouts were logged').toBeGreaterThanOrEqual(3);
      for (const line of failures) {
        expect(line).not.toContain(username + '@');
        expect(line).not.toContain('Lockstep Patient');
        expect(line).not.toContain(SECRET_NOTE);
      }
    });

    it('never shows a password hash, token hash or secret in a response body, nor a token or password in a log line', async () => {
      const hashes = async (app: OwnApp) => {
        const passwords: { h: string }[] = await app.db.query(`SELECT password_hash AS h FROM users WHERE password_hash LIKE '$argon2%'`);
        const tokens: { h: string }[] = await app.db.query('SELECT token_hash AS h FROM refresh_tokens');
        return [...passwords, ...tokens].map((row) => row.h.trim());
      };
      const stored = [...(await hashes(t)), ...(await hashes(leaky))];
      expect(stored.length).toBeGreaterThan(8);
      const secrets = [TEST_ACCESS_SECRET, TEST_REFRESH_SECRET];
      const responses = [...main.capture.responses, ...leak.capture.responses];
      const logLines = [...main.capture.logLines, ...leak.capture.logLines];
      // Every token the service handed out during the suite.
      const tokens = new Set(responses.flatMap((res) => (res.contentType.includes('json') ? (res.body.match(JWT) ?? []) : [])));
      expect(tokens.size).toBeGreaterThan(5);

      for (const res of responses) {
        for (const secret of [...stored, ...secrets]) expect(res.body.includes(secret), `${res.url} shows a hash or secret`).toBe(false);
        expect(res.body, res.url).not.toMatch(/\$argon2id?\$/);
        if (/json|html/.test(res.contentType) && !/\.js$/.test(res.url)) {
          // No stack traces, internals or versions.
          expect(res.body, res.url).not.toMatch(/\bat \S+ \(?\S+:\d+:\d+\)?|node_modules|QueryFailedError|typeorm|PostgreSQL \d/i);
          expect(res.body, res.url).not.toContain(process.version);
        }
      }
      expect(logLines.length).toBeGreaterThan(100);
      for (const line of logLines) {
        for (const secret of [...stored, ...secrets, TEST_PASSWORD])
          expect(line.includes(secret), `a log line shows a secret: ${line.slice(0, 300)}`).toBe(false);
        for (const token of tokens) expect(line.includes(token), `a log line shows a token: ${line.slice(0, 300)}`).toBe(false);
        expect(line).not.toMatch(/\$argon2id?\$/);
        expect(line, 'a SHA-256 (a token hash?) in a log line').not.toMatch(/\b[0-9a-f]{64}\b/);
      }
      console.info(
        `security: ${responses.length} response bodies and ${logLines.length} log lines (level debug) checked against ${stored.length} stored hashes, ` +
          `${tokens.size} issued tokens, the JWT secrets and the password`,
      );
    });
  });
});
