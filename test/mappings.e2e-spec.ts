import { beforeAll, describe, expect, it } from 'vitest';
import {
  assign,
  Body,
  expectFieldError,
  expectList,
  expectProblem,
  fastUser,
  newDoctor,
  newDoctorAccount,
  newPatient,
  problemShape,
} from './support/records';
import { TestUser, useTestApp } from './support/test-app';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('mappings (e2e)', () => {
  const t = useTestApp();
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [owner, other, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  describe('assigning', () => {
    it('assigns a doctor to a patient and answers the assignment with both summaries', async () => {
      const patient = await newPatient(t, owner, { name: 'Pat Smith', email: 'pat@example.com', phone: '555 0102', medical_history: 'x' });
      const doctor = await newDoctor(t, other, { name: 'Dr Who', specialization: 'Time', consultation_fee: 80 });
      const res = await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id, notes: 'Referral' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(Number),
        patient: patient.id,
        doctor: doctor.id,
        notes: 'Referral',
        is_active: true,
        ended_at: null,
        created_by: owner.id,
      });
      expect(res.body.patient_details).toEqual({ id: patient.id, name: 'Pat Smith', email: 'pat@example.com', phone: '555 0102' });
      expect(res.body.doctor_details).toEqual({ id: doctor.id, name: 'Dr Who', specialization: 'Time', consultation_fee: '80.00' });
      expect(res.body.assigned_date).toMatch(ISO_TIMESTAMP);
      // Seed 003's name for the time it was made, which is when the row was created.
      expect(res.body.assigned_at).toBe(res.body.created_at);
      expect(res.body.assigned_at).toBe(res.body.assigned_date);
      expect(res.headers.etag).toBe(`"${res.body.version}"`);
    });

    it('leaves notes null when none are sent', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const mapping = await assign(t, owner, patient.id, doctor.id);
      expect(mapping.notes).toBeNull();
    });

    it("answers someone else's patient and a missing one with the same 404, and assigns nothing", async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, other);
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM patients');
      const notYours = await t.as(other).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id });
      const missing = await t
        .as(other)
        .post('/api/mappings/')
        .send({ patient: Number(max) + 1000, doctor: doctor.id });
      expectProblem(notYours, 404);
      expectProblem(missing, 404);
      expect(problemShape(notYours)).toEqual(problemShape(missing));
      const [{ count }] = await t.db.query<{ count: string }[]>('SELECT count(*) FROM patient_doctor_mappings WHERE patient_id = $1', [
        patient.id,
      ]);
      expect(count).toBe('0');
    });

    it('refuses an unknown doctor with 400 naming doctor', async () => {
      const patient = await newPatient(t, owner);
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM doctors');
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: patient.id, doctor: Number(max) + 1000 });
      expectFieldError(res, 'doctor');
    });

    it('refuses a deleted doctor with 400 naming doctor', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      expect((await t.as(owner).delete(`/api/doctors/${doctor.id}/`)).status).toBe(204);
      expectFieldError(await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id }), 'doctor');
    });

    it.each<[string, Body, string]>([
      ['a missing patient', { patient: undefined }, 'patient'],
      ['a patient id as text', { patient: 'one' }, 'patient'],
      ['a patient id of 0', { patient: 0 }, 'patient'],
      ['a missing doctor', { doctor: undefined }, 'doctor'],
      ['a fractional doctor id', { doctor: 1.5 }, 'doctor'],
      ['overlong notes', { notes: 'n'.repeat(2001) }, 'notes'],
      ['an is_active flag', { is_active: false }, 'is_active'],
      ['a field nobody knows', { created_by_id: 1 }, 'created_by_id'],
    ])('refuses %s, naming the field', async (_, fields, field) => {
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: 1, doctor: 1, ...fields });
      expectFieldError(res, field);
    });

    it('ignores created_by and assigned_date in the body, as the read-only fields they are', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: patient.id, doctor: doctor.id, created_by: other.id, assigned_date: '2000-01-01T00:00:00Z' });
      expect(res.status, res.text).toBe(201);
      expect(res.body.created_by).toBe(owner.id);
      expect(res.body.assigned_date).not.toMatch(/^2000-/);
    });

    it('refuses assigning a doctor who is already actively assigned with 409', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      await assign(t, owner, patient.id, doctor.id);
      expectProblem(await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id }), 409);
    });

    it('creates exactly one assignment when 20 identical requests race; the rest get 409', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id })),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(19);
      for (const res of responses.filter((r) => r.status === 409)) expectProblem(res, 409);
      const [{ count }] = await t.db.query<{ count: string }[]>(
        'SELECT count(*) FROM patient_doctor_mappings WHERE patient_id = $1 AND doctor_id = $2',
        [patient.id, doctor.id],
      );
      expect(count).toBe('1');
    });

    it("lets an admin assign a doctor to anyone's patient", async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, admin);
      const mapping = await assign(t, admin, patient.id, doctor.id);
      expect(mapping).toMatchObject({ patient: patient.id, created_by: admin.id });
    });

    it('refuses a care-team doctor assigning further doctors to the patient with 403', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, profile.id);
      const colleague = await newDoctor(t, account);
      expectProblem(await t.as(account).post('/api/mappings/').send({ patient: patient.id, doctor: colleague.id }), 403);
    });
  });

  describe('listing assignments', () => {
    let alice: TestUser;
    let bob: TestUser;
    let p1: Body & { id: number };
    let p2: Body & { id: number };
    let bobsPatient: Body & { id: number };
    let d1: Body & { id: number };
    let d2: Body & { id: number };
    let m11: Body & { id: number };
    let m12: Body & { id: number };
    let m21: Body & { id: number };
    let bobs: Body & { id: number };

    beforeAll(async () => {
      [alice, bob] = await Promise.all([fastUser(t), fastUser(t)]);
      [p1, p2, bobsPatient] = await Promise.all([newPatient(t, alice), newPatient(t, alice), newPatient(t, bob)]);
      [d1, d2] = await Promise.all([newDoctor(t, alice), newDoctor(t, bob)]);
      m11 = await assign(t, alice, p1.id, d1.id);
      m12 = await assign(t, alice, p1.id, d2.id);
      m21 = await assign(t, alice, p2.id, d1.id);
      bobs = await assign(t, bob, bobsPatient.id, d1.id);
      expect((await t.as(alice).delete(`/api/mappings/${m12.id}/`)).status).toBe(204);
    });

    it("lists the assignments of the caller's patients only, active and ended", async () => {
      const list = expectList(await t.as(alice).get('/api/mappings/'), 3);
      expect(list.map((m) => m.id)).toEqual([m11.id, m12.id, m21.id]);
      expect(list[0]).toMatchObject({ patient_details: { id: p1.id }, doctor_details: { id: d1.id } });
      const bobsList = expectList(await t.as(bob).get('/api/mappings/'), 1);
      expect(bobsList.map((m) => m.id)).toEqual([bobs.id]);
    });

    it("lists everyone's assignments for an admin", async () => {
      const list = await t.as(admin).get('/api/mappings/').query({ doctor: d1.id });
      expect(expectList(list, 3).map((m) => m.id)).toEqual([m11.id, m21.id, bobs.id]);
    });

    it('filters by patient, doctor and is_active', async () => {
      expect(expectList(await t.as(alice).get('/api/mappings/').query({ patient: p1.id }), 2).map((m) => m.id)).toEqual([m11.id, m12.id]);
      expect(expectList(await t.as(alice).get('/api/mappings/').query({ doctor: d1.id }), 2).map((m) => m.id)).toEqual([m11.id, m21.id]);
      expect(expectList(await t.as(alice).get('/api/mappings/').query({ is_active: 'false' }), 1).map((m) => m.id)).toEqual([m12.id]);
      const both = await t.as(alice).get('/api/mappings/').query({ patient: p1.id, is_active: 'true' });
      expect(expectList(both, 1).map((m) => m.id)).toEqual([m11.id]);
      expectList(await t.as(alice).get('/api/mappings/').query({ patient: bobsPatient.id }), 0);
    });

    it.each([
      ['is_active', 'maybe'],
      ['patient', 'abc'],
      ['doctor', '0'],
      ['unknown', '1'],
    ])('refuses the filter %s=%s with 400 naming it', async (name, value) => {
      expectFieldError(
        await t
          .as(alice)
          .get('/api/mappings/')
          .query({ [name]: value }),
        name,
      );
    });

    it('lists the assignments of its profile for a doctor account', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const mapping = await assign(t, bob, bobsPatient.id, profile.id);
      const list = expectList(await t.as(account).get('/api/mappings/'), 1);
      expect(list[0]).toMatchObject({ id: mapping.id, patient: bobsPatient.id, doctor: profile.id });
    });
  });

  describe("a patient's doctors", () => {
    const doctorPaths = (id: number) => [`/api/patients/${id}/doctors/`, `/api/mappings/${id}/`, `/api/mappings/${id}/doctors/`];
    /** With the path of the patient's assignments, which keeps the same access rules. */
    const paths = (id: number) => [...doctorPaths(id), `/api/mappings/patient/${id}/`];

    it('answers the same actively assigned doctors at all three paths, in order of assignment', async () => {
      const patient = await newPatient(t, owner);
      const [a, b, c] = await Promise.all([newDoctor(t, owner), newDoctor(t, owner), newDoctor(t, owner)]);
      await assign(t, owner, patient.id, b.id);
      await assign(t, owner, patient.id, a.id);
      const ended = await assign(t, owner, patient.id, c.id);
      expect((await t.as(owner).delete(`/api/mappings/${ended.id}/`)).status).toBe(204);

      const bodies: unknown[] = [];
      for (const path of doctorPaths(patient.id)) {
        const list = expectList(await t.as(owner).get(path), 2);
        expect(list.map((d) => d.id)).toEqual([b.id, a.id]);
        bodies.push(list);
      }
      expect(bodies[0]).toEqual(expect.arrayContaining([expect.objectContaining({ name: b.name, specialization: b.specialization })]));
      for (const body of bodies.slice(1)) expect(body).toEqual(bodies[0]);
    });

    it('answers an empty list for a patient without doctors', async () => {
      const patient = await newPatient(t, owner);
      for (const path of paths(patient.id)) expectList(await t.as(owner).get(path), 0);
    });

    it("answers 404 at every path for someone else's patient", async () => {
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      for (const path of paths(patient.id)) expectProblem(await t.as(other).get(path), 404);
    });

    it('answers 404 at every path for a deleted patient', async () => {
      const patient = await newPatient(t, owner);
      expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);
      for (const path of paths(patient.id)) expectProblem(await t.as(owner).get(path), 404);
    });

    it('lets a care-team doctor see the doctors of its patient', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, profile.id);
      const list = expectList(await t.as(account).get(`/api/patients/${patient.id}/doctors/`), 1);
      expect(list[0].id).toBe(profile.id);
    });
  });

  describe("a patient's assignments at /api/mappings/patient/{id}/, as the Django projects answered", () => {
    it('answers the active assignments with doctor_details, as the list does, paged', async () => {
      const patient = await newPatient(t, owner);
      const [a, b, c] = await Promise.all([newDoctor(t, owner), newDoctor(t, owner), newDoctor(t, owner)]);
      const first = await assign(t, owner, patient.id, a.id, 'First');
      const second = await assign(t, owner, patient.id, b.id);
      const ended = await assign(t, owner, patient.id, c.id);
      expect((await t.as(owner).delete(`/api/mappings/${ended.id}/`)).status).toBe(204);
      await assign(t, owner, (await newPatient(t, owner)).id, a.id);

      const res = await t.as(owner).get(`/api/mappings/patient/${patient.id}/`);
      const list = expectList(res, 2);
      expect(list.map((item) => item.id)).toEqual([first.id, second.id]);
      expect(list[0]).toMatchObject({
        patient: patient.id,
        doctor: a.id,
        notes: 'First',
        is_active: true,
        assigned_at: expect.stringMatching(ISO_TIMESTAMP),
      });
      expect((list[1].doctor_details as Body).id).toBe(b.id);
      const listed = await t.as(owner).get('/api/mappings/').query({ patient: patient.id, is_active: true });
      expect(list).toEqual(listed.body);
      expect(res.headers.link).toContain(`/api/mappings/patient/${patient.id}/?page=1`);

      const paged = await t.as(owner).get(`/api/mappings/patient/${patient.id}/`).query({ page: 2, page_size: 1 });
      expect(expectList(paged, 2).map((item) => item.id)).toEqual([second.id]);
    });

    it('shows a care-team doctor its own assignment of the patient', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, owner);
      const mine = await assign(t, owner, patient.id, profile.id);
      await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      const list = expectList(await t.as(account).get(`/api/mappings/patient/${patient.id}/`), 1);
      expect(list[0].id).toBe(mine.id);
    });

    it("lets an admin read anyone's patient's assignments", async () => {
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      expectList(await t.as(admin).get(`/api/mappings/patient/${patient.id}/`), 1);
    });
  });

  describe('ending an assignment', () => {
    it('ends it with 204: it stays listed as inactive with ended_at, and the doctor can be assigned again', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const mapping = await assign(t, owner, patient.id, doctor.id);

      const res = await t.as(owner).delete(`/api/mappings/${mapping.id}/`);
      expect(res.status).toBe(204);

      const [ended] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(ended).toMatchObject({ id: mapping.id, is_active: false });
      expect(ended.ended_at).toMatch(ISO_TIMESTAMP);
      expectList(await t.as(owner).get(`/api/patients/${patient.id}/doctors/`), 0);

      const again = await assign(t, owner, patient.id, doctor.id);
      expect(again.id).not.toBe(mapping.id);
      expect(again.is_active).toBe(true);
      const all = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 2);
      expect(all.map((m) => m.is_active)).toEqual([false, true]);
    });

    it('answers 204 again for an ended assignment and leaves it as it was', async () => {
      const patient = await newPatient(t, owner);
      const mapping = await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      expect((await t.as(owner).delete(`/api/mappings/${mapping.id}/`)).status).toBe(204);
      const [first] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect((await t.as(owner).delete(`/api/mappings/${mapping.id}/`)).status).toBe(204);
      const [second] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(second).toEqual(first);
    });

    it("refuses to end another user's assignment with 404, and a missing one too", async () => {
      const patient = await newPatient(t, owner);
      const mapping = await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      const notYours = await t.as(other).delete(`/api/mappings/${mapping.id}/`);
      expectProblem(notYours, 404);
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM patient_doctor_mappings');
      const missing = await t.as(other).delete(`/api/mappings/${Number(max) + 1000}/`);
      expectProblem(missing, 404);
      expect(problemShape(notYours)).toEqual(problemShape(missing));
      const [still] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(still.is_active).toBe(true);
    });

    it('refuses a care-team doctor ending its assignment with 403', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, owner);
      const mapping = await assign(t, owner, patient.id, profile.id);
      expectProblem(await t.as(account).delete(`/api/mappings/${mapping.id}/`), 403);
      const [still] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(still.is_active).toBe(true);
    });

    it('keeps the ended assignments of a deleted doctor in the list', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner, { name: 'Dr Retired' });
      const mapping = await assign(t, owner, patient.id, doctor.id);
      expect((await t.as(owner).delete(`/api/doctors/${doctor.id}/`)).status).toBe(204);
      const [ended] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(ended).toMatchObject({ id: mapping.id, is_active: false, doctor_details: { id: doctor.id, name: 'Dr Retired' } });
      expect(ended.ended_at).toMatch(ISO_TIMESTAMP);
      expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id, is_active: 'true' }), 0);
    });

    it('drops the assignments of a deleted patient from the list', async () => {
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);
      expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 0);
      expectList(await t.as(admin).get('/api/mappings/').query({ patient: patient.id }), 0);
    });

    it("lets an admin end anyone's assignment", async () => {
      const patient = await newPatient(t, owner);
      const mapping = await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      expect((await t.as(admin).delete(`/api/mappings/${mapping.id}/`)).status).toBe(204);
      const [ended] = expectList(await t.as(owner).get('/api/mappings/').query({ patient: patient.id }), 1);
      expect(ended.is_active).toBe(false);
    });
  });
});
