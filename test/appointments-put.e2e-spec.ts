import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Body,
  booked,
  Created,
  DOCTOR_BUSY,
  expectFieldError,
  expectProblem,
  fetchAppointment,
  history,
  newDoctorAccount,
  newPatient,
  patch,
  steps,
} from './support/appointments';
import { TestUser, useTestApp } from './support/test-app';

/** The fields seed 004's clients read and send back: PUT is their "GET, change one field, PUT it back". */
const sentBack = (appointment: Created): Body => ({
  doctor: appointment.doctor,
  patient: appointment.patient,
  appointment_datetime: appointment.appointment_datetime,
  reason: appointment.reason,
  status: appointment.status,
});

/** PUT /api/appointments/:id/: a full update, through PATCH's rules. */
describe('appointments: PUT (e2e)', () => {
  // Fixed dates in 2030, past the default booking horizon.
  const t = useTestApp({ BOOKING_HORIZON_DAYS: '3650' });
  let owner: TestUser;
  let stranger: TestUser;
  let admin: TestUser;
  let doctorUser: TestUser;
  let doctor: Created;
  let hour = 0;

  beforeAll(async () => {
    [owner, stranger, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
    ({ account: doctorUser, profile: doctor } = await newDoctorAccount(t));
  });

  const put = (user: TestUser, id: number, body: Body): Promise<Response> => t.as(user).put(`/api/appointments/${id}/`).send(body);
  const nextStart = () => new Date(Date.UTC(2030, 5, 3, 0, 0) + ++hour * 3_600_000).toISOString();

  /** A new SCHEDULED appointment with the linked doctor, for a new patient of `owner`. */
  async function fresh(fields: Body = {}): Promise<Created> {
    const patient = await newPatient(t, owner);
    return booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: nextStart(), reason: 'Fever', ...fields });
  }

  it('replaces the writable fields and answers the appointment with a new ETag', async () => {
    const appointment = await fresh();
    const start = nextStart();
    const res = await put(owner, appointment.id, {
      ...sentBack(appointment),
      appointment_datetime: start,
      duration_minutes: 45,
      reason: 'Cough',
      notes: 'Second visit.',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      appointment_datetime: start,
      duration_minutes: 45,
      reason: 'Cough',
      notes: 'Second visit.',
      version: 2,
    });
    expect(res.headers.etag).toBe('"2"');
    expect(await fetchAppointment(t, owner, appointment.id)).toMatchObject({ reason: 'Cough', version: 2 });
  });

  it('takes an appointment sent back unchanged as no change, keeping its version', async () => {
    const appointment = await fresh();
    const res = await put(owner, appointment.id, sentBack(appointment));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.headers.etag).toBe('"1"');
  });

  it('changes one field of what was read and sent back, the start written in another zone being no move', async () => {
    const appointment = await fresh();
    const sameInstant = new Date(appointment.appointment_datetime as string).toISOString().replace('Z', '+00:00');
    const res = await put(owner, appointment.id, { ...sentBack(appointment), appointment_datetime: sameInstant, reason: 'Headache' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ reason: 'Headache', appointment_datetime: appointment.appointment_datetime, version: 2 });
  });

  it('requires what a booking requires, naming each missing field', async () => {
    const appointment = await fresh();
    const res = await put(owner, appointment.id, { reason: 'Only this' });
    expectProblem(res, 400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['appointment_datetime', 'doctor', 'patient']);
    expect((await fetchAppointment(t, owner, appointment.id)).reason).toBe('Fever');
  });

  it('refuses another doctor or patient with 400 naming it, and changes nothing', async () => {
    const appointment = await fresh();
    const otherPatient = await newPatient(t, owner);
    expectFieldError(await put(owner, appointment.id, { ...sentBack(appointment), doctor: doctor.id + 1000, reason: 'x' }), 'doctor');
    expectFieldError(await put(owner, appointment.id, { ...sentBack(appointment), patient: otherPatient.id, reason: 'x' }), 'patient');
    expect(await fetchAppointment(t, owner, appointment.id)).toMatchObject({ reason: 'Fever', version: 1 });
  });

  it('refuses an unknown field, as PATCH does', async () => {
    const appointment = await fresh();
    expectFieldError(await put(owner, appointment.id, { ...sentBack(appointment), colour: 'red' }), 'colour');
  });

  it('moves the status forward under PATCH’s rules: 403 for the owner’s COMPLETED, 409 backwards', async () => {
    const appointment = await fresh();
    expectProblem(await put(owner, appointment.id, { ...sentBack(appointment), status: 'COMPLETED' }), 403);
    const checkedIn = await put(owner, appointment.id, { ...sentBack(appointment), status: 'CHECKED_IN' });
    expect(checkedIn.status, JSON.stringify(checkedIn.body)).toBe(200);
    expectProblem(await put(admin, appointment.id, { ...sentBack(appointment), status: 'SCHEDULED' }), 409);
    // Sent back as read after check-in: the start is unchanged, so no move a CHECKED_IN appointment cannot make.
    const done = await put(doctorUser, appointment.id, { ...sentBack(checkedIn.body as Created), status: 'COMPLETED' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(steps(await history(t, owner, appointment.id))).toEqual([
      [null, 'SCHEDULED'],
      ['SCHEDULED', 'CHECKED_IN'],
      ['CHECKED_IN', 'COMPLETED'],
    ]);
  });

  it('answers a final appointment sent back unchanged with 200, and a change to it with 409', async () => {
    const appointment = await fresh();
    const cancelled = (await patch(t, owner, appointment.id, { status: 'CANCELLED' })).body as Created;
    const same = await put(owner, appointment.id, sentBack(cancelled));
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body).toMatchObject({ status: 'CANCELLED', version: cancelled.version });
    expectProblem(await put(owner, appointment.id, { ...sentBack(cancelled), reason: 'Changed' }), 409);
  });

  it('re-checks a new start: 409 over another appointment of the doctor, 400 in the past', async () => {
    const [first, second] = [await fresh(), await fresh()];
    const clash = await put(owner, second.id, { ...sentBack(second), appointment_datetime: first.appointment_datetime });
    expectProblem(clash, 409);
    expect(clash.body.detail).toBe(DOCTOR_BUSY);
    expectFieldError(
      await put(owner, second.id, { ...sentBack(second), appointment_datetime: '2020-01-01T09:00:00Z' }),
      'appointment_datetime',
    );
    expect((await fetchAppointment(t, owner, second.id)).appointment_datetime).toBe(second.appointment_datetime);
  });

  it('refuses a stale If-Match with 412 and accepts the current one', async () => {
    const appointment = await fresh();
    expect((await patch(t, owner, appointment.id, { notes: 'v2' })).status).toBe(200);
    const stale = await t
      .as(owner)
      .put(`/api/appointments/${appointment.id}/`)
      .set('If-Match', '"1"')
      .send({ ...sentBack(appointment), reason: 'Late' });
    expectProblem(stale, 412);
    const current = await t
      .as(owner)
      .put(`/api/appointments/${appointment.id}/`)
      .set('If-Match', '"2"')
      .send({ ...sentBack(appointment), reason: 'Late' });
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(current.body.version).toBe(3);
  });

  it('answers a stranger 404, as for an appointment that does not exist', async () => {
    const appointment = await fresh();
    expectProblem(await put(stranger, appointment.id, sentBack(appointment)), 404);
    expectProblem(await put(owner, 99_999_999, sentBack(appointment)), 404);
  });
});
