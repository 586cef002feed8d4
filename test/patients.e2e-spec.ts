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

const thisYear = new Date().getUTCFullYear();
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

describe('patients (e2e)', () => {
  const t = useTestApp();
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [owner, other, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  describe('create and read', () => {
    it('creates a patient with every field, owned by the caller, and sends its version as ETag', async () => {
      const body = {
        name: 'Jane Doe',
        email: 'jane.doe@example.com',
        phone: '+1 (555) 010-0100',
        date_of_birth: '1990-04-12',
        gender: 'female',
        blood_group: 'O-',
        address: '1 Main Street',
        emergency_contact: 'John Doe +1 555 0101',
        medical_history: 'Asthma since childhood.',
      };
      const res = await t.as(owner).post('/api/patients/').send(body);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ ...body, created_by: owner.id, version: 1 });
      expect(res.body.id).toEqual(expect.any(Number));
      expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
      expect(new Date(res.body.updated_at).toISOString()).toBe(res.body.updated_at);
      expect(res.headers.etag).toBe('"1"');

      const read = await t.as(owner).get(`/api/patients/${res.body.id}/`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
      expect(read.headers.etag).toBe('"1"');
    });

    it('accepts a name alone and leaves the optional fields null', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ name: '  Only A Name  ' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Only A Name',
        email: null,
        phone: null,
        date_of_birth: null,
        age: null,
        gender: null,
        blood_group: null,
        address: null,
        emergency_contact: null,
        medical_history: null,
      });
    });

    it.each([
      ['Male', 'male'],
      ['M', 'male'],
      ['f', 'female'],
      [' FEMALE ', 'female'],
      ['Other', 'other'],
    ])('accepts gender %j and stores it as %j', async (sent, stored) => {
      const patient = await newPatient(t, owner, { gender: sent });
      expect(patient.gender).toBe(stored);
      const [row] = await t.db.query<{ gender: string }[]>('SELECT gender FROM patients WHERE id = $1', [patient.id]);
      expect(row.gender).toBe(stored);
    });

    it.each(['a+', 'ab-', 'o+', 'B-'])('accepts blood group %j in any case and stores it upper case', async (sent) => {
      const patient = await newPatient(t, owner, { blood_group: sent });
      expect(patient.blood_group).toBe(sent.toUpperCase());
      const [row] = await t.db.query<{ blood_group: string }[]>('SELECT blood_group FROM patients WHERE id = $1', [patient.id]);
      expect(row.blood_group).toBe(sent.toUpperCase());
    });

    it('answers the age computed from a stored birth date rather than the age sent', async () => {
      const patient = await newPatient(t, owner, { date_of_birth: `${thisYear - 30}-01-01`, age: 5 });
      expect(patient.age).toBe(30);
      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(read.body.age).toBe(30);
    });

    it('keeps the age as sent when there is no birth date, and computes it once one is set', async () => {
      const patient = await newPatient(t, owner, { age: 42 });
      expect(patient.age).toBe(42);
      const res = await t
        .as(owner)
        .patch(`/api/patients/${patient.id}/`)
        .send({ date_of_birth: `${thisYear - 7}-01-01` });
      expect(res.status).toBe(200);
      expect(res.body.age).toBe(7);
    });

    it.each(['0', '150'])('accepts the age bound %s', async (age) => {
      const patient = await newPatient(t, owner, { age: Number(age) });
      expect(patient.age).toBe(Number(age));
    });

    it('accepts a birth date of 1900-01-01, the earliest', async () => {
      const patient = await newPatient(t, owner, { date_of_birth: '1900-01-01' });
      expect(patient.age).toBe(thisYear - 1900);
    });

    it('accepts a birth date of today', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const patient = await newPatient(t, owner, { date_of_birth: today });
      expect(patient.date_of_birth).toBe(today);
      expect(patient.age).toBe(0);
    });

    it.each<[string, unknown]>([
      ['id', 999_999],
      ['created_by', 999_998],
      ['created_at', '2000-01-01T00:00:00.000Z'],
      ['updated_at', '2000-01-01T00:00:00.000Z'],
      ['version', 999],
    ])('ignores the read-only field %s in a create: the record has the service’s value', async (field, forged) => {
      const res = await t
        .as(owner)
        .post('/api/patients/')
        .send({ name: 'Sneaky', [field]: forged });
      expect(res.status, res.text).toBe(201);
      expect(res.body[field]).not.toEqual(forged);
      expect(res.body).toMatchObject({ name: 'Sneaky', created_by: owner.id, version: 1 });
    });

    it('ignores created_by and id in a PATCH, which change nothing', async () => {
      const patient = await newPatient(t, owner);
      const res = await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ created_by: other.id, id: 99999, phone: '+1 555 0123' });
      expect(res.status, res.text).toBe(200);
      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(read.body).toMatchObject({ id: patient.id, created_by: owner.id, phone: '+1 555 0123' });
      expect((await t.as(other).get(`/api/patients/${patient.id}/`)).status).toBe(404);
      expect((await t.as(owner).get('/api/patients/99999/')).status).toBe(404);
    });

    it("lists only the caller's own patients, while an admin lists everyone's", async () => {
      const [alice, bob] = await Promise.all([fastUser(t), fastUser(t)]);
      const a1 = await newPatient(t, alice);
      const a2 = await newPatient(t, alice);
      const b1 = await newPatient(t, bob);

      const aliceList = expectList(await t.as(alice).get('/api/patients/'), 2);
      expect(aliceList.map((p) => p.id)).toEqual([a1.id, a2.id]);
      const bobList = expectList(await t.as(bob).get('/api/patients/'), 1);
      expect(bobList.map((p) => p.id)).toEqual([b1.id]);

      const all = await t.as(admin).get('/api/patients/').query({ page_size: 100, ordering: '-id' });
      expect(all.status).toBe(200);
      const ids = (all.body as Body[]).map((p) => p.id);
      expect(ids).toEqual(expect.arrayContaining([a1.id, a2.id, b1.id]));
      expect(Number(all.headers['x-total-count'])).toBeGreaterThanOrEqual(3);
    });

    it("lets an admin read and change anyone's patient", async () => {
      const patient = await newPatient(t, owner);
      expect((await t.as(admin).get(`/api/patients/${patient.id}/`)).status).toBe(200);
      const res = await t.as(admin).patch(`/api/patients/${patient.id}/`).send({ address: 'Set by admin' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ address: 'Set by admin', created_by: owner.id });
    });

    it("answers someone else's patient and a missing one with the same 404", async () => {
      const patient = await newPatient(t, owner);
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM patients');
      const notYours = await t.as(other).get(`/api/patients/${patient.id}/`);
      const missing = await t.as(other).get(`/api/patients/${Number(max) + 1000}/`);
      expectProblem(notYours, 404);
      expectProblem(missing, 404);
      expect(problemShape(notYours)).toEqual(problemShape(missing));
    });

    it('refuses anonymous access with 401', async () => {
      expectProblem(await t.http().get('/api/patients/'), 401);
      expectProblem(await t.http().post('/api/patients/').send({ name: 'Anon' }), 401);
    });

    it('answers a non-numeric id with 400', async () => {
      expectProblem(await t.as(owner).get('/api/patients/abc/'), 400);
    });
  });

  describe('validation', () => {
    const long = (n: number) => 'x'.repeat(n);

    it.each<[string, Body, string]>([
      // undefined drops the key from the JSON body, so the request has no name at all.
      ['a missing name', { name: undefined }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['a numeric name', { name: 42 }, 'name'],
      ['an overlong name', { name: long(201) }, 'name'],
      ['a bad email', { email: 'not-an-email' }, 'email'],
      ['an empty email', { email: '' }, 'email'],
      ['a numeric email', { email: 12345 }, 'email'],
      ['an overlong email', { email: `${long(250)}@example.com` }, 'email'],
      ['a bad phone', { phone: 'call me maybe' }, 'phone'],
      ['an overlong phone', { phone: `+1${'5'.repeat(40)}` }, 'phone'],
      ['a numeric phone', { phone: 5550100 }, 'phone'],
      ['a future birth date', { date_of_birth: tomorrow }, 'date_of_birth'],
      ['an impossible birth date', { date_of_birth: '2023-02-30' }, 'date_of_birth'],
      ['a birth date in another format', { date_of_birth: '12/04/1990' }, 'date_of_birth'],
      ['a birth date with a time', { date_of_birth: '1990-04-12T00:00:00Z' }, 'date_of_birth'],
      ['a numeric birth date', { date_of_birth: 19900412 }, 'date_of_birth'],
      ['a birth date before 1900', { date_of_birth: '1899-12-31' }, 'date_of_birth'],
      ['a birth date in year 0', { date_of_birth: '0000-01-01' }, 'date_of_birth'],
      ['a negative age', { age: -1 }, 'age'],
      ['an age over 150', { age: 151 }, 'age'],
      ['a fractional age', { age: 4.5 }, 'age'],
      ['an age as text', { age: 'ten' }, 'age'],
      ['an unknown gender', { gender: 'x' }, 'gender'],
      ['a numeric gender', { gender: 1 }, 'gender'],
      ['an unknown blood group', { blood_group: 'C+' }, 'blood_group'],
      ['a blood group without sign', { blood_group: 'AB' }, 'blood_group'],
      ['an overlong address', { address: long(501) }, 'address'],
      ['a numeric address', { address: 7 }, 'address'],
      ['an overlong emergency contact', { emergency_contact: long(201) }, 'emergency_contact'],
      ['an overlong medical history', { medical_history: long(20_001) }, 'medical_history'],
      ['a medical history as an object', { medical_history: { text: 'x' } }, 'medical_history'],
      ['an unknown field', { favourite_colour: 'blue' }, 'favourite_colour'],
    ])('refuses %s on create, naming the field', async (_, fields, field) => {
      const res = await t
        .as(owner)
        .post('/api/patients/')
        .send({ name: 'Valid Name', ...fields });
      expectFieldError(res, field);
    });

    it('reports every invalid field of one request at once', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ email: 'bad', age: 151, gender: 'x', blood_group: 'C+' });
      expectFieldError(res, 'name');
      expect(Object.keys(res.body.errors).sort()).toEqual(['age', 'blood_group', 'email', 'gender', 'name']);
    });

    it('creates nothing when a request is invalid', async () => {
      const user = await fastUser(t);
      expectProblem(await t.as(user).post('/api/patients/').send({ name: 'Nope', age: 151 }), 400);
      expectList(await t.as(user).get('/api/patients/'), 0);
    });

    it.each<[string, Body, string]>([
      ['a null name', { name: null }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a future birth date', { date_of_birth: tomorrow }, 'date_of_birth'],
      ['an age of 151', { age: 151 }, 'age'],
      ['an unknown gender', { gender: 'x' }, 'gender'],
      ['an unknown blood group', { blood_group: 'C+' }, 'blood_group'],
    ])('refuses %s on PATCH, naming the field, and changes nothing', async (_, fields, field) => {
      const patient = await newPatient(t, owner, { name: 'Unchanged', age: 30 });
      expectFieldError(await t.as(owner).patch(`/api/patients/${patient.id}/`).send(fields), field);
      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(read.body).toMatchObject({ name: 'Unchanged', age: 30, version: 1 });
    });

    it('refuses a PUT without a name', async () => {
      const patient = await newPatient(t, owner);
      expectFieldError(await t.as(owner).put(`/api/patients/${patient.id}/`).send({ phone: '555 0100' }), 'name');
    });
  });

  describe('updates', () => {
    it('changes only the fields a PATCH sends, and null clears an optional field', async () => {
      const patient = await newPatient(t, owner, { email: 'keep@example.com', phone: '555 0100', address: 'Old Street' });
      const res = await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ address: 'New Street', phone: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: patient.name, email: 'keep@example.com', phone: null, address: 'New Street', version: 2 });
      expect(res.headers.etag).toBe('"2"');
      expect(new Date(res.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(patient.updated_at as string).getTime());
    });

    it('replaces fields with PUT, keeping those left out', async () => {
      const patient = await newPatient(t, owner, { email: 'put@example.com', gender: 'male' });
      const res = await t.as(owner).put(`/api/patients/${patient.id}/`).send({ name: 'Renamed', gender: 'F' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Renamed', gender: 'female', email: 'put@example.com', version: 2 });
    });

    it('refuses a PATCH with an outdated If-Match with 412 and changes nothing', async () => {
      const patient = await newPatient(t, owner, { address: 'Original' });
      const first = await t.as(owner).patch(`/api/patients/${patient.id}/`).set('If-Match', '"1"').send({ address: 'First' });
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');

      const stale = await t.as(owner).patch(`/api/patients/${patient.id}/`).set('If-Match', '"1"').send({ address: 'Lost update' });
      expectProblem(stale, 412);

      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(read.body).toMatchObject({ address: 'First', version: 2 });
      expect(read.headers.etag).toBe('"2"');
    });

    it('refuses a PUT with an outdated If-Match with 412 and changes nothing', async () => {
      const patient = await newPatient(t, owner, { address: 'Original' });
      await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ address: 'Changed' });
      const stale = await t.as(owner).put(`/api/patients/${patient.id}/`).set('If-Match', '"1"').send({ name: 'Overwritten' });
      expectProblem(stale, 412);
      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(read.body).toMatchObject({ name: patient.name, address: 'Changed', version: 2 });
    });

    it('accepts the current ETag as If-Match and answers the new one', async () => {
      const patient = await newPatient(t, owner);
      const read = await t.as(owner).get(`/api/patients/${patient.id}/`);
      const res = await t.as(owner).put(`/api/patients/${patient.id}/`).set('If-Match', read.headers.etag).send({ name: 'Fresh' });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body.version).toBe(2);
    });

    it('writes without If-Match', async () => {
      const patient = await newPatient(t, owner);
      const res = await t.as(owner).patch(`/api/patients/${patient.id}/`).send({ medical_history: 'Updated' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ medical_history: 'Updated', version: 2 });
    });
  });

  describe('a care-team doctor', () => {
    let doctorAccount: TestUser;
    let profileId: number;

    beforeAll(async () => {
      const { account, profile } = await newDoctorAccount(t);
      doctorAccount = account;
      profileId = profile.id;
    });

    it('reads an assigned patient and lists it with assigned=true, but may not change or delete it', async () => {
      const patient = await newPatient(t, owner, { name: 'Cared For' });
      const mapping = await assign(t, owner, patient.id, profileId);

      const read = await t.as(doctorAccount).get(`/api/patients/${patient.id}/`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: patient.id, name: 'Cared For' });

      const assigned = await t.as(doctorAccount).get('/api/patients/').query({ assigned: 'true', page_size: 100 });
      expect(assigned.status).toBe(200);
      expect((assigned.body as Body[]).map((p) => p.id)).toContain(patient.id);
      const own = await t.as(doctorAccount).get('/api/patients/');
      expect((own.body as Body[]).map((p) => p.id)).not.toContain(patient.id);

      expectProblem(await t.as(doctorAccount).put(`/api/patients/${patient.id}/`).send({ name: 'Changed' }), 403);
      expectProblem(await t.as(doctorAccount).patch(`/api/patients/${patient.id}/`).send({ name: 'Changed' }), 403);
      expectProblem(await t.as(doctorAccount).delete(`/api/patients/${patient.id}/`), 403);
      const after = await t.as(owner).get(`/api/patients/${patient.id}/`);
      expect(after.body).toMatchObject({ name: 'Cared For', version: 1 });

      expect((await t.as(owner).delete(`/api/mappings/${mapping.id}/`)).status).toBe(204);
      expectProblem(await t.as(doctorAccount).get(`/api/patients/${patient.id}/`), 404);
      const later = await t.as(doctorAccount).get('/api/patients/').query({ assigned: 'true', page_size: 100 });
      expect((later.body as Body[]).map((p) => p.id)).not.toContain(patient.id);
    });

    it('loses sight of its assigned patients, in the list too, once its account is no longer a doctor', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, profile.id);
      expectList(await t.as(account).get('/api/patients/').query({ assigned: 'true' }), 1);

      expect((await t.as(admin).patch(`/api/users/${account.id}/`).send({ role: 'patient' })).status).toBe(200);

      expectProblem(await t.as(account).get(`/api/patients/${patient.id}/`), 404);
      expectList(await t.as(account).get('/api/patients/').query({ assigned: 'true' }), 0);
      expectProblem(await t.as(account).get(`/api/patients/${patient.id}/doctors/`), 404);
    });

    it('does not see an unassigned patient', async () => {
      const patient = await newPatient(t, owner);
      expectProblem(await t.as(doctorAccount).get(`/api/patients/${patient.id}/`), 404);
    });

    it('does not read through a profile that is not linked to its account', async () => {
      const unlinked = await newDoctor(t, owner);
      const patient = await newPatient(t, owner);
      await assign(t, owner, patient.id, unlinked.id);
      expectProblem(await t.as(doctorAccount).get(`/api/patients/${patient.id}/`), 404);
    });
  });

  describe('delete', () => {
    it('soft-deletes: 204, then 404 and gone from the list, while the row keeps a deleted_at', async () => {
      const user = await fastUser(t);
      const keep = await newPatient(t, user);
      const patient = await newPatient(t, user);

      const res = await t.as(user).delete(`/api/patients/${patient.id}/`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');

      expectProblem(await t.as(user).get(`/api/patients/${patient.id}/`), 404);
      expectProblem(await t.as(user).patch(`/api/patients/${patient.id}/`).send({ name: 'Ghost' }), 404);
      expectProblem(await t.as(user).delete(`/api/patients/${patient.id}/`), 404);
      expectProblem(await t.as(admin).get(`/api/patients/${patient.id}/`), 404);
      const list = expectList(await t.as(user).get('/api/patients/'), 1);
      expect(list.map((p) => p.id)).toEqual([keep.id]);

      const rows = await t.db.query<{ deleted_at: Date | null; name: string }[]>('SELECT deleted_at, name FROM patients WHERE id = $1', [
        patient.id,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0].deleted_at).toBeInstanceOf(Date);
      expect(rows[0].name).toBe(patient.name);
    });

    it('ends the active assignments of the deleted patient', async () => {
      const patient = await newPatient(t, owner);
      const [d1, d2] = await Promise.all([newDoctor(t, owner), newDoctor(t, owner)]);
      const m1 = await assign(t, owner, patient.id, d1.id);
      const m2 = await assign(t, owner, patient.id, d2.id);

      expect((await t.as(owner).delete(`/api/patients/${patient.id}/`)).status).toBe(204);

      const rows = await t.db.query<{ id: number; is_active: boolean; ended_at: Date | null }[]>(
        'SELECT id, is_active, ended_at FROM patient_doctor_mappings WHERE patient_id = $1 ORDER BY id',
        [patient.id],
      );
      expect(rows.map((r) => r.id)).toEqual([m1.id, m2.id]);
      for (const row of rows) {
        expect(row.is_active).toBe(false);
        expect(row.ended_at).toBeInstanceOf(Date);
      }
    });

    it("refuses to delete someone else's patient with 404 and keeps it", async () => {
      const patient = await newPatient(t, owner);
      expectProblem(await t.as(other).delete(`/api/patients/${patient.id}/`), 404);
      expect((await t.as(owner).get(`/api/patients/${patient.id}/`)).status).toBe(200);
    });

    it("lets an admin delete anyone's patient", async () => {
      const patient = await newPatient(t, owner);
      expect((await t.as(admin).delete(`/api/patients/${patient.id}/`)).status).toBe(204);
      expectProblem(await t.as(owner).get(`/api/patients/${patient.id}/`), 404);
    });
  });

  describe('isolation between two owners', () => {
    let alice: TestUser;
    let bob: TestUser;
    let alices: Body & { id: number };
    let bobs: Body & { id: number };
    let doctorId: number;

    beforeAll(async () => {
      [alice, bob] = await Promise.all([fastUser(t), fastUser(t)]);
      alices = await newPatient(t, alice, { name: 'Alice Private' });
      bobs = await newPatient(t, bob, { name: 'Bob Private' });
      doctorId = (await newDoctor(t, alice)).id;
      await assign(t, alice, alices.id, doctorId);
      await assign(t, bob, bobs.id, doctorId);
    });

    it.each([
      ['alice', 'bob'],
      ['bob', 'alice'],
    ])("%s cannot read, change or delete %s's patient", async (who, whose) => {
      const caller = who === 'alice' ? alice : bob;
      const target = whose === 'alice' ? alices : bobs;
      expectProblem(await t.as(caller).get(`/api/patients/${target.id}/`), 404);
      expectProblem(await t.as(caller).put(`/api/patients/${target.id}/`).send({ name: 'Hijacked' }), 404);
      expectProblem(await t.as(caller).patch(`/api/patients/${target.id}/`).send({ name: 'Hijacked' }), 404);
      expectProblem(await t.as(caller).delete(`/api/patients/${target.id}/`), 404);
      const intact = await t.as(admin).get(`/api/patients/${target.id}/`);
      expect(intact.body).toMatchObject({ name: target.name, version: 1 });
    });

    it.each([
      ['alice', 'bob'],
      ['bob', 'alice'],
    ])("%s does not list %s's patient, even when searching for it", async (who, whose) => {
      const caller = who === 'alice' ? alice : bob;
      const target = whose === 'alice' ? alices : bobs;
      const list = await t.as(caller).get('/api/patients/').query({ page_size: 100 });
      expect((list.body as Body[]).map((p) => p.id)).not.toContain(target.id);
      expectList(
        await t
          .as(caller)
          .get('/api/patients/')
          .query({ search: target.name as string }),
        0,
      );
      const mappings = await t.as(caller).get('/api/mappings/').query({ page_size: 100 });
      expect((mappings.body as Body[]).map((m) => m.patient)).not.toContain(target.id);
      expectList(await t.as(caller).get('/api/mappings/').query({ patient: target.id }), 0);
    });

    it.each([
      ['alice', 'bob'],
      ['bob', 'alice'],
    ])("%s can neither assign a doctor to %s's patient nor see its doctors", async (who, whose) => {
      const caller = who === 'alice' ? alice : bob;
      const target = whose === 'alice' ? alices : bobs;
      const other = await newDoctor(t, caller);
      expectProblem(await t.as(caller).post('/api/mappings/').send({ patient: target.id, doctor: other.id }), 404);
      for (const path of [
        `/api/patients/${target.id}/doctors/`,
        `/api/mappings/${target.id}/`,
        `/api/mappings/${target.id}/doctors/`,
        `/api/mappings/patient/${target.id}/`,
      ]) {
        expectProblem(await t.as(caller).get(path), 404);
      }
      const doctors = await t.as(admin).get(`/api/patients/${target.id}/doctors/`);
      expect((doctors.body as Body[]).map((d) => d.id)).toEqual([doctorId]);
    });
  });
});
