import { beforeAll, describe, expect, it } from 'vitest';
import {
  Body,
  book,
  booked,
  Created,
  expectFieldError,
  expectProblem,
  newDoctor,
  newDoctorAccount,
  newPatient,
  patch,
  putSchedule,
  scheduled,
  ScheduleEntry,
} from './support/appointments';
import { TestUser, useTestApp } from './support/test-app';

const MON = 0;
const WED = 2;
const SUN = 6;

/** Monday 09:00-12:00 and 13:00-17:00 (a lunch break) in Europe/Berlin. */
const WORKDAY: ScheduleEntry[] = [
  { weekday: MON, start: '09:00', end: '12:00' },
  { weekday: MON, start: '13:00', end: '17:00' },
];
// Monday 2030-01-14, Berlin at +01:00: 09:00 local is 08:00 UTC.
const MONDAY_STARTS = [
  ...['08:00', '08:30', '09:00', '09:30', '10:00', '10:30'],
  ...['12:00', '12:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'],
].map((time) => `2030-01-14T${time}:00.000Z`);

const startsOf = (slots: Body[]) => slots.map((slot) => slot.start);

describe('doctor schedules and free slots (e2e)', () => {
  // The dates here are fixed (weekdays, daylight-saving changes) in 2030-2031: past the default
  // booking horizon, so this file allows bookings ten years ahead.
  const t = useTestApp({ BOOKING_HORIZON_DAYS: '3650' });
  let creator: TestUser;
  let stranger: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [creator, stranger, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  const slots = (doctor: number, query: Record<string, string>) => t.as(stranger).get(`/api/doctors/${doctor}/slots/`).query(query);

  async function expectSlots(doctor: number, query: Record<string, string>): Promise<Body[]> {
    const res = await slots(doctor, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    return res.body as Body[];
  }

  describe('setting a schedule', () => {
    it('stores a weekly schedule, answers it with an ETag, and shows it to any user', async () => {
      const doctor = await newDoctor(t, creator);
      const body = { timezone: 'Europe/Berlin', slot_minutes: 30, entries: [...WORKDAY, { weekday: WED, start: '14:00', end: '24:00' }] };
      const res = await putSchedule(t, creator, doctor.id, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ ...body, doctor: doctor.id, version: 1 });
      expect(res.headers.etag).toBe('"1"');

      const read = await t.as(stranger).get(`/api/doctors/${doctor.id}/schedule/`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('replaces the previous schedule on a second PUT', async () => {
      const doctor = await newDoctor(t, creator);
      await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, WORKDAY);
      const replaced = await scheduled(t, creator, doctor.id, 'Asia/Kolkata', 15, [{ weekday: SUN, start: '08:00', end: '09:00' }]);
      expect(replaced).toMatchObject({
        timezone: 'Asia/Kolkata',
        slot_minutes: 15,
        entries: [{ weekday: SUN, start: '08:00', end: '09:00' }],
        version: 2,
      });
      expect((await t.as(creator).get(`/api/doctors/${doctor.id}/schedule/`)).body).toEqual(replaced);
    });

    it('writes nothing for a PUT that changes nothing: the version and updated_at stay', async () => {
      const doctor = await newDoctor(t, creator);
      const first = await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, WORKDAY);
      const again = await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, WORKDAY);
      expect(again).toEqual(first);
      expect(again).toMatchObject({ version: 1 });
    });

    it('lets the linked doctor account and an admin set it, and answers anyone else 403', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const otherDoctorAccount = await t.newUser({ role: 'doctor' });
      const body = { timezone: 'UTC', slot_minutes: 20, entries: [{ weekday: MON, start: '08:00', end: '10:00' }] };

      expect((await putSchedule(t, account, profile.id, body)).status).toBe(200);
      expect((await putSchedule(t, admin, profile.id, { ...body, slot_minutes: 30 })).status).toBe(200);
      expectProblem(await putSchedule(t, stranger, profile.id, { ...body, slot_minutes: 10 }), 403);
      expectProblem(await putSchedule(t, otherDoctorAccount, profile.id, { ...body, slot_minutes: 10 }), 403);
      expect((await t.as(account).get(`/api/doctors/${profile.id}/schedule/`)).body).toMatchObject({ slot_minutes: 30, version: 2 });
    });

    it('answers 404 for an unknown doctor, and for a doctor without a schedule', async () => {
      expectProblem(await putSchedule(t, admin, 999_999, { timezone: 'UTC', slot_minutes: 30, entries: [] }), 404);
      expectProblem(await t.as(admin).get('/api/doctors/999999/schedule/'), 404);
      const doctor = await newDoctor(t, creator);
      expectProblem(await t.as(creator).get(`/api/doctors/${doctor.id}/schedule/`), 404);
    });

    const entry = (fields: Partial<ScheduleEntry> = {}) => ({ weekday: MON, start: '09:00', end: '17:00', ...fields });
    it.each([
      ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      ['end before start', { entries: [entry({ start: '10:00', end: '09:00' })] }, 'entries.0.end'],
      ['end equal to start', { entries: [entry({ start: '10:00', end: '10:00' })] }, 'entries.0.end'],
      [
        'overlapping entries on one weekday',
        { entries: [entry({ end: '12:00' }), entry({ start: '11:00', end: '13:00' })] },
        /^entries\.[01]$/,
      ],
      ['weekday 7', { entries: [entry({ weekday: 7 })] }, 'entries.0.weekday'],
      ['weekday -1', { entries: [entry({ weekday: -1 })] }, 'entries.0.weekday'],
      ['start "9:00"', { entries: [entry({ start: '9:00' })] }, 'entries.0.start'],
      ['end "24:30"', { entries: [entry({ end: '24:30' })] }, 'entries.0.end'],
      ['slot_minutes 4', { slot_minutes: 4 }, 'slot_minutes'],
      ['slot_minutes 481', { slot_minutes: 481 }, 'slot_minutes'],
      ['an unknown field', { holidays: [] }, 'holidays'],
    ] as const)('refuses %s with 400 naming the field, keeping the old schedule', async (_case, change, field) => {
      const doctor = await newDoctor(t, creator);
      const before = await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, [entry()]);
      const res = await putSchedule(t, creator, doctor.id, { timezone: 'Europe/Berlin', slot_minutes: 30, entries: [entry()], ...change });
      expectFieldError(res, field);
      expect((await t.as(creator).get(`/api/doctors/${doctor.id}/schedule/`)).body).toEqual(before);
    });

    it('accepts entries that only touch, and the same hours on different weekdays', async () => {
      const doctor = await newDoctor(t, creator);
      const entries = [
        { weekday: MON, start: '09:00', end: '12:00' },
        { weekday: MON, start: '12:00', end: '13:00' },
        { weekday: WED, start: '09:00', end: '12:00' },
      ];
      expect((await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, entries)).entries).toEqual(entries);
    });
  });

  describe('free slots', () => {
    let doctor: Created;

    beforeAll(async () => {
      doctor = await newDoctor(t, creator);
      await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, WORKDAY);
    });

    it('lists a day’s slots in UTC, without the lunch break', async () => {
      const day = await expectSlots(doctor.id, { date: '2030-01-14' });
      expect(startsOf(day)).toEqual(MONDAY_STARTS);
      expect(day[0]).toEqual({ start: '2030-01-14T08:00:00.000Z', end: '2030-01-14T08:30:00.000Z' });
    });

    it('lists a range of days, only on days with openings', async () => {
      const fortnight = await expectSlots(doctor.id, { from: '2030-01-14', to: '2030-01-27' });
      const nextMonday = MONDAY_STARTS.map((start) => start.replace('2030-01-14', '2030-01-21'));
      expect(startsOf(fortnight)).toEqual([...MONDAY_STARTS, ...nextMonday]);
      expect(await expectSlots(doctor.id, { date: '2030-01-15' })).toEqual([]);
    });

    it('leaves out active appointments and gives a cancelled one’s time back', async () => {
      const owner = await t.newUser();
      const patient = await newPatient(t, owner);
      // 10:15-10:45 local: takes the 10:00 and the 10:30 slots.
      const appointment = await booked(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: '2030-02-25T09:15:00Z' });
      const monday = MONDAY_STARTS.map((start) => start.replace('2030-01-14', '2030-02-25'));
      const taken = ['2030-02-25T09:00:00.000Z', '2030-02-25T09:30:00.000Z'];
      expect(startsOf(await expectSlots(doctor.id, { date: '2030-02-25' }))).toEqual(monday.filter((start) => !taken.includes(start)));

      expect((await patch(t, owner, appointment.id, { status: 'CHECKED_IN' })).status).toBe(200);
      expect(startsOf(await expectSlots(doctor.id, { date: '2030-02-25' }))).toEqual(monday.filter((start) => !taken.includes(start)));

      expect((await patch(t, admin, appointment.id, { status: 'CANCELLED' })).status).toBe(200);
      expect(startsOf(await expectSlots(doctor.id, { date: '2030-02-25' }))).toEqual(monday);
    });

    it('offers no slots in the past', async () => {
      expect(await expectSlots(doctor.id, { date: '2020-01-06' })).toEqual([]); // a Monday
    });

    it('accepts a range of 31 days and refuses 32 with 400', async () => {
      expect((await expectSlots(doctor.id, { from: '2030-01-01', to: '2030-01-31' })).length).toBe(4 * MONDAY_STARTS.length);
      expectFieldError(await slots(doctor.id, { from: '2030-01-01', to: '2030-02-01' }), 'to');
    });

    it.each([
      ['neither date nor from/to', {}, 'date'],
      ['from without to', { from: '2030-01-14' }, 'to'],
      ['to before from', { from: '2030-01-14', to: '2030-01-13' }, 'to'],
      ['a date that is not YYYY-MM-DD', { date: '2030-1-14' }, 'date'],
      ['a date-time', { date: '2030-01-14T00:00:00Z' }, 'date'],
      ['a day that does not exist', { date: '2030-02-30' }, 'date'],
      ['a range from a day that does not exist', { from: '2030-02-30', to: '2030-03-05' }, 'from'],
    ])('refuses %s with 400', async (_case, query: Record<string, string>, field) => {
      expectFieldError(await slots(doctor.id, query), field);
    });

    it('answers 404 for a doctor without a schedule and for an unknown doctor', async () => {
      const unscheduled = await newDoctor(t, creator);
      expectProblem(await slots(unscheduled.id, { date: '2030-01-14' }), 404);
      expectProblem(await slots(999_999, { date: '2030-01-14' }), 404);
    });

    it('reads the day in the doctor’s zone, where the local date is ahead of UTC (Pacific/Auckland)', async () => {
      const auckland = await newDoctor(t, creator);
      await scheduled(t, creator, auckland.id, 'Pacific/Auckland', 30, [{ weekday: MON, start: '09:00', end: '10:00' }]);
      expect(await expectSlots(auckland.id, { date: '2030-01-14' })).toEqual([
        { start: '2030-01-13T20:00:00.000Z', end: '2030-01-13T20:30:00.000Z' },
        { start: '2030-01-13T20:30:00.000Z', end: '2030-01-13T21:00:00.000Z' },
      ]);
      const owner = await t.newUser();
      const patient = await newPatient(t, owner);
      await booked(t, owner, { doctor: auckland.id, patient: patient.id, appointment_datetime: '2030-01-14T09:00:00+13:00' });
      expect(startsOf(await expectSlots(auckland.id, { date: '2030-01-14' }))).toEqual(['2030-01-13T20:30:00.000Z']);
    });

    describe('across daylight-saving changes (Europe/Berlin, Sunday 01:00-04:00 and 09:00-12:00, hourly)', () => {
      let sundays: Created;
      const SPRING = [
        { start: '2030-03-31T00:00:00.000Z', end: '2030-03-31T01:00:00.000Z' }, // 01:00 CET
        { start: '2030-03-31T01:00:00.000Z', end: '2030-03-31T02:00:00.000Z' }, // 03:00 CEST; 02:00 does not exist
        { start: '2030-03-31T07:00:00.000Z', end: '2030-03-31T08:00:00.000Z' }, // 09:00 CEST
        { start: '2030-03-31T08:00:00.000Z', end: '2030-03-31T09:00:00.000Z' },
        { start: '2030-03-31T09:00:00.000Z', end: '2030-03-31T10:00:00.000Z' },
      ];
      const AUTUMN = [
        { start: '2030-10-26T23:00:00.000Z', end: '2030-10-27T00:00:00.000Z' }, // 01:00 CEST
        { start: '2030-10-27T00:00:00.000Z', end: '2030-10-27T01:00:00.000Z' }, // 02:00 CEST, the first of two
        { start: '2030-10-27T02:00:00.000Z', end: '2030-10-27T03:00:00.000Z' }, // 03:00 CET
        { start: '2030-10-27T08:00:00.000Z', end: '2030-10-27T09:00:00.000Z' }, // 09:00 CET
        { start: '2030-10-27T09:00:00.000Z', end: '2030-10-27T10:00:00.000Z' },
        { start: '2030-10-27T10:00:00.000Z', end: '2030-10-27T11:00:00.000Z' },
      ];

      beforeAll(async () => {
        sundays = await newDoctor(t, creator);
        await scheduled(t, creator, sundays.id, 'Europe/Berlin', 60, [
          { weekday: SUN, start: '01:00', end: '04:00' },
          { weekday: SUN, start: '09:00', end: '12:00' },
        ]);
      });

      it('skips the missing hour when clocks spring forward (2030-03-31)', async () => {
        expect(await expectSlots(sundays.id, { date: '2030-03-31' })).toEqual(SPRING);
      });

      it('offers the repeated hour once when clocks fall back (2030-10-27)', async () => {
        expect(await expectSlots(sundays.id, { date: '2030-10-27' })).toEqual(AUTUMN);
      });

      it('keeps 09:00 local the week before and after each change', async () => {
        // The fourth slot of a Sunday is 09:00 local: +01:00 in winter, +02:00 in summer.
        const nineOClock = async (date: string) => (await expectSlots(sundays.id, { date }))[3].start;
        expect(await nineOClock('2030-03-24')).toBe('2030-03-24T08:00:00.000Z');
        expect(await nineOClock('2030-04-07')).toBe('2030-04-07T07:00:00.000Z');
        expect(await nineOClock('2030-10-20')).toBe('2030-10-20T07:00:00.000Z');
        expect(await nineOClock('2030-11-03')).toBe('2030-11-03T08:00:00.000Z');
      });

      it('books every slot it offers on a DST day, after which none is left', async () => {
        const owner = await t.newUser();
        const patient = await newPatient(t, owner);
        for (const slot of AUTUMN) {
          await booked(t, owner, { doctor: sundays.id, patient: patient.id, appointment_datetime: slot.start, duration_minutes: 60 });
        }
        expect(await expectSlots(sundays.id, { date: '2030-10-27' })).toEqual([]);
        expect(await expectSlots(sundays.id, { date: '2030-03-31' })).toEqual(SPRING);
      });
    });
  });

  describe('booking against a schedule', () => {
    let owner: TestUser;
    let doctor: Created;
    let patient: Created;

    beforeAll(async () => {
      owner = await t.newUser();
      doctor = await newDoctor(t, creator);
      patient = await newPatient(t, owner);
      await scheduled(t, creator, doctor.id, 'Europe/Berlin', 30, WORKDAY);
    });

    const attempt = (appointmentDatetime: string, duration = 30) =>
      book(t, owner, { doctor: doctor.id, patient: patient.id, appointment_datetime: appointmentDatetime, duration_minutes: duration });

    it.each([
      ['before the opening', '2030-02-04T08:30:00+01:00', 30],
      ['starting early and ending inside', '2030-02-04T08:45:00+01:00', 30],
      ['in the lunch break', '2030-02-04T12:00:00+01:00', 30],
      ['across the lunch break', '2030-02-04T11:30:00+01:00', 120],
      ['running past the end of the day', '2030-02-04T16:45:00+01:00', 30],
      ['on a day without openings', '2030-02-05T10:00:00+01:00', 30],
    ])('refuses a booking %s with 400 explaining appointment_datetime', async (_case, start, duration) => {
      const [message] = expectFieldError(await attempt(start, duration), 'appointment_datetime');
      expect(message).toContain('Europe/Berlin');
    });

    it('books inside each opening of the day, up to their ends', async () => {
      expect((await attempt('2030-02-11T09:00:00+01:00')).status).toBe(201);
      expect((await attempt('2030-02-11T11:30:00+01:00')).status).toBe(201);
      expect((await attempt('2030-02-11T13:00:00+01:00', 240)).status).toBe(201);
    });

    it('checks the schedule when rescheduling', async () => {
      const appointment = await booked(t, owner, {
        doctor: doctor.id,
        patient: patient.id,
        appointment_datetime: '2030-02-18T09:00:00+01:00',
      });
      expectFieldError(
        await patch(t, owner, appointment.id, { appointment_datetime: '2030-02-18T12:15:00+01:00' }),
        'appointment_datetime',
      );
      expectFieldError(await patch(t, owner, appointment.id, { duration_minutes: 195 }), 'appointment_datetime');
      const moved = await patch(t, owner, appointment.id, { appointment_datetime: '2030-02-18T14:00:00+01:00' });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body.appointment_datetime).toBe('2030-02-18T13:00:00.000Z');
    });

    it('lets a doctor without a schedule be booked at any future time', async () => {
      const anytime = await newDoctor(t, creator);
      const res = await book(t, owner, { doctor: anytime.id, patient: patient.id, appointment_datetime: '2030-02-24T03:17:00Z' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  });
});
