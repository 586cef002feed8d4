import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { assign, fastUser, newDoctor, newDoctorAccount, newPatient } from './support/records';
import { AuthorizedAgent, TestUser, uniqueName, useTestApp } from './support/test-app';

/**
 * The access policy for a clinic's records, as a second table beside test/access-policy.e2e-spec.ts
 * (which keeps personal records): who (the caller's relationship to clinic K) × what (the action)
 * → the answer, each cell sent through HTTP. The rules live in src/access/access.policy.ts.
 *
 * The people: K is run by `manager`; `staff` is its staff; `clinician` is a doctor account, an
 * active clinician of K whose profile D1 is actively assigned to K's patient KP; `other clinician`
 * is an active clinician of K whose profile D2 is not (it was: that assignment has ended).
 * `other clinic` is staff of another clinic K2. `removed` was staff of K until its manager removed
 * it, and `creator (left)` was staff of K when it made K's patients, then left: both read KP just
 * before, so their answers below also show that the caller cache forgets a membership at once.
 * `invited` was invited to K as staff and has not accepted. `personal owner` is in no clinic.
 * `deactivated` is an admin whose account was deactivated, so any answer but 401 would be an admin's.
 *
 * The records: KP, made by `creator (left)` in K; its appointments KA with D1 and KA2 with D2;
 * D1 is K's profile (its clinician put it there), and fresh unlinked profiles of K are an admin's.
 * An action that changes something acts on a fresh record with the same relationships, so rows do
 * not depend on one another: a fresh K patient comes from a pool that `creator (left)` made (and
 * assigned to D1) before it left; a fresh member of K is invited and accepts first. Each caller
 * also has a personal patient of its own, to move into K.
 */

type Who =
  | 'manager'
  | 'staff'
  | 'clinician'
  | 'other clinician'
  | 'other clinic'
  | 'removed'
  | 'invited'
  | 'creator (left)'
  | 'personal owner'
  | 'admin'
  | 'deactivated';
const WHO: Who[] = [
  'manager',
  'staff',
  'clinician',
  'other clinician',
  'other clinic',
  'removed',
  'invited',
  'creator (left)',
  'personal owner',
  'admin',
  'deactivated',
];

/** A status, or for a list: 200 and the record in it (`sees`) or not (`hidden`). */
type Answer = 200 | 201 | 204 | 400 | 401 | 403 | 404 | 409 | 'sees' | 'hidden';

interface Action {
  /** The request, made by `as`, who is `who`. */
  run: (as: AuthorizedAgent, who: Who) => Promise<Response>;
  /** For a list: the id whose presence in the answer is `sees`. */
  listed?: () => number;
  /** For a list: the field of an entry that holds that id (`id` unless told). */
  key?: string;
  /** Fresh K patients one run takes from the pool. */
  fresh?: 1;
}

// Webhook receivers on a closed loopback port: K's endpoint is turned off, and a delivery to one
// the table registers just fails in the background.
const t = useTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
const users = {} as Record<Who, TestUser>;
/** The fixture records (see above). */
const f = { K: 0, K2: 0, KP: 0, KPname: '', KM: 0, endedKM: 0, D1: 0, D2: 0, KA: 0, KA2: 0, KW: 0 };
/** Each caller's personal patient. */
const own = {} as Record<Who, number>;
/** K patients made by `creator (left)` while it was staff, each actively assigned to D1. */
const pool: { patient: number; mapping: number }[] = [];

let hour = 0;
/** A distinct future start for every booking, on the hour, well within the booking horizon. */
function nextStart(): string {
  const base = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 2 * 86_400_000;
  return new Date(base + ++hour * 3_600_000).toISOString();
}

/** A K patient like KP, assigned to D1, that no row has used. */
function freshPatient(): { patient: number; mapping: number } {
  const next = pool.shift();
  if (!next) throw new Error('the pool of fresh K patients is used up: mark the action `fresh`');
  return next;
}

