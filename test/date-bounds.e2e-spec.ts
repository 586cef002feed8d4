import { beforeAll, describe, expect, it } from 'vitest';
import { Created, expectFieldError, newDoctor, newPatient, scheduled } from './support/appointments';
import { liveSpec, Schema } from './support/live-spec';
import { TestUser, useTestApp } from './support/test-app';

/** Every date and date-time a client gives is within the years 1900 to 2100 (bookings: the horizon too). */
describe('dates within bounds (e2e)', () => {
  const t = useTestApp();
  let user: TestUser;
  let admin: TestUser;
  let doctor: Created;

  beforeAll(async () => {
    [user, admin] = await Promise.all([t.newUser(), t.newAdmin()]);
    doctor = await newDoctor(t, user);
    await scheduled(t, user, doctor.id, 'Pacific/Kiritimati', 30, [{ weekday: 0, start: '09:00', end: '17:00' }]);
  });

  const slots = (query: Record<string, string>) => t.as(user).get(`/api/doctors/${doctor.id}/slots/`).query(query);

  describe('free slots', () => {
    it.each([
      [{ date: '9999-12-31' }, 'date'],
      [{ date: '0001-01-01' }, 'date'],
      [{ date: '2101-01-01' }, 'date'],
      [{ date: '1899-12-31' }, 'date'],
      [{ from: '9999-12-01', to: '9999-12-31' }, 'from'],
      [{ from: '2100-12-31', to: '2101-01-01' }, 'to'],
    ])('refuses %j with 400 naming %s', async (query, field) => {
      const res = await slots(query);
      expectFieldError(res, field);
      expect(res.body.errors[field][0]).toContain('from 1900-01-01 to 2100-12-31');
    });

    it('answers the first and the last day allowed', async () => {
      for (const query of <Record<string, string>[]>[
        { date: '1900-01-01' },
        { date: '2100-12-31' },
        { from: '2100-12-01', to: '2100-12-31' },
      ]) {
        const res = await slots(query);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        // In the past, or past the booking horizon: nothing to offer.
        expect(res.body).toEqual([]);
      }
    });
  });

  describe('list filters', () => {
    it.each([
      '0001-01-01',
      '9999-12-31',
      '9999-12-31T23:59:59Z',
      '1899-12-31T23:59:59Z',
      '2101-01-01T00:00:00+14:00',
      '2030-W01',
      '20300115',
    ])('refuses %s as appointments from and to with 400', async (value) => {
      expectFieldError(await t.as(user).get('/api/appointments/').query({ from: value }), 'from');
      expectFieldError(await t.as(user).get('/api/appointments/').query({ to: value }), 'to');
    });

    it('lists appointments between the bounds, dates and date-times alike', async () => {
      for (const query of [
        { from: '1900-01-01', to: '2100-12-31' },
        { from: '1900-01-01T00:00:00Z', to: '2100-12-31T23:59:59.999+14:00' },
        { from: '2030-01-15T09:30' },
      ]) {
        const res = await t.as(user).get('/api/appointments/').query(query);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
    });

    it('refuses audit events before 1900 or after 2100, and lists between them', async () => {
      expectFieldError(await t.as(admin).get('/api/audit-events/').query({ from: '0001-01-01T00:00:00Z' }), 'from');
      expectFieldError(await t.as(admin).get('/api/audit-events/').query({ to: '9999-12-31T23:59:59Z' }), 'to');
      const res = await t.as(admin).get('/api/audit-events/').query({ from: '1900-01-01T00:00:00Z', to: '2100-12-31T23:59:59Z' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect((res.body as unknown[]).length).toBeGreaterThan(0);
    });
  });

  describe('records', () => {
    it('refuses birth dates in years 0001 and 9999 (their own bounds: not in the future, an age of at most 150)', async () => {
      for (const date_of_birth of ['0001-01-01', '9999-12-31']) {
        expectFieldError(await t.as(user).post('/api/patients/').send({ name: 'Out Of Range', date_of_birth }), 'date_of_birth');
      }
    });

    it('refuses a booking in year 9999 or 0001 naming the field', async () => {
      const patient = await newPatient(t, user);
      for (const appointment_datetime of ['9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z']) {
        const res = await t.as(user).post('/api/appointments/').send({ doctor: doctor.id, patient: patient.id, appointment_datetime });
        expectFieldError(res, 'appointment_datetime');
      }
    });
  });

  it('states the bounds of every date and date-time input in the OpenAPI document', async () => {
    const spec = await liveSpec(t.http);
    const inputs: [string, Schema][] = [];
    for (const operation of spec.operations) {
      for (const param of operation.queryParams) {
        // Swagger puts a parameter's description beside its schema.
        const { description } = param as { description?: string };
        inputs.push([
          `${operation.operationId} ?${param.name}`,
          { ...spec.resolve(param.schema), ...(description ? { description } : {}) },
        ]);
      }
      for (const [name, property] of Object.entries((operation.body?.properties ?? {}) as Record<string, Schema>)) {
        inputs.push([`${operation.operationId} ${name}`, spec.resolve(property)]);
      }
    }
    const dates = inputs.filter(
      ([where, schema]) => schema.format === 'date' || schema.format === 'date-time' || /\?(from|to|date)$/.test(where),
    );
    expect(dates.map(([where]) => where)).toEqual(
      expect.arrayContaining([
        'listDoctorSlots ?date',
        'listAppointments ?from',
        'createPatient date_of_birth',
        'createAppointment appointment_datetime',
      ]),
    );
    for (const [where, schema] of dates) {
      // A birth date is bounded by today instead of 2100.
      expect(schema.description, where).toContain(/ date_of_birth$/.test(where) ? 'From 1900-01-01' : 'Years 1900 to 2100');
      expect(schema.pattern, where).toBe('^(19\\d{2}|20\\d{2}|2100)-');
    }
  });
});
