import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assign, fastUser, newDoctor, newDoctorAccount, newPatient } from './support/records';
import { AuthorizedAgent, TestUser, uniqueName, useTestApp } from './support/test-app';

/**
 * The whole access policy as one table: who (the caller's relationship to the records) × what
 * (the action) → the answer, each cell sent through HTTP. The rules themselves live in
 * src/access/access.policy.ts; a new feature adds its actions here. The same actions on a clinic's
 * records, for every relationship to the clinic, are the table of test/access-policy-clinics.e2e-spec.ts.
 *
 * The records: `owner` owns patient P; P is actively assigned to the `assigned doctor`'s linked
 * profile D1 and was once assigned (now ended) to the `linked doctor`'s profile D2; appointment
 * A is P's with D1, A2 P's with D2. `owner` also created the unlinked profile DU. The `other
 * doctor` is a doctor account without a profile; `deactivated` is an admin whose account was
 * deactivated, so any answer but 401 would be an admin's. `owner` also runs clinic C (its
 * manager); nobody else is a member of it. Accounts acted on by the account routes are fresh. An action that changes something acts
 * on fresh records with the same relationships, so rows do not depend on one another.
 */

type Who = 'owner' | 'other owner' | 'assigned doctor' | 'linked doctor' | 'other doctor' | 'admin' | 'deactivated';
const WHO: Who[] = ['owner', 'other owner', 'assigned doctor', 'linked doctor', 'other doctor', 'admin', 'deactivated'];

/** A status, or for a list: 200 and the record in it (`sees`) or not (`hidden`). */
type Answer = 200 | 201 | 202 | 204 | 401 | 403 | 404 | 'sees' | 'hidden';

interface Action {
  /** The request, made by `as`. */
  run: (as: AuthorizedAgent) => Promise<Response>;
  /** For a list: the id whose presence in the answer is `sees`. */
  listed?: () => number;
}

const t = useTestApp();
const users = {} as Record<Who, TestUser>;
/** The fixture records (see above). */
const f = { P: 0, patientName: '', M: 0, endedM: 0, D1: 0, D1name: '', D2: 0, DU: 0, A: 0, A2: 0, C: 0 };

let hour = 0;
/** A distinct future start for every booking, on the hour, well within the booking horizon. */
function nextStart(): string {
  const base = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000;
  return new Date(base + ++hour * 3_600_000).toISOString();
}

/** A new patient of `owner`, assigned to D1 like P: personal, though `owner` runs clinics. */
async function freshPatient(): Promise<{ patient: number; mapping: number }> {
  const patient = await newPatient(t, users.owner, { clinic: null });
  const mapping = await assign(t, users.owner, patient.id, f.D1);
  return { patient: patient.id, mapping: mapping.id };
}

