import type { Response } from 'supertest';
import { expect } from 'vitest';
import { TestApp, TestUser, uniqueName } from './test-app';

/** Factories and assertions for the appointments and schedules specs. */

export type Body = Record<string, unknown>;
export interface Created extends Body {
  id: number;
  version: number;
}
export interface ScheduleEntry {
  weekday: number;
  start: string;
  end: string;
}

export const DOCTOR_BUSY = 'Doctor already has an appointment at this time.';
export const PATIENT_BUSY = 'Patient already has an appointment at this time.';

/** Asserts an RFC 9457 problem of `status` whose request id matches the header. */
export function expectProblem(res: Response, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(res.body.request_id).toBe(res.headers['x-request-id']);
}

/** Asserts a 400 problem whose `errors` name `field` (or, given a RegExp, a field matching it). */
export function expectFieldError(res: Response, field: string | RegExp): string[] {
  expectProblem(res, 400);
  const fields = Object.keys((res.body.errors ?? {}) as Body);
  const name = typeof field === 'string' ? field : fields.find((key) => field.test(key));
  expect(fields, JSON.stringify(res.body)).toContain(name);
  const messages = res.body.errors[name!] as string[];
  expect(messages.length).toBeGreaterThan(0);
  return messages;
}

/** Asserts a 200 list: a plain array with its total in X-Total-Count. */
export function expectList(res: Response, total: number): Body[] {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Array.isArray(res.body)).toBe(true);
  expect(res.headers['x-total-count']).toBe(String(total));
  return res.body as Body[];
}

/** A patient owned by `owner`, created through the API. */
export async function newPatient(t: TestApp, owner: TestUser, fields: Body = {}): Promise<Created> {
  const res = await t
    .as(owner)
    .post('/api/patients/')
    .send({ name: uniqueName('Patient '), ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Created;
}

/** A doctor in the directory, created by `creator` (a doctor-role creator without a profile gets it linked). */
export async function newDoctor(t: TestApp, creator: TestUser, fields: Body = {}): Promise<Created> {
  const name = uniqueName('Dr ');
  const res = await t
    .as(creator)
    .post('/api/doctors/')
    .send({ name, specialization: 'General Practice', email: `${name.replace(/\W/g, '').toLowerCase()}@doctors.example`, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Created;
}

/** A doctor-role account and the doctor profile linked to it. */
export async function newDoctorAccount(t: TestApp): Promise<{ account: TestUser; profile: Created }> {
  const account = await t.newUser({ role: 'doctor' });
  const profile = await newDoctor(t, account);
  expect(profile.user).toBe(account.id);
  return { account, profile };
}

/** POST /api/appointments/ as `user`; the response, whatever it is. */
export function book(t: TestApp, user: TestUser, body: Body): Promise<Response> {
  return t.as(user).post('/api/appointments/').send(body);
}

/** Books and fails the test unless it is 201. */
export async function booked(t: TestApp, user: TestUser, body: Body): Promise<Created> {
  const res = await book(t, user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Created;
}

/** PATCH /api/appointments/:id/ as `user`. */
export function patch(t: TestApp, user: TestUser, id: number, body: Body): Promise<Response> {
  return t.as(user).patch(`/api/appointments/${id}/`).send(body);
}

/** The appointment as `user` sees it; fails unless 200. */
export async function fetchAppointment(t: TestApp, user: TestUser, id: number): Promise<Created> {
  const res = await t.as(user).get(`/api/appointments/${id}/`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Created;
}

/** The status history through the API; fails unless 200. */
export async function history(t: TestApp, user: TestUser, id: number): Promise<Body[]> {
  const res = await t.as(user).get(`/api/appointments/${id}/history/`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body[];
}

/** The `[from, to]` steps of a history, for compact comparisons. */
export const steps = (changes: Body[]) => changes.map((change) => [change.from, change.to]);

/** PUT a weekly schedule as `user`; the response, whatever it is. */
export function putSchedule(t: TestApp, user: TestUser, doctor: number, body: Body): Promise<Response> {
  return t.as(user).put(`/api/doctors/${doctor}/schedule/`).send(body);
}

/** Sets a schedule and fails the test unless it is 200. */
export async function scheduled(
  t: TestApp,
  user: TestUser,
  doctor: number,
  timezone: string,
  slotMinutes: number,
  entries: ScheduleEntry[],
) {
  const res = await putSchedule(t, user, doctor, { timezone, slot_minutes: slotMinutes, entries });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Body;
}

/** Row counts and statuses straight from the database, for what the API no longer shows. */
export async function dbStatuses(t: TestApp, ids: number[]): Promise<Record<number, string>> {
  const rows: { id: number; status: string }[] = await t.db.query('SELECT id, status FROM appointments WHERE id = ANY($1)', [ids]);
  return Object.fromEntries(rows.map((row) => [row.id, row.status]));
}

export async function dbHistory(t: TestApp, id: number): Promise<{ from: string | null; to: string; by: number }[]> {
  return t.db.query(
    'SELECT from_status AS "from", to_status AS "to", changed_by_id AS "by" FROM appointment_status_changes WHERE appointment_id = $1 ORDER BY id',
    [id],
  );
}
