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
  newDoctorAccount,
  newPatient,
} from './support/records';
import { TestUser, uniqueName, useTestApp } from './support/test-app';

const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;
const requestId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
/** A whole hour `hours` after this time tomorrow: bookable, and in the future a delete cancels. */
const tomorrowAt = (hours: number) =>
  new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000 + hours * 3_600_000).toISOString();
/** Entries as comparable strings, sorted: several written by one request have no meaningful order among them. */
const summary = (events: Body[]) =>
  events.map((e) => `${String(e.entity)}:${String(e.entity_id)} ${String(e.action)} [${(e.changed_fields as string[]).join(',')}]`).sort();

describe('audit trail (e2e)', () => {
  const t = useTestApp();
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [owner, other, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  describe('patient records', () => {
    it('records create, read, update and delete with actor, fields changed, request id, client IP and outcome', async () => {
      const ids = { create: requestId('create'), read: requestId('read'), update: requestId('update'), remove: requestId('delete') };
      const created = await t
        .as(owner)
        .post('/api/patients/')
        .set('X-Request-Id', ids.create)
        .send({ name: 'Audited', email: 'audited@example.com', medical_history: 'Hypertension' });
      expect(created.status).toBe(201);
      expect(created.headers['x-request-id']).toBe(ids.create);
      const id = created.body.id as number;
      const read = await t.as(owner).get(`/api/patients/${id}/`).set('X-Request-Id', ids.read);
      expect(read.status).toBe(200);
      const updated = await t.as(owner).patch(`/api/patients/${id}/`).set('X-Request-Id', ids.update).send({ address: 'Elm Street' });
      expect(updated.status).toBe(200);
      const removed = await t.as(owner).delete(`/api/patients/${id}/`).set('X-Request-Id', ids.remove);
      expect(removed.status).toBe(204);

      const events = await auditEvents(t, admin, { entity: 'patient', entity_id: id });
      expect(events.map((e) => e.action)).toEqual(['delete', 'update', 'read', 'create']);
      const byAction = Object.fromEntries(events.map((e) => [e.action, e]));
      for (const event of events) {
        expect(event).toMatchObject({ actor: owner.id, entity: 'patient', entity_id: id, outcome: 'success' });
        expect(event.client_ip).toMatch(LOOPBACK);
        expect(new Date(event.occurred_at as string).toISOString()).toBe(event.occurred_at);
      }
      expect(byAction.create).toMatchObject({ request_id: ids.create });
      expect((byAction.create.changed_fields as string[]).sort()).toEqual(['email', 'medical_history', 'name']);
      expect(byAction.read).toMatchObject({ request_id: ids.read, changed_fields: [] });
      expect(byAction.update).toMatchObject({ request_id: ids.update, changed_fields: ['address'] });
      expect(byAction.delete).toMatchObject({ request_id: ids.remove });
    });

    it('ties an event to the generated X-Request-Id when the client sends none', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ name: 'No Request Id' });
      expect(res.status).toBe(201);
      const generated = res.headers['x-request-id'];
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      const [event] = await auditEvents(t, admin, { entity: 'patient', entity_id: res.body.id, action: 'create' });
      expect(event.request_id).toBe(generated);
    });

    it("records a denied read of someone else's patient", async () => {
      const patient = await newPatient(t, owner);
      const rid = requestId('denied');
      expectProblem(await t.as(other).get(`/api/patients/${patient.id}/`).set('X-Request-Id', rid), 404);
      const events = await auditEvents(t, admin, { entity: 'patient', entity_id: patient.id, actor: other.id });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'read', outcome: 'denied', request_id: rid });
    });

    it('records refused changes of a patient as denied: 404 to a stranger, 403 to its care-team doctor', async () => {
      const patient = await newPatient(t, owner);
      const { account: doctor, profile } = await newDoctorAccount(t);
      await assign(t, owner, patient.id, profile.id);
      expectProblem(await t.as(other).patch(`/api/patients/${patient.id}/`).send({ address: 'Elsewhere' }), 404);
      expectProblem(await t.as(doctor).delete(`/api/patients/${patient.id}/`), 403);
      const denied = async (actor: TestUser) =>
        (await auditEvents(t, admin, { entity: 'patient', entity_id: patient.id, actor: actor.id })).map(
          (e) => `${String(e.action)} ${String(e.outcome)}`,
        );
      expect(await denied(other)).toEqual(['update denied']);
      expect(await denied(doctor)).toEqual(['delete denied']);
    });

    it('names the changed fields of an update, leaving out those sent unchanged', async () => {
      const patient = await newPatient(t, owner, { phone: '555 0100', address: 'Same' });
      const res = await t.as(owner).put(`/api/patients/${patient.id}/`).send({ name: patient.name, address: 'Same', phone: '555 0199' });
      expect(res.status).toBe(200);
      const [event] = await auditEvents(t, admin, { entity: 'patient', entity_id: patient.id, action: 'update' });
      expect(event.changed_fields).toEqual(['phone']);
    });

    it('never stores the values of a medical history, only the field name', async () => {
      const first = `history-${randomBytes(8).toString('hex')}`;
      const second = `history-${randomBytes(8).toString('hex')}`;
      const patient = await newPatient(t, owner, { medical_history: first, address: first });
      await t.as(owner).get(`/api/patients/${patient.id}/`);
      await t.as(owner).get('/api/patients/').query({ search: first });
      expect((await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ medical_history: second })).status).toBe(200);
      expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);

      const events = await auditEvents(t, admin, { entity: 'patient', entity_id: patient.id });
      expect(events.map((e) => e.action)).toEqual(['delete', 'update', 'read', 'create']);
      expect(events.find((e) => e.action === 'update')?.changed_fields).toEqual(['medical_history']);

      const rows = await t.db.query<Body[]>('SELECT * FROM audit_events');
      expect(rows.length).toBeGreaterThanOrEqual(4);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(first);
      expect(stored).not.toContain(second);
      expect(JSON.stringify(await auditEvents(t, admin, {}))).not.toContain(first);
    });

    it('records listing patients', async () => {
      const lister = await fastUser(t);
      const rid = requestId('list');
      expect((await t.as(lister).get('/api/patients/').set('X-Request-Id', rid)).status).toBe(200);
      const events = await auditEvents(t, admin, { actor: lister.id });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'list', entity: 'patient', entity_id: null, outcome: 'success', request_id: rid });
    });
  });

  describe('assignments', () => {
    it('records assigning and unassigning a doctor', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const assignId = requestId('assign');
      const created = await t
        .as(owner)
        .post('/api/mappings/')
        .set('X-Request-Id', assignId)
        .send({ patient: patient.id, doctor: doctor.id, notes: 'Second opinion' });
      expect(created.status).toBe(201);
      const unassignId = requestId('unassign');
      expect((await t.as(owner).delete(`/api/mappings/${created.body.id}/`).set('X-Request-Id', unassignId)).status).toBe(204);

      const events = await auditEvents(t, admin, { entity: 'mapping', entity_id: created.body.id });
      expect(events.map((e) => e.action)).toEqual(['unassign', 'assign']);
      const [unassign, assigned] = events;
      expect(assigned).toMatchObject({ actor: owner.id, outcome: 'success', request_id: assignId });
      expect((assigned.changed_fields as string[]).sort()).toEqual(['doctor', 'notes', 'patient']);
      expect(assigned.client_ip).toMatch(LOOPBACK);
      expect(unassign).toMatchObject({ actor: owner.id, outcome: 'success', request_id: unassignId });
      expect(JSON.stringify(events)).not.toContain('Second opinion');
    });
  });

  describe('doctor profiles', () => {
    it('records creating, updating (the fields changed) and deleting a profile', async () => {
      const ids = { create: requestId('create'), update: requestId('update'), remove: requestId('delete') };
      const name = uniqueName('Dr ');
      const created = await t
        .as(owner)
        .post('/api/doctors/')
        .set('X-Request-Id', ids.create)
        .send({ name, specialization: 'Cardiology', consultation_fee: '120.00' });
      expect(created.status).toBe(201);
      const id = created.body.id as number;
      const updated = await t
        .as(owner)
        .patch(`/api/doctors/${id}/`)
        .set('X-Request-Id', ids.update)
        .send({ name, specialization: 'Neurology', availability: 'Mornings' });
      expect(updated.status).toBe(200);
      expect((await t.as(owner).delete(`/api/doctors/${id}/`).set('X-Request-Id', ids.remove)).status).toBe(204);

      const events = await auditEvents(t, admin, { entity: 'doctor', entity_id: id });
      expect(events.map((e) => [e.action, e.changed_fields, e.request_id])).toEqual([
        ['delete', [], ids.remove],
        ['update', ['specialization', 'availability'], ids.update],
        ['create', ['name', 'specialization', 'consultation_fee'], ids.create],
      ]);
      for (const event of events) {
        expect(event).toMatchObject({ actor: owner.id, entity: 'doctor', entity_id: id, outcome: 'success' });
        expect(event.client_ip).toMatch(LOOPBACK);
      }
    });

    it("records a doctor account's own profile as created with its link", async () => {
      const account = await fastUser(t, 'doctor');
      const profile = await newDoctor(t, account);
      expect(profile.user).toBe(account.id);
      const events = await auditEvents(t, admin, { entity: 'doctor', entity_id: profile.id });
      expect(events.map((e) => [e.action, e.actor, e.changed_fields])).toEqual([
        ['link', account.id, ['user', 'old_user:none', `new_user:${account.id}`]],
        ['create', account.id, ['name', 'email', 'specialization', 'user']],
      ]);
    });

    it('records the end of the account link when a linked profile is deleted', async () => {
      const account = await fastUser(t, 'doctor');
      const profile = await newDoctor(t, admin, { user: account.id });
      const rid = requestId('delete-linked');
      expect((await t.as(admin).delete(`/api/doctors/${profile.id}/`).set('X-Request-Id', rid)).status).toBe(204);
      const events = (await auditEvents(t, admin, { entity: 'doctor', entity_id: profile.id })).filter((e) => e.request_id === rid);
      expect(events.map((e) => [e.action, e.actor, e.outcome, e.changed_fields])).toEqual([
        ['unlink', admin.id, 'success', ['user', `old_user:${account.id}`, 'new_user:none']],
        ['delete', admin.id, 'success', []],
      ]);
    });
  });

  describe('what a delete ends', () => {
    it('records each assignment ended and each appointment cancelled by deleting a patient, as the delete', async () => {
      const actor = await fastUser(t);
      const patient = await newPatient(t, actor);
      const [a, b] = [await newDoctor(t, actor), await newDoctor(t, actor)];
      const mappings = [await assign(t, actor, patient.id, a.id), await assign(t, actor, patient.id, b.id)];
      const book = async (doctor: number, hours: number) => {
        const res = await t
          .as(actor)
          .post('/api/appointments/')
          .send({ patient: patient.id, doctor, appointment_datetime: tomorrowAt(hours) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        return res.body.id as number;
      };
      const appointments = [await book(a.id, 0), await book(b.id, 2)];
      // Already cancelled: the delete leaves it alone, so no second entry.
      const cancelledBefore = await book(a.id, 4);
      expect((await t.as(actor).delete(`/api/appointments/${cancelledBefore}/`)).status).toBe(204);

      const rid = requestId('delete-patient');
      expect((await t.as(actor).delete(`/api/patients/${patient.id}/`).set('X-Request-Id', rid)).status).toBe(204);

      const events = (await auditEvents(t, admin, { actor: actor.id })).filter((e) => e.request_id === rid);
      expect(summary(events)).toEqual(
        [
          `patient:${patient.id} delete []`,
          ...mappings.map((m) => `mapping:${m.id} unassign []`),
          ...appointments.map((id) => `appointment:${id} cancel [status]`),
        ].sort(),
      );
      expect(events.every((e) => e.outcome === 'success' && LOOPBACK.test(String(e.client_ip)))).toBe(true);
      expect(await auditEvents(t, admin, { entity: 'appointment', entity_id: cancelledBefore, action: 'cancel' })).toHaveLength(1);
    });

    it("records each assignment ended and each appointment cancelled by deleting a doctor, as its deleter, not the patients' owner", async () => {
      const ownerOfPatients = await fastUser(t);
      const account = await fastUser(t, 'doctor');
      const doctor = await newDoctor(t, account);
      const patients = [await newPatient(t, ownerOfPatients), await newPatient(t, ownerOfPatients)];
      const mappings = await Promise.all(patients.map((p) => assign(t, ownerOfPatients, p.id, doctor.id)));
      const appointments: number[] = [];
      for (const [i, p] of patients.entries()) {
        const res = await t
          .as(ownerOfPatients)
          .post('/api/appointments/')
          .send({ patient: p.id, doctor: doctor.id, appointment_datetime: tomorrowAt(i) });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        appointments.push(res.body.id as number);
      }

      const rid = requestId('delete-doctor');
      expect((await t.as(account).delete(`/api/doctors/${doctor.id}/`).set('X-Request-Id', rid)).status).toBe(204);

      const events = (await auditEvents(t, admin, { actor: account.id })).filter((e) => e.request_id === rid);
      expect(summary(events)).toEqual(
        [
          `doctor:${doctor.id} delete []`,
          `doctor:${doctor.id} unlink [user,old_user:${account.id},new_user:none]`,
          ...mappings.map((m) => `mapping:${m.id} unassign []`),
          ...appointments.map((id) => `appointment:${id} cancel [status]`),
        ].sort(),
      );
      expect(await auditEvents(t, admin, { actor: ownerOfPatients.id, action: 'unassign' })).toEqual([]);
    });
  });

  describe('schedules', () => {
    it('names the fields a schedule change changed, comparing openings by value', async () => {
      const doctor = await newDoctor(t, owner);
      const put = (entries: { weekday: number; start: string; end: string }[]) =>
        t.as(owner).put(`/api/doctors/${doctor.id}/schedule/`).send({ timezone: 'Europe/Berlin', slot_minutes: 30, entries });
      const monday = { weekday: 0, start: '09:00', end: '12:00' };
      expect((await put([monday])).status).toBe(200);
      expect((await put([monday, { weekday: 1, start: '09:00', end: '12:00' }])).status).toBe(200);
      expect((await put([monday, { weekday: 1, start: '09:00', end: '12:00' }])).status).toBe(200);

      const events = await auditEvents(t, admin, { entity: 'schedule', entity_id: doctor.id });
      expect(events.map((e) => [e.action, e.changed_fields, e.actor])).toEqual([
        ['update', [], owner.id],
        ['update', ['entries'], owner.id],
        ['create', ['timezone', 'slot_minutes', 'entries'], owner.id],
      ]);
    });
  });

  describe('reading the trail', () => {
    it('is for admins only', async () => {
      const doctorAccount = await fastUser(t, 'doctor');
      expectProblem(await t.as(owner).get('/api/audit-events/'), 403);
      expectProblem(await t.as(doctorAccount).get('/api/audit-events/'), 403);
      expectProblem(await t.http().get('/api/audit-events/'), 401);
      expect((await t.as(admin).get('/api/audit-events/')).status).toBe(200);
    });

    it('filters by actor, entity, entity_id and action, newest first', async () => {
      const actor = await fastUser(t);
      const a = await newPatient(t, actor);
      const b = await newPatient(t, actor);
      await t.as(actor).get(`/api/patients/${a.id}/`);
      const doctor = await newDoctor(t, actor);
      const mapping = await assign(t, actor, b.id, doctor.id);

      const mine = await auditEvents(t, admin, { actor: actor.id });
      expect(mine.map((e) => [e.action, e.entity, e.entity_id])).toEqual([
        ['assign', 'mapping', mapping.id],
        ['create', 'doctor', doctor.id],
        ['read', 'patient', a.id],
        ['create', 'patient', b.id],
        ['create', 'patient', a.id],
      ]);
      // Newest first by time; ids follow the order of storage, where a batched read can come after a later change.
      const times = mine.map((e) => Date.parse(e.occurred_at as string));
      expect(times).toEqual([...times].sort((x, y) => y - x));

      expect((await auditEvents(t, admin, { actor: actor.id, entity: 'mapping' })).map((e) => e.entity_id)).toEqual([mapping.id]);
      expect((await auditEvents(t, admin, { actor: actor.id, action: 'create' })).map((e) => [e.entity, e.entity_id])).toEqual([
        ['doctor', doctor.id],
        ['patient', b.id],
        ['patient', a.id],
      ]);
      expect((await auditEvents(t, admin, { entity: 'patient', entity_id: a.id })).map((e) => e.action)).toEqual(['read', 'create']);
      expect(await auditEvents(t, admin, { actor: actor.id, action: 'delete' })).toEqual([]);
    });

    it('filters by a from/to time window', async () => {
      const actor = await fastUser(t);
      const earlier = await newPatient(t, actor);
      const [{ occurred_at: cut }] = await auditEvents(t, admin, { actor: actor.id });
      const cutTime = new Date(cut as string);
      let later = earlier;
      // The second create must fall after the first one's timestamp; keep creating until one does.
      while ((await auditEvents(t, admin, { actor: actor.id, from: new Date(cutTime.getTime() + 1).toISOString() })).length === 0) {
        later = await newPatient(t, actor);
      }
      const from = new Date(cutTime.getTime() + 1).toISOString();
      const after = await auditEvents(t, admin, { actor: actor.id, from });
      expect(after.map((e) => e.entity_id)).toContain(later.id);
      expect(after.map((e) => e.entity_id)).not.toContain(earlier.id);
      const before = await auditEvents(t, admin, { actor: actor.id, to: from });
      expect(before.map((e) => e.entity_id)).toEqual([earlier.id]);
      const upTo = await auditEvents(t, admin, { actor: actor.id, to: cutTime.toISOString() });
      expect(upTo).toEqual([]);
      const inclusiveFrom = await auditEvents(t, admin, { actor: actor.id, from: cutTime.toISOString(), to: from });
      expect(inclusiveFrom.map((e) => e.entity_id)).toEqual([earlier.id]);
    });

    it.each([
      ['actor', 'abc'],
      ['entity_id', '0'],
      ['from', 'yesterday'],
      ['to', '2024-13-45'],
      ['to', '2023-02-30T00:00:00Z'],
      ['outcome', 'success'],
    ])('refuses the filter %s=%s with 400 naming it', async (name, value) => {
      expectFieldError(
        await t
          .as(admin)
          .get('/api/audit-events/')
          .query({ [name]: value }),
        name,
      );
    });

    it('counts the filtered events in X-Total-Count', async () => {
      const actor = await fastUser(t);
      for (let i = 0; i < 3; i++) await newPatient(t, actor);
      const res = await t.as(admin).get('/api/audit-events/').query({ actor: actor.id, page_size: 2 });
      expect(expectList(res, 3)).toHaveLength(2);
    });
  });

  describe('append-only storage', () => {
    it('refuses UPDATE, DELETE and TRUNCATE of audit events, even of none', async () => {
      await newPatient(t, owner);
      await auditEvents(t, admin, {}); // flushes the pending events
      const [{ count: before }] = await t.db.query<{ count: string }[]>('SELECT count(*) FROM audit_events');
      expect(Number(before)).toBeGreaterThan(0);

      await expect(t.db.query(`UPDATE audit_events SET action = 'tampered'`)).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_events WHERE false')).rejects.toThrow(/append-only/);
      await expect(t.db.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);

      const [{ count: after }] = await t.db.query<{ count: string }[]>('SELECT count(*) FROM audit_events');
      expect(after).toBe(before);
      const [{ tampered }] = await t.db.query<{ tampered: string }[]>(
        `SELECT count(*) AS tampered FROM audit_events WHERE action = 'tampered'`,
      );
      expect(tampered).toBe('0');
    });
  });

  describe('sessions', () => {
    it('records a successful login, a failed one (unknown account: no actor) and a logout', async () => {
      const account = await t.newUser();
      const ok = await t
        .http()
        .post('/api/auth/login/')
        .set('X-Request-Id', 'login-ok')
        .send({ username: account.username, password: account.password });
      expect(ok.status).toBe(200);
      const wrong = await t
        .http()
        .post('/api/auth/login/')
        .set('X-Request-Id', 'login-wrong')
        .send({ username: account.username, password: 'not-the-password' });
      expect(wrong.status).toBe(401);
      const unknown = await t
        .http()
        .post('/api/auth/login/')
        .send({ username: `nobody-${randomBytes(4).toString('hex')}`, password: 'whatever-1234' });
      expect(unknown.status).toBe(401);
      const logout = await t.http().post('/api/auth/logout/').set('X-Request-Id', 'logout').send({ refresh: ok.body.refresh });
      expect(logout.status).toBe(204);

      const events = await auditEvents(t, admin, { entity: 'user', entity_id: account.id });
      expect(events.map((e) => [e.action, e.outcome, e.request_id])).toEqual([
        ['logout', 'success', 'logout'],
        ['login', 'failure', 'login-wrong'],
        ['login', 'success', 'login-ok'],
        ['create', 'success', expect.any(String)], // the registration
      ]);
      expect(events.every((e) => e.actor === account.id && LOOPBACK.test(String(e.client_ip)))).toBe(true);
      const anonymous = (await auditEvents(t, admin, { action: 'login' })).filter((e) => e.actor === null);
      expect(anonymous.some((e) => e.outcome === 'failure' && e.entity_id === null)).toBe(true);
    });

    it('records a detected refresh-token reuse as denied', async () => {
      const account = await t.newUser();
      const first = await t.http().post('/api/auth/token/refresh/').send({ refresh: account.refresh });
      expect(first.status).toBe(200);
      const replay = await t.http().post('/api/auth/token/refresh/').set('X-Request-Id', 'replay').send({ refresh: account.refresh });
      expect(replay.status).toBe(401);
      const events = await auditEvents(t, admin, { entity: 'user', entity_id: account.id, action: 'refresh_reuse' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ actor: account.id, outcome: 'denied', request_id: 'replay' });
    });
  });
});
