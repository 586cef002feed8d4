import { beforeAll, describe, expect, it } from 'vitest';
import { book, booked, Created, expectFieldError, expectProblem, newDoctor, newPatient, patch, scheduled } from './support/appointments';
import { TestUser, useTestApp } from './support/test-app';

const DAY = 86_400_000;
/** The defaults: BOOKING_HORIZON_DAYS and MAX_UPCOMING_APPOINTMENTS_PER_PATIENT. */
const HORIZON_DAYS = 365;
const CAP = 10;
const CAPPED = `The patient already has ${CAP} upcoming appointments, the most allowed.`;

/** `days` from now (fractions allowed), on a whole minute. */
const inDays = (days: number) => new Date(Math.floor((Date.now() + days * DAY) / 60_000) * 60_000).toISOString();

describe('booking limits (e2e)', () => {
  const t = useTestApp(); // the default limits
  let owner: TestUser;
  let doctor: Created;

  beforeAll(async () => {
    owner = await t.newUser();
    doctor = await newDoctor(t, owner);
  });

  describe('the booking horizon', () => {
    it(`books up to ${HORIZON_DAYS} days ahead and refuses a later start with 400`, async () => {
      const patient = await newPatient(t, owner);
      await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: inDays(HORIZON_DAYS - 1) });
      const late = await book(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: inDays(HORIZON_DAYS + 1) });
      expect(expectFieldError(late, 'appointment_datetime')).toEqual([`The appointment must start within ${HORIZON_DAYS} days from now.`]);
      const farAway = await book(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: '9999-12-31T23:00:00Z' });
      expectFieldError(farAway, 'appointment_datetime');
    });

    it('refuses to move an appointment past the horizon, and leaves it where it was', async () => {
      const patient = await newPatient(t, owner);
      const start = inDays(3);
      const appointment = await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: start });
      const moved = await patch(t, owner, appointment.id, { appointment_datetime: inDays(HORIZON_DAYS + 2) });
      expectFieldError(moved, 'appointment_datetime');
      const [row] = await t.db.query<{ start: Date }[]>('SELECT appointment_datetime AS start FROM appointments WHERE id = $1', [
        appointment.id,
      ]);
      expect(row.start.toISOString()).toBe(start);
    });

    it('offers no free slot past the horizon', async () => {
      const scheduledDoctor = await newDoctor(t, owner);
      const everyDay = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '23:00' }));
      await scheduled(t, owner, scheduledDoctor.id, 'UTC', 60, everyDay);
      const from = inDays(HORIZON_DAYS - 5).slice(0, 10);
      const to = inDays(HORIZON_DAYS + 5).slice(0, 10);
      const res = await t.as(owner).get(`/api/doctors/${scheduledDoctor.id}/slots/`).query({ from, to });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const starts = (res.body as { start: string }[]).map((slot) => Date.parse(slot.start));
      expect(starts.length).toBeGreaterThan(4 * 23); // the days before the horizon are offered
      expect(Math.max(...starts)).toBeLessThanOrEqual(Date.now() + HORIZON_DAYS * DAY);
    });
  });

  describe('the cap on upcoming appointments', () => {
    it(`lets exactly ${CAP} of 16 simultaneous bookings of one patient through, the others 409`, async () => {
      const patient = await newPatient(t, owner);
      const responses = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          book(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: inDays(20 + i / 24) }),
        ),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(CAP);
      for (const refused of responses.filter((res) => res.status !== 201)) {
        expectProblem(refused, 409);
        expect(refused.body.detail).toBe(CAPPED);
      }
      const [{ count }] = await t.db.query<{ count: number }[]>('SELECT count(*)::int AS count FROM appointments WHERE patient_id = $1', [
        patient.id,
      ]);
      expect(count).toBe(CAP);
    });

    it('counts only active appointments in the future: a cancelled or past one frees a place', async () => {
      const patient = await newPatient(t, owner);
      const appointments: Created[] = [];
      for (let i = 0; i < CAP; i++) {
        appointments.push(await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: inDays(40 + i / 24) }));
      }
      const extra = { doctor: doctor.id, patient: patient.id, appointment_datetime: inDays(41) };
      expectProblem(await book(t, owner, extra), 409);

      expect((await t.as(owner).delete(`/api/appointments/${appointments[0].id}/`)).status).toBe(204);
      const eleventh = await booked(t, owner, extra);

      // One of them passes into the past (still SCHEDULED): it no longer counts.
      await t.db.query(
        `UPDATE appointments SET appointment_datetime = now() - interval '2 days', ends_at = now() - interval '2 days' + make_interval(mins => duration_minutes)
         WHERE id = $1`,
        [appointments[1].id],
      );
      await booked(t, owner, { ...extra, appointment_datetime: inDays(42) });
      expectProblem(await book(t, owner, { ...extra, appointment_datetime: inDays(43) }), 409);

      // Moving an upcoming one keeps the count; bringing the past one back would exceed it.
      expect((await patch(t, owner, eleventh.id, { appointment_datetime: inDays(44) })).status).toBe(200);
      const back = await patch(t, owner, appointments[1].id, { appointment_datetime: inDays(45) });
      expectProblem(back, 409);
      expect(back.body.detail).toBe(CAPPED);
    });

    it('caps each patient on its own', async () => {
      const [busy, other] = [await newPatient(t, owner), await newPatient(t, owner)];
      for (let i = 0; i < CAP; i++)
        await booked(t, owner, { doctor: doctor.id, patient: busy.id, appointment_datetime: inDays(60 + i / 24) });
      expectProblem(await book(t, owner, { doctor: doctor.id, patient: busy.id, appointment_datetime: inDays(61) }), 409);
      await booked(t, owner, { doctor: doctor.id, patient: other.id, appointment_datetime: inDays(61) });
    });
  });
});
