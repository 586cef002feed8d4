import type { Response } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  book,
  booked,
  Created,
  dbHistory,
  dbStatuses,
  DOCTOR_BUSY,
  expectFieldError,
  expectList,
  expectProblem,
  fetchAppointment,
  history,
  newDoctor,
  newDoctorAccount,
  newPatient,
  patch,
  PATIENT_BUSY,
  steps,
} from './support/appointments';
import { TestUser, useTestApp } from './support/test-app';

const ids = (items: Record<string, unknown>[]) => items.map((item) => item.id);

describe('appointments (e2e)', () => {
  // The dates here are fixed (weekdays, daylight-saving changes) in 2030-2031: past the default
  // booking horizon, so this file allows bookings ten years ahead.
  const t = useTestApp({ BOOKING_HORIZON_DAYS: '3650' });
  let owner: TestUser;
  let stranger: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [owner, stranger, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  /** A fresh doctor and `count` fresh patients of `owner`, so a test's times clash with nothing else. */
  async function setting(count = 1, by: TestUser = owner): Promise<{ doctor: Created; patients: Created[] }> {
    const doctor = await newDoctor(t, by);
    const patients = await Promise.all(Array.from({ length: count }, () => newPatient(t, by)));
    return { doctor, patients };
  }

  describe('booking', () => {
    it('books for one of the caller’s patients, stores the start in UTC and answers with details and an ETag', async () => {
      const { doctor, patients } = await setting();
      const [patient] = patients;
      const res = await book(t, owner, {
        doctor: doctor.id,
        patient: patient.id,
        appointment_datetime: '2030-06-03T10:00:00+02:00',
        reason: 'Check-up',
        notes: 'Bring the old X-rays.',
      });

      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        doctor: doctor.id,
        patient: patient.id,
        doctor_details: { id: doctor.id, name: doctor.name, specialization: 'General Practice' },
        patient_details: { id: patient.id, name: patient.name },
        appointment_datetime: '2030-06-03T08:00:00.000Z',
        duration_minutes: 30,
        ends_at: '2030-06-03T08:30:00.000Z',
        reason: 'Check-up',
        notes: 'Bring the old X-rays.',
        status: 'SCHEDULED',
        created_by: owner.id,
        version: 1,
      });
      expect(res.headers.etag).toBe('"1"');

      const [row] = await t.db.query<{ utc: string }[]>(
        `SELECT to_char(appointment_datetime AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS utc FROM appointments WHERE id = $1`,
        [res.body.id],
      );
      expect(row.utc).toBe('2030-06-03T08:00');
      expect(await fetchAppointment(t, owner, res.body.id)).toEqual(res.body);
    });

    it('keeps a given duration, including the bounds 5 and 480 minutes', async () => {
      const { doctor, patients } = await setting();
      const short = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-06-04T08:00:00Z',
        duration_minutes: 5,
      });
      const long = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-06-05T08:00:00Z',
        duration_minutes: 480,
      });
      expect(short).toMatchObject({ duration_minutes: 5, ends_at: '2030-06-04T08:05:00.000Z' });
      expect(long).toMatchObject({ duration_minutes: 480, ends_at: '2030-06-05T16:00:00.000Z' });
    });

    it('answers 404 for another user’s patient, and lets an admin book for any patient', async () => {
      const { doctor, patients } = await setting();
      const res = await book(t, stranger, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-06-06T08:00:00Z' });
      expectProblem(res, 404);

      const byAdmin = await booked(t, admin, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-06-06T08:00:00Z' });
      expect(byAdmin).toMatchObject({ patient: patients[0].id, created_by: admin.id });
      expect((await fetchAppointment(t, owner, byAdmin.id)).id).toBe(byAdmin.id);
    });

    it('refuses an unknown doctor with 400 naming doctor', async () => {
      const { patients } = await setting();
      const res = await book(t, owner, { doctor: 999_999, patient: patients[0].id, appointment_datetime: '2030-06-07T08:00:00Z' });
      expectFieldError(res, 'doctor');
    });

    it('refuses a start in the past with 400 naming appointment_datetime', async () => {
      const { doctor, patients } = await setting();
      const res = await book(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2020-01-06T08:00:00Z' });
      expectFieldError(res, 'appointment_datetime');
    });

    it.each(['2030-06-08T08:00:00', '2030-06-08T08:00', '2030-06-08', 'next Monday'])(
      'refuses appointment_datetime %j (no time zone, or not a date-time) with 400',
      async (appointmentDatetime) => {
        const { doctor, patients } = await setting();
        const res = await book(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: appointmentDatetime });
        expectFieldError(res, 'appointment_datetime');
      },
    );

    it.each([4, 481, 30.5, '30'])('refuses duration_minutes %j with 400', async (duration) => {
      const { doctor, patients } = await setting();
      const res = await book(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-06-08T08:00:00Z',
        duration_minutes: duration,
      });
      expectFieldError(res, 'duration_minutes');
    });

    it('refuses an unknown field with 400 naming it, and books nothing', async () => {
      const { doctor, patients } = await setting();
      const res = await book(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-06-08T08:00:00Z',
        room: '12B',
      });
      expectFieldError(res, 'room');
      const [{ count }] = await t.db.query<{ count: number }[]>('SELECT count(*)::int AS count FROM appointments WHERE doctor_id = $1', [
        doctor.id,
      ]);
      expect(count).toBe(0);
    });

    it('refuses a new appointment in any status but SCHEDULED', async () => {
      const { doctor, patients } = await setting();
      const res = await book(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-06-08T08:00:00Z',
        status: 'COMPLETED',
      });
      expectFieldError(res, 'status');
    });

    it('asks for a token', async () => {
      const res = await t.http().post('/api/appointments/').send({});
      expectProblem(res, 401);
    });
  });

  describe('double booking', () => {
    it('lets exactly one of 50 simultaneous bookings of one doctor’s slot through; the rest get 409', async () => {
      const { doctor, patients } = await setting(50);
      const slot = '2030-09-02T09:00:00Z';
      const responses = await Promise.all(
        patients.map((patient) => book(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: slot })),
      );

      expect(responses.filter((res) => res.status === 201)).toHaveLength(1);
      const refused = responses.filter((res) => res.status !== 201);
      expect(refused).toHaveLength(49);
      for (const res of refused) {
        expectProblem(res, 409);
        expect(res.body.detail).toBe(DOCTOR_BUSY);
      }
      const rows = await t.db.query<{ id: number }[]>(
        `SELECT id FROM appointments WHERE doctor_id = $1 AND status IN ('SCHEDULED', 'CHECKED_IN')
           AND tstzrange(appointment_datetime, ends_at, '[)') && tstzrange($2::timestamptz, $2::timestamptz + interval '30 minutes', '[)')`,
        [doctor.id, slot],
      );
      expect(rows).toHaveLength(1);
    });

    it('refuses a patient in two rooms: another doctor at an overlapping time is 409 for the patient', async () => {
      const { doctor, patients } = await setting();
      const otherDoctor = await newDoctor(t, owner);
      await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-09-03T10:00:00Z' });
      const res = await book(t, owner, { doctor: otherDoctor.id, patient: patients[0].id, appointment_datetime: '2030-09-03T10:15:00Z' });
      expectProblem(res, 409);
      expect(res.body.detail).toBe(PATIENT_BUSY);
    });

    it('reports the doctor when both the doctor and the patient are taken', async () => {
      const { doctor, patients } = await setting();
      await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-09-03T10:00:00Z' });
      const res = await book(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-09-03T10:00:00Z' });
      expectProblem(res, 409);
      expect(res.body.detail).toBe(DOCTOR_BUSY);
    });

    it('allows back-to-back appointments and refuses partial or enclosing overlaps', async () => {
      const { doctor, patients } = await setting(5);
      const at = (index: number, appointmentDatetime: string, duration = 30) =>
        book(t, owner, {
          doctor: doctor.id,
          patient: patients[index].id,
          appointment_datetime: appointmentDatetime,
          duration_minutes: duration,
        });

      expect((await at(0, '2030-09-04T11:00:00Z')).status).toBe(201);
      expect((await at(1, '2030-09-04T11:30:00Z')).status).toBe(201); // starts as the first ends
      expect((await at(2, '2030-09-04T10:30:00Z')).status).toBe(201); // ends as the first starts

      const partial = await at(3, '2030-09-04T11:15:00Z');
      expectProblem(partial, 409);
      expect(partial.body.detail).toBe(DOCTOR_BUSY);
      const enclosing = await at(4, '2030-09-04T10:00:00Z', 180);
      expectProblem(enclosing, 409);
      expect(enclosing.body.detail).toBe(DOCTOR_BUSY);
    });

    it('frees a cancelled appointment’s time for another booking', async () => {
      const { doctor, patients } = await setting(2);
      const first = await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-09-05T12:00:00Z' });
      expect(
        (await book(t, owner, { doctor: doctor.id, patient: patients[1].id, appointment_datetime: '2030-09-05T12:00:00Z' })).status,
      ).toBe(409);

      expect((await t.as(owner).delete(`/api/appointments/${first.id}/`)).status).toBe(204);
      const again = await booked(t, owner, { doctor: doctor.id, patient: patients[1].id, appointment_datetime: '2030-09-05T12:00:00Z' });
      expect(again.status).toBe('SCHEDULED');
    });

    it('re-checks overlaps when rescheduling and moves into a free time', async () => {
      const { doctor, patients } = await setting(3);
      const first = await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-09-06T13:00:00Z' });
      const second = await booked(t, owner, { doctor: doctor.id, patient: patients[1].id, appointment_datetime: '2030-09-06T14:00:00Z' });

      const clash = await patch(t, owner, second.id, { appointment_datetime: '2030-09-06T13:15:00Z' });
      expectProblem(clash, 409);
      expect(clash.body.detail).toBe(DOCTOR_BUSY);
      const longer = await patch(t, owner, first.id, { duration_minutes: 90 });
      expectProblem(longer, 409);
      expect(await fetchAppointment(t, owner, second.id)).toMatchObject({ appointment_datetime: '2030-09-06T14:00:00.000Z', version: 1 });
      expect(await fetchAppointment(t, owner, first.id)).toMatchObject({ duration_minutes: 30, version: 1 });

      const moved = await patch(t, owner, second.id, { appointment_datetime: '2030-09-06T17:00:00+02:00', duration_minutes: 60 });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body).toMatchObject({
        appointment_datetime: '2030-09-06T15:00:00.000Z',
        ends_at: '2030-09-06T16:00:00.000Z',
        duration_minutes: 60,
        status: 'SCHEDULED',
        version: 2,
      });
      expect(moved.headers.etag).toBe('"2"');
      // The old time is free again.
      await booked(t, owner, { doctor: doctor.id, patient: patients[2].id, appointment_datetime: '2030-09-06T14:00:00Z' });
    });

    it('refuses to reschedule into the past', async () => {
      const { doctor, patients } = await setting();
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-09-07T13:00:00Z',
      });
      expectFieldError(await patch(t, owner, appointment.id, { appointment_datetime: '2020-09-07T13:00:00Z' }), 'appointment_datetime');
      expectFieldError(await patch(t, owner, appointment.id, { appointment_datetime: null }), 'appointment_datetime');
    });
  });

  describe('listing', () => {
    let lister: TestUser;
    let doctorA: Created;
    let doctorB: Created;
    let patientA: Created;
    let patientB: Created;
    let a1: Created;
    let a2: Created;
    let a3: Created;
    let a4: Created;

    beforeAll(async () => {
      lister = await t.newUser();
      [doctorA, doctorB, patientA, patientB] = await Promise.all([
        newDoctor(t, lister),
        newDoctor(t, lister),
        newPatient(t, lister),
        newPatient(t, lister),
      ]);
      // Booked out of order, so the list's order is its own doing.
      a3 = await booked(t, lister, { doctor: doctorB.id, patient: patientA.id, appointment_datetime: '2031-01-11T00:00:00Z' });
      a1 = await booked(t, lister, { doctor: doctorA.id, patient: patientA.id, appointment_datetime: '2031-01-10T09:00:00Z' });
      a4 = await booked(t, lister, { doctor: doctorB.id, patient: patientB.id, appointment_datetime: '2031-01-12T08:00:00Z' });
      a2 = await booked(t, lister, { doctor: doctorA.id, patient: patientB.id, appointment_datetime: '2031-01-10T23:30:00Z' });
      expect((await patch(t, lister, a4.id, { status: 'CANCELLED' })).status).toBe(200);
    });

    const list = (query: Record<string, string | number>) => t.as(lister).get('/api/appointments/').query(query);

    it('lists the caller’s appointments by start time', async () => {
      expect(ids(expectList(await list({}), 4))).toEqual([a1.id, a2.id, a3.id, a4.id]);
    });

    it('filters by doctor, patient and status, alone and together', async () => {
      expect(ids(expectList(await list({ doctor: doctorA.id }), 2))).toEqual([a1.id, a2.id]);
      expect(ids(expectList(await list({ patient: patientA.id }), 2))).toEqual([a1.id, a3.id]);
      expect(ids(expectList(await list({ status: 'CANCELLED' }), 1))).toEqual([a4.id]);
      expect(ids(expectList(await list({ status: 'SCHEDULED' }), 3))).toEqual([a1.id, a2.id, a3.id]);
      expect(ids(expectList(await list({ doctor: doctorB.id, status: 'SCHEDULED' }), 1))).toEqual([a3.id]);
      expect(ids(expectList(await list({ doctor: doctorA.id, patient: patientA.id }), 1))).toEqual([a1.id]);
    });

    it('filters by from, inclusive, given as a date or a date-time with a zone', async () => {
      expect(ids(expectList(await list({ from: '2031-01-11' }), 2))).toEqual([a3.id, a4.id]);
      expect(ids(expectList(await list({ from: '2031-01-10T23:30:00Z' }), 3))).toEqual([a2.id, a3.id, a4.id]);
      expect(ids(expectList(await list({ from: '2031-01-10T10:00:01+01:00' }), 3))).toEqual([a2.id, a3.id, a4.id]);
    });

    it('filters by to: a date includes that whole day, a date-time is exclusive', async () => {
      expect(ids(expectList(await list({ to: '2031-01-10' }), 2))).toEqual([a1.id, a2.id]);
      expect(ids(expectList(await list({ to: '2031-01-11T00:00:00Z' }), 2))).toEqual([a1.id, a2.id]);
      expect(ids(expectList(await list({ to: '2031-01-11T00:00:01Z' }), 3))).toEqual([a1.id, a2.id, a3.id]);
      expect(ids(expectList(await list({ from: '2031-01-10T12:00:00Z', to: '2031-01-11' }), 2))).toEqual([a2.id, a3.id]);
    });

    it.each([
      ['status', 'DONE'],
      ['from', 'yesterday'],
      ['to', '2031-13-01'],
      ['doctor', 'abc'],
    ])('refuses %s=%j with 400 naming it', async (name, value) => {
      expectFieldError(await list({ [name]: value }), name);
    });

    it('pages with X-Total-Count and Link relations', async () => {
      const first = await list({ page_size: 3 });
      expect(ids(expectList(first, 4))).toEqual([a1.id, a2.id, a3.id]);
      expect(first.headers.link).toContain('rel="next"');
      expect(first.headers.link).toMatch(/<[^>]*page=2[^>]*>; rel="next"/);
      expect(first.headers.link).toMatch(/<[^>]*page=2[^>]*>; rel="last"/);

      const second = await list({ page_size: 3, page: 2 });
      expect(ids(expectList(second, 4))).toEqual([a4.id]);
      expect(second.headers.link).not.toContain('rel="next"');
      expect(second.headers.link).toMatch(/<[^>]*page=1[^>]*>; rel="prev"/);
    });
  });

  describe('visibility', () => {
    let ownerA: TestUser;
    let ownerB: TestUser;
    let doctorUser: TestUser;
    let mine: Created; // linked doctor, ownerA's patient
    let notMine: Created; // another doctor, ownerA's patient
    let othersPatient: Created; // linked doctor, ownerB's patient

    beforeAll(async () => {
      [ownerA, ownerB] = await Promise.all([t.newUser(), t.newUser()]);
      const { account, profile } = await newDoctorAccount(t);
      doctorUser = account;
      const otherDoctor = await newDoctor(t, ownerA);
      const [patientA, patientB] = await Promise.all([newPatient(t, ownerA), newPatient(t, ownerB)]);
      mine = await booked(t, ownerA, { doctor: profile.id, patient: patientA.id, appointment_datetime: '2031-02-03T09:00:00Z' });
      notMine = await booked(t, ownerA, { doctor: otherDoctor.id, patient: patientA.id, appointment_datetime: '2031-02-04T09:00:00Z' });
      othersPatient = await booked(t, ownerB, { doctor: profile.id, patient: patientB.id, appointment_datetime: '2031-02-05T09:00:00Z' });
    });

    it('shows an owner the appointments of its own patients only', async () => {
      expect(ids(expectList(await t.as(ownerA).get('/api/appointments/'), 2))).toEqual([mine.id, notMine.id]);
      expect(ids(expectList(await t.as(ownerB).get('/api/appointments/'), 1))).toEqual([othersPatient.id]);
      expectProblem(await t.as(ownerB).get(`/api/appointments/${mine.id}/`), 404);
    });

    it('shows a doctor account the appointments of its linked profile, whoever booked them, and not others’', async () => {
      expect(ids(expectList(await t.as(doctorUser).get('/api/appointments/'), 2))).toEqual([mine.id, othersPatient.id]);
      expect((await fetchAppointment(t, doctorUser, othersPatient.id)).id).toBe(othersPatient.id);
      expect((await history(t, doctorUser, mine.id)).length).toBe(1);
      expectProblem(await t.as(doctorUser).get(`/api/appointments/${notMine.id}/`), 404);
    });

    it('shows an admin every appointment', async () => {
      const res = await t.as(admin).get('/api/appointments/').query({ from: '2031-02-03', to: '2031-02-05', page_size: 100 });
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual(expect.arrayContaining([mine.id, notMine.id, othersPatient.id]));
      expect((await fetchAppointment(t, admin, notMine.id)).id).toBe(notMine.id);
    });

    it('answers a stranger 404 on read, history, change and delete, and lists nothing', async () => {
      expectList(await t.as(stranger).get('/api/appointments/'), 0);
      expectProblem(await t.as(stranger).get(`/api/appointments/${mine.id}/`), 404);
      expectProblem(await t.as(stranger).get(`/api/appointments/${mine.id}/history/`), 404);
      expectProblem(await patch(t, stranger, mine.id, { status: 'CANCELLED' }), 404);
      expectProblem(await t.as(stranger).delete(`/api/appointments/${mine.id}/`), 404);
      expect(await fetchAppointment(t, ownerA, mine.id)).toMatchObject({ status: 'SCHEDULED', version: 1 });
    });

    it('answers 404 for an id that does not exist, as for one that is not the caller’s', async () => {
      const missing = await t.as(ownerA).get('/api/appointments/999999/');
      const hidden = await t.as(ownerB).get(`/api/appointments/${mine.id}/`);
      expectProblem(missing, 404);
      expectProblem(hidden, 404);
      expect(hidden.body.detail).toBe(missing.body.detail);
    });
  });

  describe('status', () => {
    let doctorUser: TestUser;
    let doctor: Created;
    let hour = 0;

    beforeAll(async () => {
      const { account, profile } = await newDoctorAccount(t);
      doctorUser = account;
      doctor = profile;
    });

    /** A new SCHEDULED appointment with the linked doctor, for a new patient of `owner`. */
    async function fresh(): Promise<Created> {
      const patient = await newPatient(t, owner);
      hour += 1;
      const start = new Date(Date.UTC(2030, 10, 4, 0, 0) + hour * 3_600_000).toISOString();
      return booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: start });
    }

    async function expectStatus(id: number, status: string, historyLength: number) {
      expect((await fetchAppointment(t, admin, id)).status).toBe(status);
      expect(await history(t, admin, id)).toHaveLength(historyLength);
    }

    it('moves SCHEDULED → CHECKED_IN → COMPLETED and keeps every step with who and when', async () => {
      const appointment = await fresh();
      const checkedIn = await patch(t, owner, appointment.id, { status: 'CHECKED_IN' });
      expect(checkedIn.status, JSON.stringify(checkedIn.body)).toBe(200);
      expect(checkedIn.body).toMatchObject({ status: 'CHECKED_IN', version: 2 });
      const completed = await patch(t, doctorUser, appointment.id, { status: 'COMPLETED' });
      expect(completed.status, JSON.stringify(completed.body)).toBe(200);
      expect(completed.body.status).toBe('COMPLETED');

      const changes = await history(t, owner, appointment.id);
      expect(changes).toEqual([
        { from: null, to: 'SCHEDULED', changed_by: owner.id, changed_at: expect.any(String) },
        { from: 'SCHEDULED', to: 'CHECKED_IN', changed_by: owner.id, changed_at: expect.any(String) },
        { from: 'CHECKED_IN', to: 'COMPLETED', changed_by: doctorUser.id, changed_at: expect.any(String) },
      ]);
      const times = changes.map((change) => Date.parse(change.changed_at as string));
      expect(times.every((time) => !Number.isNaN(time))).toBe(true);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    it.each([
      ['CANCELLED', 'owner'],
      ['NO_SHOW', 'doctor'],
      ['COMPLETED', 'doctor'],
    ] as const)('moves SCHEDULED straight to %s (by the %s)', async (status, by) => {
      const appointment = await fresh();
      const res = await patch(t, by === 'owner' ? owner : doctorUser, appointment.id, { status });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(steps(await history(t, owner, appointment.id))).toEqual([
        [null, 'SCHEDULED'],
        ['SCHEDULED', status],
      ]);
    });

    it('lets the doctor cancel a checked-in appointment', async () => {
      const appointment = await fresh();
      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);
      const res = await patch(t, doctorUser, appointment.id, { status: 'CANCELLED' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(steps(await history(t, owner, appointment.id)).at(-1)).toEqual(['CHECKED_IN', 'CANCELLED']);
    });

    it('refuses backward moves with 409 and changes nothing', async () => {
      const appointment = await fresh();
      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);
      for (const status of ['SCHEDULED', 'NO_SHOW']) expectProblem(await patch(t, admin, appointment.id, { status }), 409);
      await expectStatus(appointment.id, 'CHECKED_IN', 2);
    });

    it.each(['COMPLETED', 'CANCELLED', 'NO_SHOW'])('refuses every move out of the final status %s with 409', async (final) => {
      const appointment = await fresh();
      expect((await patch(t, admin, appointment.id, { status: final })).status).toBe(200);
      for (const status of ['SCHEDULED', 'CHECKED_IN', 'COMPLETED', 'CANCELLED', 'NO_SHOW'].filter((s) => s !== final)) {
        expectProblem(await patch(t, admin, appointment.id, { status }), 409);
      }
      await expectStatus(appointment.id, final, 2);
    });

    it('lets the owner check in, cancel and reschedule a scheduled appointment', async () => {
      const appointment = await fresh();
      const moved = await patch(t, owner, appointment.id, { appointment_datetime: '2030-11-20T09:00:00Z', reason: 'Moved' });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body).toMatchObject({ appointment_datetime: '2030-11-20T09:00:00.000Z', reason: 'Moved', status: 'SCHEDULED' });
      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);

      const other = await fresh();
      expect((await patch(t, owner, other.id, { status: 'CANCELLED' })).status).toBe(200);
    });

    it('answers the owner 403 for COMPLETED or NO_SHOW and for changes after check-in', async () => {
      const appointment = await fresh();
      for (const status of ['COMPLETED', 'NO_SHOW']) expectProblem(await patch(t, owner, appointment.id, { status }), 403);
      await expectStatus(appointment.id, 'SCHEDULED', 1);

      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);
      expectProblem(await patch(t, owner, appointment.id, { status: 'COMPLETED' }), 403);
      expectProblem(await patch(t, owner, appointment.id, { status: 'CANCELLED' }), 403);
      await expectStatus(appointment.id, 'CHECKED_IN', 2);
    });

    it('lets the linked doctor mark NO_SHOW and an admin mark COMPLETED', async () => {
      const [first, second] = [await fresh(), await fresh()];
      expect((await patch(t, doctorUser, first.id, { status: 'NO_SHOW' })).body.status).toBe('NO_SHOW');
      expect((await patch(t, admin, second.id, { status: 'COMPLETED' })).body.status).toBe('COMPLETED');
      expect((await history(t, owner, first.id)).at(-1)).toMatchObject({ to: 'NO_SHOW', changed_by: doctorUser.id });
      expect((await history(t, owner, second.id)).at(-1)).toMatchObject({ to: 'COMPLETED', changed_by: admin.id });
    });

    it('refuses to reschedule an appointment that is no longer scheduled', async () => {
      const appointment = await fresh();
      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);
      expectProblem(await patch(t, admin, appointment.id, { appointment_datetime: '2030-12-01T09:00:00Z' }), 409);
      expect((await fetchAppointment(t, owner, appointment.id)).appointment_datetime).toBe(appointment.appointment_datetime);
    });

    it('refuses an unknown status with 400', async () => {
      const appointment = await fresh();
      expectFieldError(await patch(t, owner, appointment.id, { status: 'DONE' }), 'status');
    });
  });

  describe('If-Match', () => {
    it('refuses a change with an old ETag with 412 and changes nothing', async () => {
      const { doctor, patients } = await setting();
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-12-02T09:00:00Z',
      });

      const current = await t.as(owner).patch(`/api/appointments/${appointment.id}/`).set('If-Match', '"1"').send({ reason: 'Fever' });
      expect(current.status, JSON.stringify(current.body)).toBe(200);
      expect(current.headers.etag).toBe('"2"');

      for (const change of [{ status: 'CANCELLED' }, { appointment_datetime: '2030-12-03T09:00:00Z' }, { reason: 'Cough' }]) {
        const stale = await t.as(owner).patch(`/api/appointments/${appointment.id}/`).set('If-Match', '"1"').send(change);
        expectProblem(stale, 412);
      }
      expect(await fetchAppointment(t, owner, appointment.id)).toMatchObject({
        status: 'SCHEDULED',
        reason: 'Fever',
        appointment_datetime: '2030-12-02T09:00:00.000Z',
        version: 2,
      });
      expect(await history(t, owner, appointment.id)).toHaveLength(1);
    });

    it('keeps the version when a change changes nothing, and moves it once per change that does', async () => {
      const { doctor, patients } = await setting();
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-12-09T09:00:00Z',
        reason: 'Fever',
      });

      const same = await patch(t, owner, appointment.id, { reason: 'Fever', status: 'SCHEDULED' });
      expect(same.status, JSON.stringify(same.body)).toBe(200);
      expect(same.headers.etag).toBe('"1"');
      expect(same.body).toMatchObject({ version: 1 });

      const moved = await patch(t, owner, appointment.id, { duration_minutes: 45, notes: 'Longer visit.' });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.headers.etag).toBe('"2"');
      expect(await fetchAppointment(t, owner, appointment.id)).toMatchObject({ duration_minutes: 45, notes: 'Longer visit.', version: 2 });
    });
  });

  describe('delete', () => {
    it('cancels and keeps the appointment, records the step, and answers 204 again on a second delete', async () => {
      const { doctor, patients } = await setting();
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-12-05T09:00:00Z',
      });

      const res = await t.as(owner).delete(`/api/appointments/${appointment.id}/`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await fetchAppointment(t, owner, appointment.id)).toMatchObject({ status: 'CANCELLED', version: 2 });
      const changes = await history(t, owner, appointment.id);
      expect(changes.at(-1)).toMatchObject({ from: 'SCHEDULED', to: 'CANCELLED', changed_by: owner.id });

      expect((await t.as(owner).delete(`/api/appointments/${appointment.id}/`)).status).toBe(204);
      expect(await history(t, owner, appointment.id)).toHaveLength(2);
      expect(ids(expectList(await t.as(owner).get('/api/appointments/').query({ doctor: doctor.id }), 1))).toEqual([appointment.id]);
    });

    it.each(['COMPLETED', 'NO_SHOW'])('refuses to delete a %s appointment with 409', async (status) => {
      const { doctor, patients } = await setting();
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-12-06T09:00:00Z',
      });
      expect((await patch(t, admin, appointment.id, { status })).status).toBe(200);
      expectProblem(await t.as(owner).delete(`/api/appointments/${appointment.id}/`), 409);
      expect((await fetchAppointment(t, owner, appointment.id)).status).toBe(status);
    });
  });

  describe('when a patient or doctor is deleted', () => {
    /**
     * Runs `attempt` while another transaction holds `table` row `id` as a soft delete does
     * (FOR UPDATE), waits until the request is blocked on that lock, then soft-deletes the row
     * and commits: the request must see the deletion, not slip past it.
     */
    async function racingDeletion(table: 'doctors' | 'patients', id: number, attempt: () => Promise<Response>): Promise<Response> {
      const deletion = t.db.createQueryRunner();
      await deletion.connect();
      try {
        await deletion.startTransaction();
        const [{ pid }] = (await deletion.query(`SELECT pg_backend_pid() AS pid`)) as { pid: number }[];
        await deletion.query(`SELECT id FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
        const pending = attempt().then((res) => res); // supertest sends on then()
        for (let tries = 0; ; tries++) {
          const [{ blocked }] = await t.db.query<{ blocked: number }[]>(
            `SELECT count(*)::int AS blocked FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`,
            [pid],
          );
          if (blocked > 0) break;
          if (tries > 500) throw new Error('the request never waited for the deletion');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await deletion.query(`UPDATE ${table} SET deleted_at = now() WHERE id = $1`, [id]);
        await deletion.commitTransaction();
        return await pending;
      } finally {
        await deletion.release();
      }
    }

    it('refuses a booking that races the deletion of its doctor or its patient', async () => {
      const { doctor, patients } = await setting(2);
      const doctorGone = await racingDeletion('doctors', doctor.id, () =>
        book(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-12-16T09:00:00Z' }),
      );
      expectFieldError(doctorGone, 'doctor');

      const { doctor: other } = await setting(0);
      const patientGone = await racingDeletion('patients', patients[1].id, () =>
        book(t, owner, { doctor: other.id, patient: patients[1].id, appointment_datetime: '2030-12-16T09:00:00Z' }),
      );
      expectProblem(patientGone, 404);

      const [{ count }] = await t.db.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM appointments WHERE doctor_id = ANY($1) OR patient_id = ANY($2)`,
        [[doctor.id, other.id], patients.map((patient) => patient.id)],
      );
      expect(count).toBe(0);
    });

    /** Moves an appointment into the past, which the API never allows, to show the past is kept. */
    async function intoThePast(id: number) {
      await t.db.query(
        `UPDATE appointments SET appointment_datetime = now() - interval '2 days',
           ends_at = now() - interval '2 days' + make_interval(mins => duration_minutes) WHERE id = $1`,
        [id],
      );
    }

    it('cancels the future appointments of a deleted patient, with the deleting user in the history', async () => {
      const { doctor, patients } = await setting(2);
      const [patient, other] = patients;
      const future = await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: '2030-12-08T09:00:00Z' });
      const checkedIn = await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: '2030-12-09T09:00:00Z' });
      expect((await patch(t, owner, checkedIn.id, { status: 'CHECKED_IN' })).status).toBe(200);
      const past = await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: '2030-12-10T09:00:00Z' });
      await intoThePast(past.id);
      const untouched = await booked(t, owner, { doctor: doctor.id, patient: other.id, appointment_datetime: '2030-12-11T09:00:00Z' });

      expect((await t.as(admin).delete(`/api/patients/${patient.id}/`)).status).toBe(204);

      expect(await dbStatuses(t, [future.id, checkedIn.id, past.id, untouched.id])).toEqual({
        [future.id]: 'CANCELLED',
        [checkedIn.id]: 'CANCELLED',
        [past.id]: 'SCHEDULED',
        [untouched.id]: 'SCHEDULED',
      });
      expect(await dbHistory(t, future.id)).toEqual([
        { from: null, to: 'SCHEDULED', by: owner.id },
        { from: 'SCHEDULED', to: 'CANCELLED', by: admin.id },
      ]);
      expect((await dbHistory(t, checkedIn.id)).at(-1)).toEqual({ from: 'CHECKED_IN', to: 'CANCELLED', by: admin.id });
      expect(await dbHistory(t, past.id)).toHaveLength(1);
      expectProblem(await t.as(owner).get(`/api/appointments/${future.id}/`), 404);
      // The doctor's time is free again.
      await booked(t, owner, { doctor: doctor.id, patient: other.id, appointment_datetime: '2030-12-08T09:00:00Z' });
    });

    it('cancels the future appointments of a deleted doctor, with the deleting user in the history', async () => {
      const creator = await t.newUser();
      const doctor = await newDoctor(t, creator);
      const { doctor: otherDoctor, patients } = await setting(2);
      const future = await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-12-12T09:00:00Z' });
      const second = await booked(t, owner, { doctor: doctor.id, patient: patients[1].id, appointment_datetime: '2030-12-13T09:00:00Z' });
      const past = await booked(t, owner, { doctor: doctor.id, patient: patients[0].id, appointment_datetime: '2030-12-14T09:00:00Z' });
      await intoThePast(past.id);
      const untouched = await booked(t, owner, {
        doctor: otherDoctor.id,
        patient: patients[0].id,
        appointment_datetime: '2030-12-15T09:00:00Z',
      });

      expect((await t.as(creator).delete(`/api/doctors/${doctor.id}/`)).status).toBe(204);

      expect(await dbStatuses(t, [future.id, second.id, past.id, untouched.id])).toEqual({
        [future.id]: 'CANCELLED',
        [second.id]: 'CANCELLED',
        [past.id]: 'SCHEDULED',
        [untouched.id]: 'SCHEDULED',
      });
      for (const id of [future.id, second.id]) {
        expect((await dbHistory(t, id)).at(-1)).toEqual({ from: 'SCHEDULED', to: 'CANCELLED', by: creator.id });
      }
      expect(await dbHistory(t, untouched.id)).toHaveLength(1);
      // The patient's time is free again, and the deleted doctor cannot be booked.
      await booked(t, owner, { doctor: otherDoctor.id, patient: patients[0].id, appointment_datetime: '2030-12-12T09:00:00Z' });
      expectFieldError(
        await book(t, owner, { doctor: doctor.id, patient: patients[1].id, appointment_datetime: '2030-12-20T09:00:00Z' }),
        'doctor',
      );
    });
  });
});