/** A new scheduled appointment of a fresh K patient with D1, booked by `staff`, like KA. */
async function freshAppointment(): Promise<number> {
  const { patient } = freshPatient();
  const res = await t.as(users.staff).post('/api/appointments/').send({ patient, doctor: f.D1, appointment_datetime: nextStart() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

async function freshCheckedIn(): Promise<number> {
  const id = await freshAppointment();
  const res = await t.as(users.admin).patch(`/api/appointments/${id}/`).send({ status: 'CHECKED_IN' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return id;
}

/** `user` becomes an active member of `clinic` in `role`: invited by `by`, then accepting. */
async function join(clinic: number, by: TestUser, user: TestUser, role: 'manager' | 'staff' | 'clinician'): Promise<void> {
  const invited = await t.as(by).post(`/api/clinics/${clinic}/members/`).send({ user: user.id, role });
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const accepted = await t.as(user).post(`/api/clinics/${clinic}/membership/accept/`);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
}

/** A new active staff member of K. */
async function freshMember(): Promise<number> {
  const member = await fastUser(t);
  await join(f.K, users.manager, member, 'staff');
  return member.id;
}

const search = (name: string) => `search=${encodeURIComponent(name)}`;

/** A new unlinked doctor profile of K, created by an admin (so no column's caller created it). */
/** A new webhook of K, registered by the admin, turned off (nothing is sent to it). */
async function freshWebhookOfK(): Promise<number> {
  const res = await t.as(users.admin).post('/api/webhooks/').send(webhookOfK());
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect((await t.as(users.admin).patch(`/api/webhooks/${res.body.id}/`).send({ active: false })).status).toBe(200);
  return res.body.id as number;
}

const webhookOfK = () => ({ url: 'http://127.0.0.1:9/hook', events: ['patient.deleted'], clinic: f.K, description: 'policy table' });

async function freshProfileOfK(): Promise<number> {
  return (await newDoctor(t, users.admin, { clinic: f.K })).id;
}

const ACTIONS: Record<string, Action> = {
  // patients
  'read patient KP': { run: (as) => as.get(`/api/patients/${f.KP}/`) },
  'list patients (KP?)': { run: (as) => as.get(`/api/patients/?${search(f.KPname)}`), listed: () => f.KP },
  'list patients ?clinic=K (KP?)': { run: (as) => as.get(`/api/patients/?clinic=${f.K}&${search(f.KPname)}`), listed: () => f.KP },
  'list assigned patients (KP?)': { run: (as) => as.get(`/api/patients/?assigned=true&${search(f.KPname)}`), listed: () => f.KP },
  'list assigned patients ?clinic=K (KP?)': {
    run: (as) => as.get(`/api/patients/?assigned=true&clinic=${f.K}&${search(f.KPname)}`),
    listed: () => f.KP,
  },
  'update a K patient': { run: (as) => as.patch(`/api/patients/${freshPatient().patient}/`).send({ address: 'Elm 1' }), fresh: 1 },
  'delete a K patient': { run: (as) => as.delete(`/api/patients/${freshPatient().patient}/`), fresh: 1 },
  "list KP's doctors (D1?)": { run: (as) => as.get(`/api/patients/${f.KP}/doctors/`), listed: () => f.D1 },
  'create a patient in K': { run: (as) => as.post('/api/patients/').send({ name: uniqueName('Patient '), clinic: f.K }) },
  'move own personal patient into K': { run: (as, who) => as.patch(`/api/patients/${own[who]}/`).send({ clinic: f.K }) },
  'move a K patient out of K': { run: (as) => as.patch(`/api/patients/${freshPatient().patient}/`).send({ clinic: null }), fresh: 1 },
  // assignments
  'assign a doctor to a K patient': {
    run: (as) => as.post('/api/mappings/').send({ patient: freshPatient().patient, doctor: f.D2 }),
    fresh: 1,
  },
  'end an assignment of a K patient': { run: (as) => as.delete(`/api/mappings/${freshPatient().mapping}/`), fresh: 1 },
  'list assignments (active KM?)': { run: (as) => as.get(`/api/mappings/?patient=${f.KP}`), listed: () => f.KM },
  'list assignments (ended one with D2?)': { run: (as) => as.get(`/api/mappings/?patient=${f.KP}`), listed: () => f.endedKM },
  'list assignments ?clinic=K (KM?)': { run: (as) => as.get(`/api/mappings/?clinic=${f.K}&patient=${f.KP}`), listed: () => f.KM },
  // appointments
  'book for a K patient': {
    run: (as) => as.post('/api/appointments/').send({ patient: freshPatient().patient, doctor: f.D1, appointment_datetime: nextStart() }),
    fresh: 1,
  },
  'read appointment KA (with D1)': { run: (as) => as.get(`/api/appointments/${f.KA}/`) },
  'read appointment KA2 (with D2, not assigned)': { run: (as) => as.get(`/api/appointments/${f.KA2}/`) },
  'read history of KA': { run: (as) => as.get(`/api/appointments/${f.KA}/history/`) },
  'read reminders of KA': { run: (as) => as.get(`/api/appointments/${f.KA}/reminders/`) },
  'register a webhook of K': { run: (as) => as.post('/api/webhooks/').send({ ...webhookOfK(), events: ['assignment.ended'] }) },
  'read webhook KW': { run: (as) => as.get(`/api/webhooks/${f.KW}/`) },
  'list webhooks (KW?)': { run: (as) => as.get('/api/webhooks/'), listed: () => f.KW },
  'change webhook KW': { run: (as) => as.patch(`/api/webhooks/${f.KW}/`).send({ description: 'changed' }) },
  'rotate the secret of KW': { run: (as) => as.post(`/api/webhooks/${f.KW}/secret/rotate/`) },
  'read the deliveries of KW': { run: (as) => as.get(`/api/webhooks/${f.KW}/deliveries/`) },
  'replay events to KW': {
    run: (as) => as.post(`/api/webhooks/${f.KW}/replay/`).send({ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }),
  },
  'delete a webhook of K': { run: async (as) => as.delete(`/api/webhooks/${await freshWebhookOfK()}/`) },
  'list appointments (KA?)': { run: (as) => as.get(`/api/appointments/?patient=${f.KP}`), listed: () => f.KA },
  'list appointments (KA2?)': { run: (as) => as.get(`/api/appointments/?patient=${f.KP}`), listed: () => f.KA2 },
  'list appointments ?clinic=K (KA?)': { run: (as) => as.get(`/api/appointments/?clinic=${f.K}&patient=${f.KP}`), listed: () => f.KA },
  'list appointments ?clinic=K (KA2?)': {
    run: (as) => as.get(`/api/appointments/?clinic=${f.K}&patient=${f.KP}`),
    listed: () => f.KA2,
  },
  'reschedule a K appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ appointment_datetime: nextStart() }),
    fresh: 1,
  },
  'check in a K appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ status: 'CHECKED_IN' }),
    fresh: 1,
  },
  'mark a K appointment completed': {
    run: async (as) => as.patch(`/api/appointments/${await freshAppointment()}/`).send({ status: 'COMPLETED' }),
    fresh: 1,
  },
  'cancel a checked-in K appointment': {
    run: async (as) => as.patch(`/api/appointments/${await freshCheckedIn()}/`).send({ status: 'CANCELLED' }),
    fresh: 1,
  },
  'delete (cancel) a K appointment': { run: async (as) => as.delete(`/api/appointments/${await freshAppointment()}/`), fresh: 1 },
  // doctor profiles of K: the directory is everyone's to read; K's managers change them as their creator can
  'list doctors ?clinic=K (D1?)': { run: (as) => as.get(`/api/doctors/?clinic=${f.K}&page_size=100`), listed: () => f.D1 },
  'change an unlinked profile of K': { run: async (as) => as.patch(`/api/doctors/${await freshProfileOfK()}/`).send({ address: 'Oak 3' }) },
  'put the schedule of an unlinked profile of K (in its time zone)': {
    run: async (as) =>
      as
        .put(`/api/doctors/${await freshProfileOfK()}/schedule/`)
        .send({ slot_minutes: 30, entries: [{ weekday: 1, start: '09:00', end: '12:00' }] }),
  },
  'take an unlinked profile out of K': { run: async (as) => as.patch(`/api/doctors/${await freshProfileOfK()}/`).send({ clinic: null }) },
  'create a profile in K': {
    run: (as) => as.post('/api/doctors/').send({ name: uniqueName('Dr '), specialization: 'Cardiology', clinic: f.K }),
  },
  // the clinic
  'read clinic K': { run: (as) => as.get(`/api/clinics/${f.K}/`) },
  "read K's audit trail": { run: (as) => as.get(`/api/clinics/${f.K}/audit-events/`) },
  'list clinics (K?)': { run: (as) => as.get('/api/clinics/?page_size=100'), listed: () => f.K },
  'list members of K': { run: (as) => as.get(`/api/clinics/${f.K}/members/`) },
  "list own invitations (K's to invited?)": {
    run: (as) => as.get('/api/clinics/invitations/?page_size=100'),
    listed: () => f.K,
    key: 'clinic',
  },
  'change clinic K': { run: (as) => as.patch(`/api/clinics/${f.K}/`).send({ address: `Elm ${++hour}` }) },
  'invite an account to K': {
    run: async (as) => as.post(`/api/clinics/${f.K}/members/`).send({ user: (await fastUser(t)).id, role: 'staff' }),
  },
  "change a K member's role": {
    run: async (as) => as.patch(`/api/clinics/${f.K}/members/${await freshMember()}/`).send({ role: 'manager' }),
  },
  'remove a member of K': { run: async (as) => as.delete(`/api/clinics/${f.K}/members/${await freshMember()}/`) },
};

/** The policy. One line per action; one column per relationship. */
const POLICY: [action: keyof typeof ACTIONS, answers: Record<Who, Answer>][] = [
  // row(manager, staff, clinician, other clinician, other clinic, removed, invited, creator (left), personal owner, admin, deactivated)
  ['read patient KP', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['list patients (KP?)', row('sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['list patients ?clinic=K (KP?)', row('sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  [
    'list assigned patients (KP?)',
    row('hidden', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 401),
  ],
  [
    'list assigned patients ?clinic=K (KP?)',
    row('hidden', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 401),
  ],
  ['update a K patient', row(200, 200, 403, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['delete a K patient', row(204, 204, 403, 404, 404, 404, 404, 404, 404, 204, 401)],
  ["list KP's doctors (D1?)", row('sees', 'sees', 'sees', 404, 404, 404, 404, 404, 404, 'sees', 401)],
  ['create a patient in K', row(201, 201, 400, 400, 400, 400, 400, 400, 400, 201, 401)],
  ['move own personal patient into K', row(200, 200, 400, 400, 400, 400, 400, 400, 400, 200, 401)],
  // Out of a clinic is for its managers: its staff may change the patient, but not this.
  ['move a K patient out of K', row(200, 403, 403, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['assign a doctor to a K patient', row(201, 201, 403, 404, 404, 404, 404, 404, 404, 201, 401)],
  ['end an assignment of a K patient', row(204, 204, 403, 404, 404, 404, 404, 404, 404, 204, 401)],
  ['list assignments (active KM?)', row('sees', 'sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  [
    'list assignments (ended one with D2?)',
    row('sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401),
  ],
  [
    'list assignments ?clinic=K (KM?)',
    row('sees', 'sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401),
  ],
  ['book for a K patient', row(201, 201, 403, 404, 404, 404, 404, 404, 404, 201, 401)],
  ['read appointment KA (with D1)', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['read appointment KA2 (with D2, not assigned)', row(200, 200, 404, 200, 404, 404, 404, 404, 404, 200, 401)],
  ['read history of KA', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['read reminders of KA', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  // A clinic's webhooks are its managers' (and admins'): a `clinic` one does not manage is a 400 naming it.
  ['register a webhook of K', row(201, 400, 400, 400, 400, 400, 400, 400, 400, 201, 401)],
  ['read webhook KW', row(200, 404, 404, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['list webhooks (KW?)', row('sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['change webhook KW', row(200, 404, 404, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['rotate the secret of KW', row(200, 404, 404, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['read the deliveries of KW', row(200, 404, 404, 404, 404, 404, 404, 404, 404, 200, 401)],
  // Let through, a replay meets the endpoint's state: it is off (409, not 404).
  ['replay events to KW', row(409, 404, 404, 404, 404, 404, 404, 404, 404, 409, 401)],
  ['delete a webhook of K', row(204, 404, 404, 404, 404, 404, 404, 404, 404, 204, 401)],
  ['list appointments (KA?)', row('sees', 'sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['list appointments (KA2?)', row('sees', 'sees', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  [
    'list appointments ?clinic=K (KA?)',
    row('sees', 'sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401),
  ],
  [
    'list appointments ?clinic=K (KA2?)',
    row('sees', 'sees', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401),
  ],
  ['reschedule a K appointment', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['check in a K appointment', row(200, 200, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['mark a K appointment completed', row(403, 403, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['cancel a checked-in K appointment', row(403, 403, 200, 404, 404, 404, 404, 404, 404, 200, 401)],
  ['delete (cancel) a K appointment', row(204, 204, 204, 404, 404, 404, 404, 404, 404, 204, 401)],
  ['list doctors ?clinic=K (D1?)', row('sees', 'sees', 'sees', 'sees', 'sees', 'sees', 'sees', 'sees', 'sees', 'sees', 401)],
  ['change an unlinked profile of K', row(200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401)],
  ['put the schedule of an unlinked profile of K (in its time zone)', row(200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401)],
  ['take an unlinked profile out of K', row(200, 403, 403, 403, 403, 403, 403, 403, 403, 200, 401)],
  ['create a profile in K', row(201, 400, 400, 400, 400, 400, 400, 400, 400, 201, 401)],
  ["read K's audit trail", row(200, 403, 403, 403, 404, 404, 404, 404, 404, 200, 401)],
  ['read clinic K', row(200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 401)],
  ['list clinics (K?)', row('sees', 'sees', 'sees', 'sees', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 401)],
  ['list members of K', row(200, 200, 200, 200, 404, 404, 404, 404, 404, 200, 401)],
  // An invitation is its account's to answer: only `invited` lists K's, which invited it.
  [
    "list own invitations (K's to invited?)",
    row('hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'hidden', 'sees', 'hidden', 'hidden', 'hidden', 401),
  ],
  ['change clinic K', row(200, 403, 403, 403, 404, 404, 404, 404, 404, 200, 401)],
  ['invite an account to K', row(201, 403, 403, 403, 404, 404, 404, 404, 404, 201, 401)],
  ["change a K member's role", row(200, 403, 403, 403, 404, 404, 404, 404, 404, 200, 401)],
  ['remove a member of K', row(204, 403, 403, 403, 404, 404, 404, 404, 404, 204, 401)],
];

function row(...answers: Answer[]): Record<Who, Answer> {
  return Object.fromEntries(WHO.map((who, index) => [who, answers[index]])) as Record<Who, Answer>;
}

const ROWS = POLICY.flatMap(([action, answers]) => WHO.map((who) => ({ who, action, expected: answers[who] })));
const POOL_SIZE = POLICY.filter(([action]) => ACTIONS[action].fresh).length * WHO.length;

/** Runs `make` for 0..count-1, `width` at a time. */
async function inBatches<T>(count: number, width: number, make: (index: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += width) {
    made.push(...(await Promise.all(Array.from({ length: Math.min(width, count - start) }, (_, i) => make(start + i)))));
  }
  return made;
}

describe('access policy for clinic records: relationship × action (e2e)', () => {
  beforeAll(async () => {
    const [manager, manager2, staff, otherClinic, removed, creator, invited, personalOwner, clinician, otherClinician, admin, deactivated] =
      await Promise.all([
        fastUser(t),
        fastUser(t),
        fastUser(t),
        fastUser(t),
        fastUser(t),
        fastUser(t),
        fastUser(t),
        fastUser(t),
        newDoctorAccount(t),
        newDoctorAccount(t),
        t.newAdmin(),
        t.newAdmin(),
      ]);
    Object.assign(users, {
      manager,
      staff,
      clinician: clinician.account,
      'other clinician': otherClinician.account,
      'other clinic': otherClinic,
      removed,
      invited,
      'creator (left)': creator,
      'personal owner': personalOwner,
      admin,
      deactivated,
    });
    [f.D1, f.D2] = [clinician.profile.id, otherClinician.profile.id];
    const newClinic = async (by: TestUser) => {
      const res = await t
        .as(by)
        .post('/api/clinics/')
        .send({ name: uniqueName('Clinic '), timezone: 'UTC' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as number;
    };
    [f.K, f.K2] = [await newClinic(manager), await newClinic(manager2)];
    await Promise.all([
      join(f.K, manager, staff, 'staff'),
      join(f.K, manager, clinician.account, 'clinician'),
      join(f.K, manager, otherClinician.account, 'clinician'),
      join(f.K, manager, removed, 'staff'),
      join(f.K, manager, creator, 'staff'),
      join(f.K2, manager2, otherClinic, 'staff'),
    ]);
    expect((await t.as(manager).post(`/api/clinics/${f.K}/members/`).send({ user: invited.id, role: 'staff' })).status).toBe(201);
    // The clinician's linked profile D1 is K's: the clinician puts it there itself.
    expect((await t.as(clinician.account).patch(`/api/doctors/${f.D1}/`).send({ clinic: f.K })).status).toBe(200);

    // K's records, all made by `creator` while it is staff: a patient made without `clinic` goes to its one clinic.
    f.KPname = uniqueName('Clinic patient ');
    const kp = await newPatient(t, creator, { name: f.KPname });
    expect(kp.clinic).toBe(f.K);
    f.KP = kp.id;
    f.KM = (await assign(t, creator, f.KP, f.D1)).id;
    f.endedKM = (await assign(t, creator, f.KP, f.D2)).id;
    expect((await t.as(creator).delete(`/api/mappings/${f.endedKM}/`)).status).toBe(204);
    const book = (doctor: number) =>
      t.as(creator).post('/api/appointments/').send({ patient: f.KP, doctor, appointment_datetime: nextStart() });
    const [bookKA, bookKA2] = [await book(f.D1), await book(f.D2)];
    expect([bookKA.status, bookKA2.status]).toEqual([201, 201]);
    [f.KA, f.KA2] = [bookKA.body.id as number, bookKA2.body.id as number];
    // K's webhook, registered by its manager and turned off: nothing is ever sent to it.
    const webhook = await t.as(manager).post('/api/webhooks/').send(webhookOfK());
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    f.KW = webhook.body.id as number;
    expect((await t.as(manager).patch(`/api/webhooks/${f.KW}/`).send({ active: false })).status).toBe(200);
    pool.push(
      ...(await inBatches(POOL_SIZE, 10, async () => {
        const patient = await newPatient(t, creator, { clinic: f.K });
        return { patient: patient.id, mapping: (await assign(t, creator, patient.id, f.D1)).id };
      })),
    );
    for (const who of WHO) own[who] = (await newPatient(t, users[who], { clinic: null })).id;

    // Both read KP as members (so the caller cache holds their memberships), then stop being ones:
    // `removed` by K's manager, `creator` by leaving. The next request already knows.
    for (const member of [removed, creator]) expect((await t.as(member).get(`/api/patients/${f.KP}/`)).status).toBe(200);
    expect((await t.as(manager).delete(`/api/clinics/${f.K}/members/${removed.id}/`)).status).toBe(204);
    expect((await t.as(creator).delete(`/api/clinics/${f.K}/members/${creator.id}/`)).status).toBe(204);
    for (const member of [removed, creator]) expect((await t.as(member).get(`/api/patients/${f.KP}/`)).status).toBe(404);

    // Deactivated last: its token worked until now, so a 401 below is the deactivation's.
    expect((await t.as(admin).patch(`/api/users/${deactivated.id}/`).send({ is_active: false })).status).toBe(200);
  });

  it('covers every action for every relationship', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual(POLICY.map(([action]) => action).sort());
    expect(ROWS).toHaveLength(POLICY.length * WHO.length);
    expect(pool).toHaveLength(POOL_SIZE);
  });

  it.each(ROWS)('$who: $action → $expected', async ({ who, action, expected }) => {
    const { run, listed, key = 'id' } = ACTIONS[action];
    const res = await run(t.as(users[who]), who);
    const where = `row "${who}: ${action}" expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    if (expected === 'sees' || expected === 'hidden') {
      expect(res.status, where).toBe(200);
      const ids = (res.body as Record<string, number>[]).map((record) => record[key]);
      expect(ids.includes(listed!()), where).toBe(expected === 'sees');
    } else {
      expect(res.status, where).toBe(expected);
      if (expected >= 400) expect(res.headers['content-type'], where).toMatch(/^application\/problem\+json/);
      // The only 400s of this table: a clinic the caller may not put a patient in.
      if (expected === 400) expect(Object.keys(res.body.errors ?? {}), where).toEqual(['clinic']);
    }
  });
});
