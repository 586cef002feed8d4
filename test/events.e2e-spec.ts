import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { booked, newDoctor, newPatient, patch } from './support/appointments';
import { startTestApp, type TestApp, type TestUser } from './support/test-app';

interface EventRow {
  id: string;
  type: string;
  clinic_id: number | null;
  data: Record<string, unknown>;
}

/**
 * The outbox: every change the issue names writes its event in the change's own transaction, with
 * ids and field names only; a refused change writes none.
 */
describe('events (e2e)', () => {
  let t: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ BOOKING_HORIZON_DAYS: '3650' });
    owner = await t.newUser();
  });
  afterAll(() => t.close());

  const eventsAfter = (after: string) =>
    t.db.query<EventRow[]>('SELECT id::text, type, clinic_id, data FROM events WHERE id > $1 ORDER BY id', [after]);
  const lastId = async () => (await t.db.query<{ id: string }[]>('SELECT coalesce(max(id), 0)::text AS id FROM events'))[0].id;

  it('writes patient.created, patient.updated and patient.deleted with the changed field names and no values', async () => {
    const before = await lastId();
    const patient = await newPatient(t, owner, { email: 'secret.person@example.com', medical_history: 'Asthma' });
    expect((await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ phone: '+15550100' })).status).toBe(200);
    // A PATCH that sets what is there changes nothing: no event.
    expect((await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ phone: '+15550100' })).status).toBe(200);
    expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);
    const events = await eventsAfter(before);
    expect(events.map((event) => event.type)).toEqual(['patient.created', 'patient.updated', 'patient.deleted']);
    expect(events[0].data).toEqual({ patient: patient.id, changed_fields: expect.arrayContaining(['name', 'email', 'medical_history']) });
    expect(events[1].data).toEqual({ patient: patient.id, changed_fields: ['phone'] });
    const text = JSON.stringify(events);
    for (const value of ['secret.person', 'Asthma', '5550100', String(patient.name)]) expect(text).not.toContain(value);
  });

  it('writes appointment.booked, rescheduled and status_changed, and assignment.created and ended', async () => {
    const patient = await newPatient(t, owner);
    const doctor = await newDoctor(t, owner);
    const before = await lastId();
    const assignment = (await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id })).body as { id: number };
    expect((await t.as(owner).delete(`/api/mappings/${assignment.id}/`)).status).toBe(204);
    const appointment = await booked(t, owner, { patient: patient.id, doctor: doctor.id, appointment_datetime: '2031-03-04T10:00:00Z' });
    expect((await patch(t, owner, appointment.id, { appointment_datetime: '2031-03-04T11:00:00Z' })).status).toBe(200);
    expect((await patch(t, owner, appointment.id, { notes: 'bring the letter' })).status).toBe(200);
    expect((await t.as(owner).delete(`/api/appointments/${appointment.id}/`)).status).toBe(204);
    const events = await eventsAfter(before);
    const parties = { appointment: appointment.id, patient: patient.id, doctor: doctor.id };
    expect(events.map(({ type, data }) => ({ type, data }))).toEqual([
      { type: 'assignment.created', data: { assignment: assignment.id, patient: patient.id, doctor: doctor.id } },
      { type: 'assignment.ended', data: { assignment: assignment.id, patient: patient.id, doctor: doctor.id } },
      {
        type: 'appointment.booked',
        data: { ...parties, changed_fields: expect.arrayContaining(['patient', 'doctor', 'appointment_datetime']) },
      },
      { type: 'appointment.rescheduled', data: { ...parties, changed_fields: ['appointment_datetime'] } },
      { type: 'appointment.status_changed', data: { ...parties, changed_fields: ['status'], status: 'CANCELLED' } },
    ]);
  });

  it("cancels a deleted patient's future appointments with an event each, in the delete's transaction", async () => {
    const patient = await newPatient(t, owner);
    const doctor = await newDoctor(t, owner);
    const first = await booked(t, owner, { patient: patient.id, doctor: doctor.id, appointment_datetime: '2031-05-06T09:00:00Z' });
    const second = await booked(t, owner, { patient: patient.id, doctor: doctor.id, appointment_datetime: '2031-05-07T09:00:00Z' });
    const before = await lastId();
    expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);
    const events = await eventsAfter(before);
    expect(events.map(({ type, data }) => [type, data.appointment ?? data.patient, data.status])).toEqual([
      ['appointment.status_changed', first.id, 'CANCELLED'],
      ['appointment.status_changed', second.id, 'CANCELLED'],
      ['patient.deleted', patient.id, undefined],
    ]);
  });

  it('records the clinic of the patient, and writes nothing for a refused change', async () => {
    const clinic = (await t.as(owner).post('/api/clinics/').send({ name: 'Events clinic', timezone: 'Europe/Berlin' })).body as {
      id: number;
    };
    const before = await lastId();
    const patient = await newPatient(t, owner, { clinic: clinic.id });
    const stranger = await t.newUser();
    expect((await t.as(stranger).patch(`/api/patients/${patient.id}/`).send({ phone: '+15550199' })).status).toBe(404);
    expect((await t.as(stranger).delete(`/api/patients/${patient.id}/`)).status).toBe(404);
    const events = await eventsAfter(before);
    expect(events.map((event) => [event.type, event.clinic_id])).toEqual([['patient.created', clinic.id]]);
  });
});