/** A new scheduled appointment of a fresh patient with D1, like A. */
async function freshAppointment(): Promise<number> {
  const { patient } = await freshPatient();
  const res = await t.as(users.owner).post('/api/appointments/').send({ patient, doctor: f.D1, appointment_datetime: nextStart() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

async function freshCheckedIn(): Promise<number> {
  const id = await freshAppointment();
  const res = await t.as(users.admin).patch(`/api/appointments/${id}/`).send({ status: 'CHECKED_IN' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return id;
}

/** A new clinic run by `owner`, like C. */
async function freshClinic(): Promise<number> {
  const res = await t
    .as(users.owner)
    .post('/api/clinics/')
    .send({ name: uniqueName('Clinic '), timezone: 'UTC' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

/** A new session of `owner`: a login of its own. */
async function freshSessionOfOwner(): Promise<number> {
  const login = await t.http().post('/api/auth/login/').send({ username: users.owner.username, password: users.owner.password });
  expect(login.status).toBe(200);
  const [session] = await t.db.query<{ id: number }[]>('SELECT id FROM sessions WHERE user_id = $1 ORDER BY id DESC LIMIT 1', [
    users.owner.id,
  ]);
  return session.id;
}

/** A new unlinked profile created by `owner`, like DU. */
async function freshUnlinked(): Promise<number> {
  return (await newDoctor(t, users.owner)).id;
}

const ACTIONS: Record<string, Action> = {
  // patients
  'read patient P': { run: (as) => as.get(`/api/patients/${f.P}/`) },
  'list patients (P?)': { run: (as) => as.get(`/api/patients/?search=${encodeURIComponent(f.patientName)}`), listed: () => f.P },
  'list assigned patients (P?)': {
    run: (as) => as.get(`/api/patients/?assigned=true&search=${encodeURIComponent(f.patientName)}`),
    listed: () => f.P,
  },
  'update a patient': { run: async (as) => as.patch(`/api/patients/${(await freshPatient()).patient}/`).send({ address: 'Elm 1' }) },
  'delete a patient': { run: async (as) => as.delete(`/api/patients/${(await freshPatient()).patient}/`) },
  "list P's doctors": { run: (as) => as.get(`/api/patients/${f.P}/doctors/`), listed: () => f.D1 },
  // assignments
  'assign a doctor to a patient': {
    run: async (as) => as.post('/api/mappings/').send({ patient: (await freshPatient()).patient, doctor: f.D2 }),
  },
  'end an assignment': { run: async (as) => as.delete(`/api/mappings/${(await freshPatient()).mapping}/`) },
  'list assignments (active M?)': { run: (as) => as.get(`/api/mappings/?patient=${f.P}`), listed: () => f.M },
  'list assignments (ended one with D2?)': { run: (as) => as.get(`/api/mappings/?patient=${f.P}`), listed: () => f.endedM },
  // appointments
  'book for a patient': {
    run: async (as) =>
      as.post('/api/appointments/').send({ patient: (await freshPatient()).patient, doctor: f.D1, appointment_datetime: nextStart() }),
  },
  'read appointment A (with D1)': { run: (as) => as.get(`/api/appointments/${f.A}/`) },
  'read appointment A2 (with D2, not assigned)': { run: (as) => as.get(`/api/appointments/${f.A2}/`) },
  'read history of A': { run: (as) => as.get(`/api/appointments/${f.A}/history/`) },
  'read reminders of A': { run: (as) => as.get(`/api/appointments/${f.A}/reminders/`) },
  'list appointments (A?)': { run: (as) => as.get(`/api/appointments/?patient=${f.P}`), listed: () => f.A },
  'list appointments (A2?)': { run: (as) => as.get(`/api/appointments/?patient=${f.P}`), listed: () => f.A2 },
  'reschedule an appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ appointment_datetime: nextStart() }),
  },
  'check in an appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ status: 'CHECKED_IN' }),
  },
  'mark an appointment completed': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ status: 'COMPLETED' }),
  },
  'cancel a checked-in appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshCheckedIn()}/`).send({ status: 'CANCELLED' }),
  },
  'delete (cancel) an appointment': { run: async (as) => as.delete(`/api/appointments/${await freshAppointment()}/`) },
  // doctor profiles and schedules
  'read profile D1': { run: (as) => as.get(`/api/doctors/${f.D1}/`) },
  'list doctors (D1?)': { run: (as) => as.get(`/api/doctors/?search=${encodeURIComponent(f.D1name)}`), listed: () => f.D1 },
  'create a profile': {
    run: async (as) => {
      const res = await as.post('/api/doctors/').send({ name: uniqueName('Dr '), specialization: 'General Practice' });
      // A doctor account's first profile is linked to it: removed again, so the account keeps its relationship for the other rows.
      if (res.status === 201 && res.body.user !== null) await t.as(users.admin).delete(`/api/doctors/${res.body.id}/`);
      return res;
    },
  },
  'change linked profile D1': { run: (as) => as.patch(`/api/doctors/${f.D1}/`).send({ address: `Clinic ${++hour}` }) },
  'change an unlinked profile of owner': {
    run: async (as) => as.patch(`/api/doctors/${await freshUnlinked()}/`).send({ address: 'Oak 2' }),
  },
  'delete an unlinked profile of owner': { run: async (as) => as.delete(`/api/doctors/${await freshUnlinked()}/`) },
  'link an unlinked profile to a doctor account': {
    run: async (as) => as.patch(`/api/doctors/${await freshUnlinked()}/`).send({ user: (await fastUser(t, 'doctor')).id }),
  },
  'read schedule of DU': { run: (as) => as.get(`/api/doctors/${f.DU}/schedule/`) },
  'put schedule of linked profile D2': {
    run: (as) =>
      as
        .put(`/api/doctors/${f.D2}/schedule/`)
        .send({ timezone: 'UTC', slot_minutes: 30, entries: [{ weekday: 1, start: '09:00', end: '17:00' }] }),
  },
  // clinics
  'read clinic C': { run: (as) => as.get(`/api/clinics/${f.C}/`) },
  'list clinics (C?)': { run: (as) => as.get('/api/clinics/?page_size=100'), listed: () => f.C },
  'list members of C': { run: (as) => as.get(`/api/clinics/${f.C}/members/`) },
  'change a clinic of owner': { run: async (as) => as.patch(`/api/clinics/${await freshClinic()}/`).send({ address: 'Elm 3' }) },
  'invite an account to a clinic of owner': {
    run: async (as) => as.post(`/api/clinics/${await freshClinic()}/members/`).send({ user: (await fastUser(t)).id, role: 'staff' }),
  },
  // sessions
  'end a session of owner': { run: async (as) => as.delete(`/api/auth/sessions/${await freshSessionOfOwner()}/`) },
  // admin-only areas
  'read audit events': { run: (as) => as.get('/api/audit-events/') },
  'list accounts': { run: (as) => as.get('/api/users/') },
  'create an account': {
    run: (as) => {
      const username = uniqueName('made');
      return as.post('/api/users/').send({ username, email: `${username}@clinic.example`, role: 'patient' });
    },
  },
  "change an account's email": {
    run: async (as) => as.patch(`/api/users/${(await fastUser(t)).id}/`).send({ email: `${uniqueName('moved')}@clinic.example` }),
  },
  "end an account's sessions": { run: async (as) => as.post(`/api/users/${(await fastUser(t)).id}/sessions/end/`) },
  'mail an account a password reset': { run: async (as) => as.post(`/api/users/${(await fastUser(t)).id}/password-reset/`) },
  'unlock an account': { run: async (as) => as.post(`/api/users/${(await fastUser(t)).id}/unlock/`) },
};

/** The policy. One line per action; one column per relationship. */
const POLICY: [action: keyof typeof ACTIONS, answers: Record<Who, Answer>][] = [
  // row(owner, other owner, assigned doctor, linked doctor, other doctor, admin, deactivated)
  ['read patient P', row(200, 404, 200, 404, 404, 200, 401)],
  ['list patients (P?)', row('sees', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['list assigned patients (P?)', row('hidden', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 401)],
  ['update a patient', row(200, 404, 403, 404, 404, 200, 401)],
  ['delete a patient', row(204, 404, 403, 404, 404, 204, 401)],
  ["list P's doctors", row('sees', 404, 'sees', 404, 404, 'sees', 401)],
  ['assign a doctor to a patient', row(201, 404, 403, 404, 404, 201, 401)],
  ['end an assignment', row(204, 404, 403, 404, 404, 204, 401)],
  ['list assignments (active M?)', row('sees', 'hidden', 'sees', 'hidden', 'hidden', 'sees', 401)],
  ['list assignments (ended one with D2?)', row('sees', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['book for a patient', row(201, 404, 403, 404, 404, 201, 401)],
  ['read appointment A (with D1)', row(200, 404, 200, 404, 404, 200, 401)],
  ['read appointment A2 (with D2, not assigned)', row(200, 404, 404, 200, 404, 200, 401)],
  ['read history of A', row(200, 404, 200, 404, 404, 200, 401)],
  ['read reminders of A', row(200, 404, 200, 404, 404, 200, 401)],
  ['list appointments (A?)', row('sees', 'hidden', 'sees', 'hidden', 'hidden', 'sees', 401)],
  ['list appointments (A2?)', row('sees', 'hidden', 'hidden', 'sees', 'hidden', 'sees', 401)],
  ['reschedule an appointment', row(200, 404, 200, 404, 404, 200, 401)],
  ['check in an appointment', row(200, 404, 200, 404, 404, 200, 401)],
  ['mark an appointment completed', row(403, 404, 200, 404, 404, 200, 401)],
  ['cancel a checked-in appointment', row(403, 404, 200, 404, 404, 200, 401)],
  ['delete (cancel) an appointment', row(204, 404, 204, 404, 404, 204, 401)],
  ['read profile D1', row(200, 200, 200, 200, 200, 200, 401)],
  ['list doctors (D1?)', row('sees', 'sees', 'sees', 'sees', 'sees', 'sees', 401)],
  ['create a profile', row(201, 201, 201, 201, 201, 201, 401)],
  ['change linked profile D1', row(403, 403, 200, 403, 403, 200, 401)],
  ['change an unlinked profile of owner', row(200, 403, 403, 403, 403, 200, 401)],
  ['delete an unlinked profile of owner', row(204, 403, 403, 403, 403, 204, 401)],
  ['link an unlinked profile to a doctor account', row(403, 403, 403, 403, 403, 200, 401)],
  ['read schedule of DU', row(200, 200, 200, 200, 200, 200, 401)],
  ['put schedule of linked profile D2', row(403, 403, 403, 200, 403, 200, 401)],
  ['read clinic C', row(200, 404, 404, 404, 404, 200, 401)],
  ['list clinics (C?)', row('sees', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['list members of C', row(200, 404, 404, 404, 404, 200, 401)],
  ['change a clinic of owner', row(200, 404, 404, 404, 404, 200, 401)],
  ['invite an account to a clinic of owner', row(201, 404, 404, 404, 404, 201, 401)],
  // An admin ends another account's sessions at /api/users/:id/sessions/end/, not one by one.
  ['end a session of owner', row(204, 404, 404, 404, 404, 404, 401)],
  ['read audit events', row(403, 403, 403, 403, 403, 200, 401)],
  ['list accounts', row(403, 403, 403, 403, 403, 200, 401)],
  ['create an account', row(403, 403, 403, 403, 403, 201, 401)],
  ["change an account's email", row(403, 403, 403, 403, 403, 200, 401)],
  ["end an account's sessions", row(403, 403, 403, 403, 403, 204, 401)],
  ['mail an account a password reset', row(403, 403, 403, 403, 403, 202, 401)],
  ['unlock an account', row(403, 403, 403, 403, 403, 204, 401)],
];

function row(...answers: Answer[]): Record<Who, Answer> {
  return Object.fromEntries(WHO.map((who, index) => [who, answers[index]])) as Record<Who, Answer>;
}

const ROWS = POLICY.flatMap(([action, answers]) => WHO.map((who) => ({ who, action, expected: answers[who] })));

describe('access policy: role × relationship × action (e2e)', () => {
  beforeAll(async () => {
    const [owner, otherOwner, otherDoctor, admin, deactivated, assigned, linked] = await Promise.all([
      t.newUser(),
      t.newUser(),
      t.newUser({ role: 'doctor' }),
      t.newAdmin(),
      t.newAdmin(),
      newDoctorAccount(t),
      newDoctorAccount(t),
    ]);
    Object.assign(users, {
      owner,
      'other owner': otherOwner,
      'other doctor': otherDoctor,
      admin,
      deactivated,
      'assigned doctor': assigned.account,
      'linked doctor': linked.account,
    });
    f.D1 = assigned.profile.id;
    f.D1name = assigned.profile.name as string;
    f.D2 = linked.profile.id;
    f.patientName = uniqueName('Policy patient ');
    f.P = (await newPatient(t, owner, { name: f.patientName, clinic: null })).id;
    f.M = (await assign(t, owner, f.P, f.D1)).id;
    f.endedM = (await assign(t, owner, f.P, f.D2)).id;
    expect((await t.as(owner).delete(`/api/mappings/${f.endedM}/`)).status).toBe(204);
    f.DU = await freshUnlinked();
    f.C = await freshClinic();
    const schedule = { timezone: 'UTC', slot_minutes: 30, entries: [{ weekday: 2, start: '08:00', end: '12:00' }] };
    expect((await t.as(owner).put(`/api/doctors/${f.DU}/schedule/`).send(schedule)).status).toBe(200);
    const bookA = await t.as(owner).post('/api/appointments/').send({ patient: f.P, doctor: f.D1, appointment_datetime: nextStart() });
    const bookA2 = await t.as(owner).post('/api/appointments/').send({ patient: f.P, doctor: f.D2, appointment_datetime: nextStart() });
    expect([bookA.status, bookA2.status]).toEqual([201, 201]);
    [f.A, f.A2] = [bookA.body.id as number, bookA2.body.id as number];
    // Deactivated last: its token worked until now, so a 401 below is the deactivation's.
    expect((await t.as(admin).patch(`/api/users/${deactivated.id}/`).send({ is_active: false })).status).toBe(200);
  });

  it('covers every action for every relationship', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(POLICY.map(([action]) => action).sort());
    expect(ROWS).toHaveLength(POLICY.length * WHO.length);
  });

  it.each(ROWS)('$who: $action → $expected', async ({ who, action, expected }) => {
    const { run, listed } = ACTIONS[action];
    const res = await run(t.as(users[who]));
    const where = `row "${who}: ${action}" expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    if (expected === 'sees' || expected === 'hidden') {
      expect(res.status, where).toBe(200);
      const ids = (res.body as { id: number }[]).map((record) => record.id);
      expect(ids.includes(listed!()), where).toBe(expected === 'sees');
    } else {
      expect(res.status, where).toBe(expected);
      if (expected >= 400) expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
    }
  });
});
