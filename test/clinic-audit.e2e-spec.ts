import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assign,
  auditEvents,
  Body,
  expectFieldError,
  expectList,
  expectProblem,
  fastUser,
  newDoctor,
  newPatient,
  parseLinks,
} from './support/records';
import { TestUser, useTestApp } from './support/test-app';

const requestId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
/** A whole hour `hours` after this time tomorrow: bookable, and in the future a delete cancels. */
const tomorrowAt = (hours: number) =>
  new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + hours * 3_600_000).toISOString();
/** Entries as comparable strings, sorted: several written by one request have no meaningful order among them. */
const summary = (events: Body[]) => events.map((e) => `${String(e.entity)}:${String(e.entity_id)} ${String(e.action)}`).sort();

describe("a clinic's audit trail (e2e)", () => {
  const t = useTestApp();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await t.newAdmin();
  });

  const newClinic = async (manager: TestUser): Promise<number> => {
    const res = await t.as(manager).post('/api/clinics/').send({ name: 'Audit Clinic', timezone: 'Europe/Berlin' });
    expect(res.status, res.text).toBe(201);
    return res.body.id as number;
  };
  const invite = async (manager: TestUser, clinic: number, user: TestUser, role: string) => {
    const res = await t.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: user.id, role });
    expect(res.status, res.text).toBe(201);
  };
  const join = async (manager: TestUser, clinic: number, user: TestUser, role: string) => {
    await invite(manager, clinic, user, role);
    const res = await t.as(user).post(`/api/clinics/${clinic}/membership/accept/`);
    expect(res.status, res.text).toBe(200);
  };
  /** A clinic with a manager and a staff member, both active. */
  const staffedClinic = async (): Promise<{ clinic: number; manager: TestUser; staff: TestUser }> => {
    const [manager, staff] = [await fastUser(t), await fastUser(t)];
    const clinic = await newClinic(manager);
    await join(manager, clinic, staff, 'staff');
    return { clinic, manager, staff };
  };
  const trailRoute = (clinic: number) => `/api/clinics/${clinic}/audit-events/`;
  /** The clinic's trail as `who` reads it (up to 100 entries); fails unless 200. */
  const trail = async (who: TestUser, clinic: number, query: Record<string, string | number> = {}): Promise<Body[]> => {
    const res = await t
      .as(who)
      .get(trailRoute(clinic))
      .query({ page_size: 100, ...query });
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    return res.body as Body[];
  };
  /** What the admins' trail holds about one record. */
  const allAbout = (entity: string, id: number) => auditEvents(t, admin, { entity, entity_id: id });
  const book = async (by: TestUser, patient: number, doctor: number, hours: number): Promise<number> => {
    const res = await t
      .as(by)
      .post('/api/appointments/')
      .send({ patient, doctor, appointment_datetime: tomorrowAt(hours) });
    expect(res.status, res.text).toBe(201);
    return res.body.id as number;
  };

  describe("what the clinic's records are", () => {
    it("a clinic patient's create, read, update and delete (and a refused read) carry the clinic, whoever acts", async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const stranger = await fastUser(t);
      const patient = await newPatient(t, staff, { clinic });
      expect(patient.clinic).toBe(clinic);
      expect((await t.as(staff).get(`/api/patients/${patient.id}/`)).status).toBe(200);
      expect((await t.as(manager).get(`/api/patients/${patient.id}/`)).status).toBe(200);
      expectProblem(await t.as(stranger).get(`/api/patients/${patient.id}/`), 404);
      expect((await t.as(staff).patch(`/api/patients/${patient.id}/`).send({ address: '1 Audit Lane' })).status).toBe(200);
      expect((await t.as(staff).delete(`/api/patients/${patient.id}/`)).status).toBe(204);

      const events = await trail(manager, clinic, { entity: 'patient', entity_id: patient.id });
      expect(events.map((e) => [e.action, e.actor, e.outcome])).toEqual([
        ['delete', staff.id, 'success'],
        ['update', staff.id, 'success'],
        ['read', stranger.id, 'denied'],
        ['read', manager.id, 'success'],
        ['read', staff.id, 'success'],
        ['create', staff.id, 'success'],
      ]);
      expect(events.every((e) => e.clinic === clinic)).toBe(true);
      // The admins' trail holds the same entries, each naming the clinic.
      expect(await allAbout('patient', patient.id)).toEqual(events);
    });

    it('assignments made and ended, appointments booked, changed and cancelled carry their patient’s clinic', async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const patient = await newPatient(t, staff, { clinic });
      const doctor = await newDoctor(t, staff);
      const mapping = await assign(t, staff, patient.id, doctor.id);
      expect((await t.as(manager).delete(`/api/mappings/${mapping.id}/`)).status).toBe(204);
      const appointment = await book(staff, patient.id, doctor.id, 0);
      const changed = await t.as(staff).patch(`/api/appointments/${appointment}/`).send({ reason: 'Follow-up' });
      expect(changed.status, changed.text).toBe(200);
      expect((await t.as(staff).delete(`/api/appointments/${appointment}/`)).status).toBe(204);

      const mappings = await trail(manager, clinic, { entity: 'mapping' });
      expect(mappings.map((e) => [e.entity_id, e.action, e.actor])).toEqual([
        [mapping.id, 'unassign', manager.id],
        [mapping.id, 'assign', staff.id],
      ]);
      const appointments = await trail(manager, clinic, { entity: 'appointment' });
      expect(appointments.map((e) => [e.entity_id, e.action, e.changed_fields])).toEqual([
        [appointment, 'cancel', ['status']],
        [appointment, 'update', ['reason']],
        [appointment, 'create', expect.arrayContaining(['patient', 'doctor', 'appointment_datetime'])],
      ]);
      expect([...mappings, ...appointments].every((e) => e.clinic === clinic)).toBe(true);
      expect(await allAbout('mapping', mapping.id)).toEqual(mappings);
      expect(await allAbout('appointment', appointment)).toEqual(appointments);
    });

    it("a patient's delete: the assignments it ends and the appointments it cancels carry the clinic too", async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const patient = await newPatient(t, staff, { clinic });
      const [a, b] = [await newDoctor(t, staff), await newDoctor(t, staff)];
      const mappings = [await assign(t, staff, patient.id, a.id), await assign(t, staff, patient.id, b.id)];
      const appointments = [await book(staff, patient.id, a.id, 0), await book(staff, patient.id, b.id, 2)];

      const rid = requestId('delete-patient');
      expect((await t.as(manager).delete(`/api/patients/${patient.id}/`).set('X-Request-Id', rid)).status).toBe(204);

      const events = (await trail(manager, clinic, { actor: manager.id })).filter((e) => e.request_id === rid);
      expect(summary(events)).toEqual(
        [
          `patient:${patient.id} delete`,
          ...mappings.map((m) => `mapping:${m.id} unassign`),
          ...appointments.map((id) => `appointment:${id} cancel`),
        ].sort(),
      );
      expect(events.every((e) => e.clinic === clinic)).toBe(true);
    });

    it("a doctor profile of the clinic and its schedule carry the clinic from the time it is the clinic's", async () => {
      const { clinic, manager } = await staffedClinic();
      const doctor = await newDoctor(t, manager);
      // Created personal; then the clinic's (no API for that on this branch: straight in the database).
      await t.db.query('UPDATE doctors SET clinic_id = $1 WHERE id = $2', [clinic, doctor.id]);
      expect((await t.as(manager).patch(`/api/doctors/${doctor.id}/`).send({ availability: 'Mornings' })).status).toBe(200);
      const put = (entries: { weekday: number; start: string; end: string }[]) =>
        t.as(manager).put(`/api/doctors/${doctor.id}/schedule/`).send({ timezone: 'Europe/Berlin', slot_minutes: 30, entries });
      expect((await put([{ weekday: 0, start: '09:00', end: '12:00' }])).status).toBe(200);
      expect((await put([{ weekday: 1, start: '09:00', end: '12:00' }])).status).toBe(200);
      expect((await t.as(manager).delete(`/api/doctors/${doctor.id}/`)).status).toBe(204);

      const profile = await trail(manager, clinic, { entity: 'doctor', entity_id: doctor.id });
      const schedule = await trail(manager, clinic, { entity: 'schedule', entity_id: doctor.id });
      expect(profile.map((e) => e.action)).toEqual(['delete', 'update']);
      expect(schedule.map((e) => e.action)).toEqual(['update', 'create']);
      expect([...profile, ...schedule].every((e) => e.clinic === clinic && e.actor === manager.id)).toBe(true);
      // Its creation, while it was personal, is not the clinic's.
      const [created] = await auditEvents(t, admin, { entity: 'doctor', entity_id: doctor.id, action: 'create' });
      expect(created).toMatchObject({ clinic: null });
    });

    it('the clinic itself and its members: create, update, invite, accept, decline, role change, removal', async () => {
      const manager = await fastUser(t);
      const [joins, declines, leaves] = [await fastUser(t), await fastUser(t), await fastUser(t)];
      const clinic = await newClinic(manager);
      expect((await t.as(manager).patch(`/api/clinics/${clinic}/`).send({ address: '2 Trail Road' })).status).toBe(200);
      await join(manager, clinic, joins, 'staff');
      await invite(manager, clinic, declines, 'staff');
      expect((await t.as(declines).post(`/api/clinics/${clinic}/membership/decline/`)).status).toBe(204);
      expect((await t.as(manager).patch(`/api/clinics/${clinic}/members/${joins.id}/`).send({ role: 'manager' })).status).toBe(200);
      await join(manager, clinic, leaves, 'staff');
      // A manager removes one member; another leaves: both rows are gone when their entries are written.
      expect((await t.as(manager).delete(`/api/clinics/${clinic}/members/${joins.id}/`)).status).toBe(204);
      expect((await t.as(leaves).delete(`/api/clinics/${clinic}/members/${leaves.id}/`)).status).toBe(204);
      const rows = await t.db.query<{ user_id: number }[]>('SELECT user_id FROM clinic_members WHERE clinic_id = $1', [clinic]);
      expect(rows.map((row) => row.user_id)).toEqual([manager.id]);

      expect((await trail(manager, clinic, { entity: 'clinic' })).map((e) => [e.entity_id, e.action, e.changed_fields])).toEqual([
        [clinic, 'update', ['address']],
        [clinic, 'create', expect.arrayContaining(['name', 'timezone'])],
      ]);
      const members = await trail(manager, clinic, { entity: 'clinic_member' });
      expect(members.map((e) => [e.action, e.actor]).reverse()).toEqual([
        ['create', manager.id],
        ['invite', manager.id],
        ['accept', joins.id],
        ['invite', manager.id],
        ['decline', declines.id],
        ['update', manager.id],
        ['invite', manager.id],
        ['accept', leaves.id],
        ['delete', manager.id],
        ['delete', leaves.id],
      ]);
      const all = await trail(manager, clinic);
      expect(all).toHaveLength(12);
      expect(all.every((e) => e.clinic === clinic)).toBe(true);
    });
  });

  describe('what is not', () => {
    it("a personal patient's entries carry no clinic and never show; nor do another clinic's", async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const other = await staffedClinic();
      const personal = await newPatient(t, manager, { clinic: null });
      expect(personal.clinic).toBeNull();
      expect((await t.as(manager).get(`/api/patients/${personal.id}/`)).status).toBe(200);
      expect((await t.as(manager).patch(`/api/patients/${personal.id}/`).send({ phone: '555 0100' })).status).toBe(200);
      const doctor = await newDoctor(t, manager);
      const personalMapping = await assign(t, manager, personal.id, doctor.id);
      const personalAppointment = await book(manager, personal.id, doctor.id, 0);
      const theirs = await newPatient(t, other.staff, { clinic: other.clinic });
      expect((await t.as(other.staff).get(`/api/patients/${theirs.id}/`)).status).toBe(200);
      const theirMapping = await assign(t, other.staff, theirs.id, doctor.id);
      const ours = await newPatient(t, staff, { clinic });

      for (const [entity, id] of [
        ['patient', personal.id],
        ['mapping', personalMapping.id],
        ['appointment', personalAppointment],
      ] as const) {
        const events = await allAbout(entity, id);
        expect(events.length).toBeGreaterThan(0);
        expect(events.every((e) => e.clinic === null)).toBe(true);
      }
      expect((await allAbout('patient', theirs.id)).every((e) => e.clinic === other.clinic)).toBe(true);

      const ourTrail = await trail(manager, clinic);
      expect(ourTrail.every((e) => e.clinic === clinic)).toBe(true);
      const shown = ourTrail.map((e) => `${String(e.entity)}:${String(e.entity_id)}`);
      expect(shown).toContain(`patient:${ours.id}`);
      for (const hidden of [
        `patient:${personal.id}`,
        `mapping:${personalMapping.id}`,
        `appointment:${personalAppointment}`,
        `doctor:${doctor.id}`,
        `patient:${theirs.id}`,
        `mapping:${theirMapping.id}`,
        `clinic:${other.clinic}`,
      ]) {
        expect(shown).not.toContain(hidden);
      }
      // The other clinic's trail has its own, and none of ours.
      const theirTrail = (await trail(other.manager, other.clinic)).map((e) => `${String(e.entity)}:${String(e.entity_id)}`);
      expect(theirTrail).toEqual(expect.arrayContaining([`patient:${theirs.id}`, `mapping:${theirMapping.id}`, `clinic:${other.clinic}`]));
      expect(theirTrail).not.toContain(`patient:${ours.id}`);
    });
  });

  describe('filters and pages', () => {
    it('filters by actor, entity, entity_id and action, newest first, with X-Total-Count and Link', async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const a = await newPatient(t, staff, { clinic });
      const b = await newPatient(t, manager, { clinic });
      expect((await t.as(staff).get(`/api/patients/${b.id}/`)).status).toBe(200);
      expect((await t.as(staff).patch(`/api/patients/${a.id}/`).send({ address: 'x' })).status).toBe(200);

      expect((await trail(manager, clinic, { actor: staff.id })).map((e) => [e.entity, e.entity_id, e.action])).toEqual([
        ['patient', a.id, 'update'],
        ['patient', b.id, 'read'],
        ['patient', a.id, 'create'],
        // Accepting the invitation.
        ['clinic_member', expect.any(Number), 'accept'],
      ]);
      expect((await trail(manager, clinic, { entity: 'patient', action: 'create' })).map((e) => e.entity_id)).toEqual([b.id, a.id]);
      expect((await trail(manager, clinic, { entity: 'patient', entity_id: a.id })).map((e) => e.action)).toEqual(['update', 'create']);
      expect(await trail(manager, clinic, { action: 'delete' })).toEqual([]);

      const first = await t.as(manager).get(trailRoute(clinic)).query({ entity: 'patient', page_size: 2 });
      expect(expectList(first, 4).map((e) => e.action)).toEqual(['update', 'read']);
      const links = parseLinks(first.headers.link);
      expect(links.next).toMatchObject({ path: trailRoute(clinic), page: 2, pageSize: 2 });
      expect(links.next.params.get('entity')).toBe('patient');
      const second = await t.as(manager).get(trailRoute(clinic)).query({ entity: 'patient', page: 2, page_size: 2 });
      expect(expectList(second, 4).map((e) => [e.action, e.entity_id])).toEqual([
        ['create', b.id],
        ['create', a.id],
      ]);
    });

    it('filters by a from/to time window', async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const earlier = await newPatient(t, staff, { clinic });
      const [{ occurred_at: cut }] = await trail(manager, clinic, { entity: 'patient' });
      const after = new Date(Date.parse(cut as string) + 1).toISOString();
      let later = earlier;
      // The second create must fall after the first one's timestamp; keep creating until one does.
      while ((await trail(manager, clinic, { entity: 'patient', from: after })).length === 0) {
        later = await newPatient(t, staff, { clinic });
      }
      expect((await trail(manager, clinic, { entity: 'patient', from: after })).map((e) => e.entity_id)).toContain(later.id);
      expect((await trail(manager, clinic, { entity: 'patient', to: after })).map((e) => e.entity_id)).toEqual([earlier.id]);
      expect(await trail(manager, clinic, { entity: 'patient', to: cut as string })).toEqual([]);
      expect((await trail(manager, clinic, { entity: 'patient', from: cut as string, to: after })).map((e) => e.entity_id)).toEqual([
        earlier.id,
      ]);
    });

    it.each([
      ['actor', 'abc'],
      ['entity_id', '0'],
      ['from', 'yesterday'],
      ['to', '2024-13-45'],
      ['outcome', 'success'],
    ])('refuses the filter %s=%s with 400 naming it', async (name, value) => {
      const { clinic, manager } = await staffedClinic();
      expectFieldError(
        await t
          .as(manager)
          .get(trailRoute(clinic))
          .query({ [name]: value }),
        name,
      );
    });
  });

  describe('who reads it', () => {
    it('managers and admins: 200; staff and clinicians: 403; outsiders, the invited and anonymous callers: no', async () => {
      const { clinic, manager, staff } = await staffedClinic();
      const [clinician, invited, outsider] = [await fastUser(t, 'doctor'), await fastUser(t), await fastUser(t)];
      await join(manager, clinic, clinician, 'clinician');
      await invite(manager, clinic, invited, 'manager');

      expect((await trail(manager, clinic)).length).toBeGreaterThan(0);
      expect(await trail(admin, clinic)).toEqual(await trail(manager, clinic));
      expectProblem(await t.as(staff).get(trailRoute(clinic)), 403);
      expectProblem(await t.as(clinician).get(trailRoute(clinic)), 403);
      const missing = await t.as(outsider).get(trailRoute(2_147_483_647));
      expectProblem(missing, 404);
      for (const who of [outsider, invited]) {
        const res = await t.as(who).get(trailRoute(clinic));
        expectProblem(res, 404);
        expect(res.body.detail).toBe(missing.body.detail);
      }
      expectProblem(await t.http().get(trailRoute(clinic)), 401);

      // A member made manager reads it; one no longer a manager does not.
      expect((await t.as(manager).patch(`/api/clinics/${clinic}/members/${staff.id}/`).send({ role: 'manager' })).status).toBe(200);
      expect((await trail(staff, clinic)).length).toBeGreaterThan(0);
      expect((await t.as(staff).patch(`/api/clinics/${clinic}/members/${manager.id}/`).send({ role: 'staff' })).status).toBe(200);
      expectProblem(await t.as(manager).get(trailRoute(clinic)), 403);
    });
  });
});
