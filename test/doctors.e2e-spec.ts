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

describe('doctors (e2e)', () => {
  const t = useTestApp();
  let creator: TestUser;
  let stranger: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [creator, stranger, admin] = await Promise.all([t.newUser(), t.newUser(), t.newAdmin()]);
  });

  const uniqueEmail = () => `${uniqueName('doc')}@doctors.example`;

  describe('create and read', () => {
    it('creates a doctor with every field and sends its version as ETag', async () => {
      const body = {
        name: 'Dr. Gregory House',
        email: uniqueEmail(),
        phone: '+1 555 0199',
        specialization: 'Diagnostics',
        license_number: uniqueName('LIC-'),
        experience_years: 20,
        consultation_fee: '1500.00',
        address: 'Princeton-Plainsboro',
        availability: 'Mon-Fri 9AM-5PM',
      };
      const res = await t.as(creator).post('/api/doctors/').send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ ...body, user: null, created_by: creator.id, version: 1 });
      expect(res.headers.etag).toBe('"1"');

      const read = await t.as(stranger).get(`/api/doctors/${res.body.id}/`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
      expect(read.headers.etag).toBe('"1"');
    });

    it('lets any authenticated user list and read the directory, but not an anonymous one', async () => {
      const doctor = await newDoctor(t, creator);
      const list = await t
        .as(stranger)
        .get('/api/doctors/')
        .query({ search: doctor.name as string });
      expect(expectList(list, 1)[0]).toMatchObject({ id: doctor.id });
      expectProblem(await t.http().get('/api/doctors/'), 401);
      expectProblem(await t.http().get(`/api/doctors/${doctor.id}/`), 401);
      expectProblem(await t.http().post('/api/doctors/').send({ name: 'Anon', specialization: 'None' }), 401);
    });

    it('answers a missing doctor with 404', async () => {
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM doctors');
      const missing = Number(max) + 1000;
      expectProblem(await t.as(creator).get(`/api/doctors/${missing}/`), 404);
      expectProblem(await t.as(admin).patch(`/api/doctors/${missing}/`).send({ name: 'X' }), 404);
      expectProblem(await t.as(admin).delete(`/api/doctors/${missing}/`), 404);
    });

    it.each<[unknown, string]>([
      [1500, '1500.00'],
      ['99.5', '99.50'],
      [99.5, '99.50'],
      ['1500', '1500.00'],
      [0, '0.00'],
      ['12345678.99', '12345678.99'],
    ])('accepts consultation_fee %j and answers it as the string %j', async (sent, answered) => {
      const doctor = await newDoctor(t, creator, { consultation_fee: sent });
      expect(doctor.consultation_fee).toBe(answered);
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      expect(read.body.consultation_fee).toBe(answered);
      const [row] = await t.db.query<{ fee: string }[]>('SELECT consultation_fee::text AS fee FROM doctors WHERE id = $1', [doctor.id]);
      expect(row.fee).toBe(answered);
    });

    it('answers a fee sent with leading zeros as PostgreSQL stores it', async () => {
      const doctor = await newDoctor(t, creator, { consultation_fee: '007.5' });
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      expect(read.body.consultation_fee).toBe('7.50');
      expect(doctor.consultation_fee).toBe(read.body.consultation_fee);
    });

    it.each([0, 80])('accepts experience_years %i', async (years) => {
      const doctor = await newDoctor(t, creator, { experience_years: years });
      expect(doctor.experience_years).toBe(years);
    });

    it('treats emails as unique, ignoring case: a second doctor with the same email gets 409 naming email', async () => {
      const email = uniqueEmail();
      await newDoctor(t, creator, { email });
      const res = await t
        .as(stranger)
        .post('/api/doctors/')
        .send({ name: 'Dr Copy', specialization: 'Copying', email: email.toUpperCase() });
      expectFieldError(res, 'email', 409);
    });

    it('treats license numbers as unique when given: a duplicate gets 409 naming license_number', async () => {
      const license = uniqueName('LIC-');
      await newDoctor(t, creator, { license_number: license });
      const res = await t.as(creator).post('/api/doctors/').send({ name: 'Dr Copy', specialization: 'Copying', license_number: license });
      expectFieldError(res, 'license_number', 409);
    });

    it('allows any number of doctors without a license number or email', async () => {
      const a = await newDoctor(t, creator, { license_number: null, email: null });
      const b = await newDoctor(t, creator, { license_number: null, email: null });
      expect(a.license_number).toBeNull();
      expect(b.license_number).toBeNull();
      expect(b.email).toBeNull();
    });

    it('refuses to change the email to one another doctor has, with 409 naming email', async () => {
      const taken = await newDoctor(t, creator);
      const doctor = await newDoctor(t, creator);
      const res = await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ email: taken.email });
      expectFieldError(res, 'email', 409);
      expect((await t.as(creator).get(`/api/doctors/${doctor.id}/`)).body.email).toBe(doctor.email);
    });
  });

  describe('validation', () => {
    it.each<[string, Body, string]>([
      ['a missing name', { name: undefined }, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a null name', { name: null }, 'name'],
      ['an overlong name', { name: 'x'.repeat(201) }, 'name'],
      ['a missing specialization', { specialization: undefined }, 'specialization'],
      ['a blank specialization', { specialization: '  ' }, 'specialization'],
      ['an overlong specialization', { specialization: 'x'.repeat(101) }, 'specialization'],
      ['a bad email', { email: 'doctor-at-example' }, 'email'],
      ['a bad phone', { phone: 'ring ring' }, 'phone'],
      ['an empty license number', { license_number: '' }, 'license_number'],
      ['an overlong license number', { license_number: 'L'.repeat(51) }, 'license_number'],
      ['negative experience', { experience_years: -1 }, 'experience_years'],
      ['experience over 80', { experience_years: 81 }, 'experience_years'],
      ['fractional experience', { experience_years: 2.5 }, 'experience_years'],
      ['experience as text', { experience_years: 'ten' }, 'experience_years'],
      ['a negative fee', { consultation_fee: -1 }, 'consultation_fee'],
      ['a negative fee as text', { consultation_fee: '-1.00' }, 'consultation_fee'],
      ['a fee with three decimals', { consultation_fee: '1.234' }, 'consultation_fee'],
      ['a fee number with three decimals', { consultation_fee: 1.234 }, 'consultation_fee'],
      ['a fee that is not a number', { consultation_fee: 'abc' }, 'consultation_fee'],
      ['a fee in exponent notation', { consultation_fee: '1e3' }, 'consultation_fee'],
      ['a fee too large for numeric(10,2)', { consultation_fee: '123456789' }, 'consultation_fee'],
      ['a boolean fee', { consultation_fee: true }, 'consultation_fee'],
      ['a linked user that is not an id', { user: 'me' }, 'user'],
      ['a field nobody knows', { created_by_id: 1 }, 'created_by_id'],
    ])('refuses %s, naming the field', async (_, fields, field) => {
      const res = await t
        .as(creator)
        .post('/api/doctors/')
        .send({ name: 'Dr Valid', specialization: 'Valid', ...fields });
      expectFieldError(res, field);
    });

    it('ignores an id and created_by in the body, as the read-only fields they are', async () => {
      const res = await t
        .as(creator)
        .post('/api/doctors/')
        .send({ name: 'Dr Readonly', specialization: 'Valid', id: 999_999, created_by: 999_998 });
      expect(res.status, res.text).toBe(201);
      expect(res.body.id).not.toBe(999_999);
      expect(res.body.created_by).toBe(creator.id);
    });

    it('requires both name and specialization, naming each', async () => {
      const res = await t.as(creator).post('/api/doctors/').send({ email: uniqueEmail() });
      expectFieldError(res, 'name');
      expect(Object.keys(res.body.errors)).toContain('specialization');
    });

    it('refuses a PUT without a specialization, and a PATCH clearing the name', async () => {
      const doctor = await newDoctor(t, creator);
      expectFieldError(await t.as(creator).put(`/api/doctors/${doctor.id}/`).send({ name: 'Only Name' }), 'specialization');
      expectFieldError(await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ name: null }), 'name');
      expectFieldError(await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ consultation_fee: '1.234' }), 'consultation_fee');
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      expect(read.body).toMatchObject({ name: doctor.name, version: 1 });
    });
  });

  describe('who may change a doctor', () => {
    it('lets the creator change it', async () => {
      const doctor = await newDoctor(t, creator);
      const res = await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ consultation_fee: 200, experience_years: 3 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ consultation_fee: '200.00', experience_years: 3, version: 2 });
    });

    it('lets the linked doctor account change it, though someone else created it', async () => {
      const account = await fastUser(t, 'doctor');
      const doctor = await newDoctor(t, admin, { user: account.id });
      expect(doctor.user).toBe(account.id);
      const res = await t.as(account).put(`/api/doctors/${doctor.id}/`).send({ name: 'Dr Self', specialization: 'Self Care' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'Dr Self', specialization: 'Self Care', created_by: admin.id, user: account.id });
    });

    it("lets an admin change and delete anyone's doctor", async () => {
      const doctor = await newDoctor(t, creator);
      expect((await t.as(admin).patch(`/api/doctors/${doctor.id}/`).send({ availability: 'Weekends' })).status).toBe(200);
      expect((await t.as(admin).delete(`/api/doctors/${doctor.id}/`)).status).toBe(204);
    });

    it('leaves the creator no rights over a profile an admin linked to another account', async () => {
      const doctor = await newDoctor(t, creator, { specialization: 'Cardiology' });
      const account = await fastUser(t, 'doctor');
      expect((await t.as(admin).patch(`/api/doctors/${doctor.id}/`).send({ user: account.id })).status).toBe(200);
      const schedule = { timezone: 'UTC', slot_minutes: 30, entries: [{ weekday: 1, start: '09:00', end: '12:00' }] };
      for (const res of [
        await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ specialization: 'Quackery' }),
        await t.as(creator).put(`/api/doctors/${doctor.id}/`).send({ name: 'Dr Mine', specialization: 'Quackery' }),
        await t.as(creator).put(`/api/doctors/${doctor.id}/schedule/`).send(schedule),
        await t.as(creator).delete(`/api/doctors/${doctor.id}/`),
      ]) {
        expectProblem(res, 403);
        expect(res.body.detail).toMatch(/linked to this doctor profile or an admin/);
      }
      expect((await t.as(creator).get(`/api/doctors/${doctor.id}/`)).body).toMatchObject({
        specialization: 'Cardiology',
        user: account.id,
        version: 2,
      });
      // Its account now manages it.
      expect((await t.as(account).put(`/api/doctors/${doctor.id}/schedule/`).send(schedule)).status).toBe(200);
      expect((await t.as(account).patch(`/api/doctors/${doctor.id}/`).send({ experience_years: 7 })).status).toBe(200);
    });

    it('refuses anyone else with 403 and changes nothing', async () => {
      const doctor = await newDoctor(t, creator, { specialization: 'Cardiology' });
      const doctorAccount = await fastUser(t, 'doctor');
      for (const user of [stranger, doctorAccount]) {
        expectProblem(await t.as(user).patch(`/api/doctors/${doctor.id}/`).send({ specialization: 'Quackery' }), 403);
        expectProblem(await t.as(user).put(`/api/doctors/${doctor.id}/`).send({ name: 'Dr Fake', specialization: 'Quackery' }), 403);
        expectProblem(await t.as(user).delete(`/api/doctors/${doctor.id}/`), 403);
      }
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      expect(read.body).toMatchObject({ specialization: 'Cardiology', version: 1 });
    });
  });

  describe('linked accounts', () => {
    it('links a doctor account to the first profile it creates, and not to a second', async () => {
      const account = await fastUser(t, 'doctor');
      const first = await newDoctor(t, account);
      expect(first.user).toBe(account.id);
      const second = await newDoctor(t, account);
      expect(second.user).toBeNull();
      const [row] = await t.db.query<{ user_id: number | null }[]>('SELECT user_id FROM doctors WHERE id = $1', [first.id]);
      expect(row.user_id).toBe(account.id);
    });

    it('does not link the profile a patient account creates', async () => {
      const doctor = await newDoctor(t, creator);
      expect(doctor.user).toBeNull();
    });

    it("refuses a non-admin linking someone else's account with 403 naming user", async () => {
      const account = await fastUser(t, 'doctor');
      const otherDoctorAccount = await fastUser(t, 'doctor');
      const body = { name: 'Dr Link', specialization: 'Linking', user: account.id };
      expectFieldError(await t.as(creator).post('/api/doctors/').send(body), 'user', 403);
      const refused = await t.as(otherDoctorAccount).post('/api/doctors/').send(body);
      expectFieldError(refused, 'user', 403);
      expect(refused.body.detail).toMatch(/only an admin/i);

      const doctor = await newDoctor(t, creator);
      expectFieldError(await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ user: account.id }), 'user', 403);
      expect((await t.as(creator).get(`/api/doctors/${doctor.id}/`)).body.user).toBeNull();
    });

    it('lets a doctor account name itself on its first profile (the automatic link, asked for)', async () => {
      const account = await fastUser(t, 'doctor');
      const doctor = await newDoctor(t, account, { user: account.id });
      expect(doctor.user).toBe(account.id);
    });

    it('lets no one but an admin link an existing profile, not even its creator to itself', async () => {
      const { account, profile } = await newDoctorAccount(t);
      expect((await t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: null })).body.user).toBeNull();
      for (const send of [
        () => t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: account.id }),
        () => t.as(account).put(`/api/doctors/${profile.id}/`).send({ name: 'Dr Back', specialization: 'Back', user: account.id }),
      ]) {
        expectFieldError(await send(), 'user', 403);
      }
      expect((await t.as(account).get(`/api/doctors/${profile.id}/`)).body).toMatchObject({ user: null, version: 2 });
      const relinked = await t.as(admin).patch(`/api/doctors/${profile.id}/`).send({ user: account.id });
      expect(relinked.status, relinked.text).toBe(200);
      expect(relinked.body.user).toBe(account.id);
    });

    it('lets a linked account unlink itself but not move its link to another account', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const other = await fastUser(t, 'doctor');
      expectFieldError(await t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: other.id }), 'user', 403);
      expect((await t.as(account).get(`/api/doctors/${profile.id}/`)).body.user).toBe(account.id);
      // Sending the link it already has changes nothing and is not refused.
      const same = await t
        .as(account)
        .put(`/api/doctors/${profile.id}/`)
        .send({ name: 'Dr Same', specialization: 'Same', user: account.id });
      expect(same.status, same.text).toBe(200);
      const unlinked = await t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: null });
      expect(unlinked.status, unlinked.text).toBe(200);
      expect(unlinked.body.user).toBeNull();
    });

    it('audits every change of the link, with the accounts before and after, and refused attempts as denied', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const other = await fastUser(t, 'doctor');
      expect((await t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: null })).status).toBe(200);
      expect((await t.as(admin).patch(`/api/doctors/${profile.id}/`).send({ user: other.id })).status).toBe(200);
      expect((await t.as(admin).patch(`/api/doctors/${profile.id}/`).send({ name: 'Dr Renamed' })).status).toBe(200);
      // Last: a refused attempt's entry is batched, so a change right after it could share its millisecond and sort before it.
      expectProblem(await t.as(account).patch(`/api/doctors/${profile.id}/`).send({ user: account.id }), 403);

      const events = (await auditEvents(t, admin, { entity: 'doctor', entity_id: profile.id })).reverse();
      expect(events.map((e) => [e.actor, e.action, e.outcome, e.changed_fields])).toEqual([
        [account.id, 'create', 'success', ['name', 'email', 'specialization', 'user']],
        [account.id, 'link', 'success', ['user', 'old_user:none', `new_user:${account.id}`]],
        [account.id, 'update', 'success', ['user']],
        [account.id, 'unlink', 'success', ['user', `old_user:${account.id}`, 'new_user:none']],
        [admin.id, 'update', 'success', ['user']],
        [admin.id, 'link', 'success', ['user', 'old_user:none', `new_user:${other.id}`]],
        [admin.id, 'update', 'success', ['name']],
        [account.id, 'link', 'denied', ['user', `old_user:${other.id}`, `new_user:${account.id}`]],
      ]);
    });

    it('lets an admin link a doctor account, but not a patient account', async () => {
      const account = await fastUser(t, 'doctor');
      const linked = await newDoctor(t, admin, { user: account.id });
      expect(linked.user).toBe(account.id);

      expectFieldError(await t.as(admin).post('/api/doctors/').send({ name: 'Dr P', specialization: 'P', user: creator.id }), 'user');
      const doctor = await newDoctor(t, admin);
      expectFieldError(await t.as(admin).patch(`/api/doctors/${doctor.id}/`).send({ user: stranger.id }), 'user');
    });

    it('refuses linking an account that does not exist, naming user', async () => {
      const [{ max }] = await t.db.query<{ max: number }[]>('SELECT max(id) AS max FROM users');
      const res = await t
        .as(admin)
        .post('/api/doctors/')
        .send({ name: 'Dr Nobody', specialization: 'None', user: Number(max) + 1000 });
      expectFieldError(res, 'user');
    });

    it('refuses linking an account to a second live profile with 409 naming user', async () => {
      const { account } = await newDoctorAccount(t);
      const res = await t.as(admin).post('/api/doctors/').send({ name: 'Dr Twice', specialization: 'Twice', user: account.id });
      expectFieldError(res, 'user', 409);
    });
  });

  describe('optimistic concurrency', () => {
    it('refuses an outdated If-Match with 412 and changes nothing', async () => {
      const doctor = await newDoctor(t, creator, { availability: 'Mornings' });
      const first = await t.as(creator).patch(`/api/doctors/${doctor.id}/`).set('If-Match', '"1"').send({ availability: 'Evenings' });
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe('"2"');

      expectProblem(await t.as(creator).patch(`/api/doctors/${doctor.id}/`).set('If-Match', '"1"').send({ availability: 'Never' }), 412);
      expectProblem(
        await t.as(creator).put(`/api/doctors/${doctor.id}/`).set('If-Match', '"1"').send({ name: 'Dr Lost', specialization: 'Lost' }),
        412,
      );
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      expect(read.body).toMatchObject({ name: doctor.name, availability: 'Evenings', version: 2 });
      expect(read.headers.etag).toBe('"2"');
    });

    it('accepts the current ETag and answers the next one; writes without If-Match too', async () => {
      const doctor = await newDoctor(t, creator);
      const read = await t.as(creator).get(`/api/doctors/${doctor.id}/`);
      const res = await t.as(creator).patch(`/api/doctors/${doctor.id}/`).set('If-Match', read.headers.etag).send({ experience_years: 9 });
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      const blind = await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ experience_years: 10 });
      expect(blind.status).toBe(200);
      expect(blind.body).toMatchObject({ experience_years: 10, version: 3 });
    });
  });

  describe('delete', () => {
    it('soft-deletes: 204, then 404 and gone from the directory, with the row kept', async () => {
      const doctor = await newDoctor(t, creator);
      const res = await t.as(creator).delete(`/api/doctors/${doctor.id}/`);
      expect(res.status).toBe(204);
      expectProblem(await t.as(creator).get(`/api/doctors/${doctor.id}/`), 404);
      expectProblem(await t.as(creator).patch(`/api/doctors/${doctor.id}/`).send({ name: 'Ghost' }), 404);
      expectProblem(await t.as(creator).delete(`/api/doctors/${doctor.id}/`), 404);
      expectList(
        await t
          .as(creator)
          .get('/api/doctors/')
          .query({ search: doctor.name as string }),
        0,
      );
      const [row] = await t.db.query<{ deleted_at: Date | null }[]>('SELECT deleted_at FROM doctors WHERE id = $1', [doctor.id]);
      expect(row.deleted_at).toBeInstanceOf(Date);
    });

    it('ends its assignments, so its doctor account no longer sees the patient', async () => {
      const { account, profile } = await newDoctorAccount(t);
      const patient = await newPatient(t, creator);
      const mapping = await assign(t, creator, patient.id, profile.id);
      expect((await t.as(account).get(`/api/patients/${patient.id}/`)).status).toBe(200);

      expect((await t.as(account).delete(`/api/doctors/${profile.id}/`)).status).toBe(204);

      const [row] = await t.db.query<{ is_active: boolean; ended_at: Date | null }[]>(
        'SELECT is_active, ended_at FROM patient_doctor_mappings WHERE id = $1',
        [mapping.id],
      );
      expect(row.is_active).toBe(false);
      expect(row.ended_at).toBeInstanceOf(Date);
      expectList(await t.as(creator).get(`/api/patients/${patient.id}/doctors/`), 0);
      expectProblem(await t.as(account).get(`/api/patients/${patient.id}/`), 404);
    });

    it('frees the email, license number and account link for a new doctor', async () => {
      const { account, profile } = await newDoctorAccount(t, { license_number: uniqueName('LIC-') });
      expect((await t.as(account).delete(`/api/doctors/${profile.id}/`)).status).toBe(204);
      const again = await t
        .as(account)
        .post('/api/doctors/')
        .send({ name: 'Dr Again', specialization: 'Again', email: profile.email, license_number: profile.license_number });
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      expect(again.body).toMatchObject({ email: profile.email, license_number: profile.license_number, user: account.id });
    });
  });
});
