import { beforeAll, describe, expect, it } from 'vitest';
import { Body, expectFieldError, expectList, newDoctor, newPatient } from './support/records';
import { TestUser, uniqueName, useTestApp } from './support/test-app';

/** The field names the clients of the five Django projects send (issue 16, "The seeds' field names"). */

const thisYear = new Date().getUTCFullYear();
const uniqueEmail = () => `${uniqueName('seed')}@doctors.example`;

type Schema = { properties: Record<string, { deprecated?: boolean; description?: string }>; required?: string[] };

describe("the seeds' field names (e2e)", () => {
  const t = useTestApp();
  let owner: TestUser;

  beforeAll(async () => {
    owner = await t.newUser();
  });

  /** GET a record, change it as `change` says, PUT it back whole: what old clients do. */
  async function putBack(path: string, change: (read: Body) => Body) {
    const read = await t.as(owner).get(path);
    expect(read.status).toBe(200);
    return t
      .as(owner)
      .put(path)
      .send(change(read.body as Body));
  }

  /** A record as read, without what a client would not send back (server-owned fields stay out of this slice). */
  const writable = (body: Body, ...keep: string[]) => Object.fromEntries(Object.entries(body).filter(([key]) => keep.includes(key)));

  describe('patients', () => {
    const PATIENT_FIELDS = [
      'name',
      'first_name',
      'last_name',
      'phone',
      'email',
      'date_of_birth',
      'age',
      'gender',
      'address',
      'medical_history',
    ];

    it.each(['contact', 'contact_number'])('takes %s for phone on POST, PUT and PATCH', async (alias) => {
      const created = await newPatient(t, owner, { [alias]: '+1 555 0100' });
      expect(created.phone).toBe('+1 555 0100');
      expect(created).not.toHaveProperty(alias);
      const put = await t
        .as(owner)
        .put(`/api/patients/${created.id}/`)
        .send({ name: created.name, [alias]: '555 0101' });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.phone).toBe('555 0101');
      const patch = await t
        .as(owner)
        .patch(`/api/patients/${created.id}/`)
        .send({ [alias]: '555 0102' });
      expect(patch.status, JSON.stringify(patch.body)).toBe(200);
      expect(patch.body.phone).toBe('555 0102');
      expect((await t.as(owner).get(`/api/patients/${created.id}/`)).body.phone).toBe('555 0102');
    });

    it('lets the alias win over the phone a client read and sends back beside it', async () => {
      const created = await newPatient(t, owner, { phone: '555 0100' });
      const res = await putBack(`/api/patients/${created.id}/`, (read) => ({ ...writable(read, ...PATIENT_FIELDS), contact: '555 0199' }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.phone).toBe('555 0199');
    });

    it('refuses two aliases of phone with different values, naming both', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ name: 'Two Phones', contact: '555 0100', contact_number: '555 0111' });
      expectFieldError(res, 'contact');
      expectFieldError(res, 'contact_number');
    });

    it('names the alias the client sent in its validation errors', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ name: 'Bad Phone', contact_number: 'call me' });
      expectFieldError(res, 'contact_number');
      expect(res.body.errors.contact_number).toEqual(['contact_number must be a telephone number']);
      expect(res.body.errors).not.toHaveProperty('phone');
    });

    it("creates seed 004's patient, answering first_name and last_name beside name", async () => {
      const res = await t.as(owner).post('/api/patients/').send({
        first_name: 'Asha',
        last_name: 'Rao Kumar',
        date_of_birth: '1990-04-12',
        gender: 'F',
        contact_number: '9876543210',
        email: 'asha@example.com',
        address: 'Bengaluru',
        medical_history: 'None',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Asha Rao Kumar',
        first_name: 'Asha',
        last_name: 'Rao Kumar',
        gender: 'female',
        phone: '9876543210',
      });
      const list = expectList(await t.as(owner).get('/api/patients/').query({ search: 'Rao Kumar' }), 1);
      expect(list[0]).toMatchObject({ first_name: 'Asha', last_name: 'Rao Kumar' });
    });

    it('answers a one-word name as first_name with an empty last_name', async () => {
      const created = await newPatient(t, owner, { name: 'Cher' });
      expect(created).toMatchObject({ first_name: 'Cher', last_name: '' });
    });

    it('takes name and its parts together on create when they agree, and refuses them when not', async () => {
      const agreed = await newPatient(t, owner, { name: 'Ann Lee', first_name: 'Ann', last_name: 'Lee' });
      expect(agreed.name).toBe('Ann Lee');
      const res = await t.as(owner).post('/api/patients/').send({ name: 'Ann Lee', first_name: 'Anna', last_name: 'Lee' });
      for (const field of ['name', 'first_name', 'last_name']) expectFieldError(res, field);
    });

    it('refuses parts that join to nothing, naming them', async () => {
      const res = await t.as(owner).post('/api/patients/').send({ first_name: '', last_name: ' ' });
      expectFieldError(res, 'first_name');
      expectFieldError(res, 'last_name');
    });

    it('takes the changed first_name when a client puts back name unchanged', async () => {
      const created = await newPatient(t, owner, { name: 'Ravi Shankar' });
      const res = await putBack(`/api/patients/${created.id}/`, (read) => ({ ...writable(read, ...PATIENT_FIELDS), first_name: 'Anand' }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ name: 'Anand Shankar', first_name: 'Anand', last_name: 'Shankar' });
    });

    it('takes the changed name when a client puts back first_name and last_name unchanged', async () => {
      const created = await newPatient(t, owner, { name: 'Ravi Shankar' });
      const res = await putBack(`/api/patients/${created.id}/`, (read) => ({
        ...writable(read, ...PATIENT_FIELDS),
        name: 'Ravi S. Menon',
      }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ name: 'Ravi S. Menon', first_name: 'Ravi', last_name: 'S. Menon' });
    });

    it('takes name and parts changed alike, and refuses them changed differently', async () => {
      const created = await newPatient(t, owner, { name: 'Ravi Shankar' });
      const path = `/api/patients/${created.id}/`;
      const alike = await t.as(owner).patch(path).send({ name: 'Mira Shankar', first_name: 'Mira' });
      expect(alike.status, JSON.stringify(alike.body)).toBe(200);
      expect(alike.body.name).toBe('Mira Shankar');
      const differently = await t.as(owner).patch(path).send({ name: 'Mira Nair', first_name: 'Tara' });
      expectFieldError(differently, 'name');
      expectFieldError(differently, 'first_name');
      expect((await t.as(owner).get(path)).body.name).toBe('Mira Shankar');
    });

    it.each([
      ['PATCH', 'last_name', 'Iyer', 'Ravi Iyer'],
      ['PATCH', 'first_name', 'Kiran', 'Kiran Shankar'],
      ['PUT', 'last_name', 'Iyer', 'Ravi Iyer'],
    ])('%s with only %s replaces just that part', async (method, part, value, expected) => {
      const created = await newPatient(t, owner, { name: 'Ravi Shankar' });
      const path = `/api/patients/${created.id}/`;
      const agent = t.as(owner);
      const res = await (method === 'PUT' ? agent.put(path) : agent.patch(path)).send({ [part]: value });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.name).toBe(expected);
    });

    it('ignores the computed age a client puts back beside the date of birth', async () => {
      const created = await newPatient(t, owner, { name: 'Aged Patient', date_of_birth: `${thisYear - 30}-01-01` });
      expect(created.age).toBe(30);
      const res = await putBack(`/api/patients/${created.id}/`, (read) => ({
        ...writable(read, ...PATIENT_FIELDS),
        date_of_birth: `${thisYear - 40}-01-01`,
      }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.age).toBe(40);
      const [row] = await t.db.query<{ age: number | null }[]>('SELECT age FROM patients WHERE id = $1', [created.id]);
      expect(row.age).toBeNull();
    });

    it('ignores an age sent for a patient who has a date of birth, and keeps one for a patient who has none', async () => {
      const withBirthDate = await newPatient(t, owner, { name: 'Born Patient', date_of_birth: `${thisYear - 30}-01-01`, age: 5 });
      const patched = await t.as(owner).patch(`/api/patients/${withBirthDate.id}/`).send({ age: 60 });
      expect(patched.status).toBe(200);
      expect(patched.body.age).toBe(30);
      const [row] = await t.db.query<{ age: number | null }[]>('SELECT age FROM patients WHERE id = $1', [withBirthDate.id]);
      expect(row.age).toBeNull();
      const cleared = await t.as(owner).patch(`/api/patients/${withBirthDate.id}/`).send({ date_of_birth: null, age: 61 });
      expect(cleared.body.age).toBe(61);
    });
  });

  describe('doctors', () => {
    const SEED_004_CODES: [string, string][] = [
      ['GP', 'General Practice'],
      ['CAR', 'Cardiology'],
      ['NEU', 'Neurology'],
      ['PED', 'Pediatrics'],
      ['ORTH', 'Orthopedics'],
      ['DERM', 'Dermatology'],
      ['PSY', 'Psychiatry'],
      ['RAD', 'Radiology'],
      ['SUR', 'Surgery'],
      ['OTH', 'Other'],
    ];

    it("creates seed 004's doctor: parts of the name, a specialization code, contact_number and hospital", async () => {
      const license = uniqueName('KA-');
      const res = await t.as(owner).post('/api/doctors/').send({
        first_name: 'Meera',
        last_name: 'Iyer',
        specialization: 'CAR',
        contact_number: '9876543210',
        email: uniqueEmail(),
        license_number: license,
        hospital: 'Jayadeva Institute',
        address: 'Bengaluru',
        experience_years: 12,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Meera Iyer',
        first_name: 'Meera',
        last_name: 'Iyer',
        specialization: 'Cardiology',
        phone: '9876543210',
        license_number: license,
        hospital: 'Jayadeva Institute',
        experience_years: 12,
      });
      expect((await t.as(owner).get(`/api/doctors/${res.body.id}/`)).body).toMatchObject({
        hospital: 'Jayadeva Institute',
        first_name: 'Meera',
      });
    });

    it.each(SEED_004_CODES)('stores the code %s as %s', async (code, name) => {
      const doctor = await newDoctor(t, owner, { specialization: code });
      expect(doctor.specialization).toBe(name);
    });

    it('keeps a specialization that only looks like a code in another case', async () => {
      expect((await newDoctor(t, owner, { specialization: 'Rad' })).specialization).toBe('Rad');
    });

    it("creates seed 000's doctor with speciality and contact, and seed 003's with experience", async () => {
      const zero = await t.as(owner).post('/api/doctors/').send({
        name: 'Dr Smith',
        speciality: 'Cardiology',
        contact: '9876543210',
        email: uniqueEmail(),
        availability: 'Mon-Fri, 10AM-5PM',
      });
      expect(zero.status, JSON.stringify(zero.body)).toBe(201);
      expect(zero.body).toMatchObject({ specialization: 'Cardiology', phone: '9876543210', availability: 'Mon-Fri, 10AM-5PM' });
      const three = await t.as(owner).post('/api/doctors/').send({ name: 'Dr Rao', specialization: 'Neurology', experience: 7 });
      expect(three.status, JSON.stringify(three.body)).toBe(201);
      expect(three.body.experience_years).toBe(7);
    });

    it.each<[string, Body, Body]>([
      ['speciality', { speciality: 'Oncology' }, { specialization: 'Oncology' }],
      ['a code as speciality', { speciality: 'NEU' }, { specialization: 'Neurology' }],
      ['experience', { experience: 9 }, { experience_years: 9 }],
      ['contact', { contact: '555 0123' }, { phone: '555 0123' }],
      ['contact_number', { contact_number: '555 0124' }, { phone: '555 0124' }],
      ['hospital', { hospital: 'City Hospital' }, { hospital: 'City Hospital' }],
    ])('takes %s on PUT (sent back over what was read) and on PATCH', async (_, sent, expected) => {
      const doctor = await newDoctor(t, owner, { phone: '555 0000', experience_years: 1 });
      const path = `/api/doctors/${doctor.id}/`;
      const keep = ['name', 'first_name', 'last_name', 'specialization', 'phone', 'email', 'experience_years', 'hospital'];
      const put = await putBack(path, (read) => ({ ...writable(read, ...keep), ...sent }));
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body).toMatchObject(expected);
      const other = await newDoctor(t, owner);
      const patch = await t.as(owner).patch(`/api/doctors/${other.id}/`).send(sent);
      expect(patch.status, JSON.stringify(patch.body)).toBe(200);
      expect(patch.body).toMatchObject(expected);
    });

    it('keeps the bounds of experience_years for experience, naming experience', async () => {
      const res = await t.as(owner).post('/api/doctors/').send({ name: 'Dr Negative', specialization: 'GP', experience: -1 });
      expectFieldError(res, 'experience');
      expect(res.body.errors).not.toHaveProperty('experience_years');
    });

    it('changes a doctor name through last_name alone', async () => {
      const doctor = await newDoctor(t, owner, { name: 'Meera Iyer' });
      const res = await t.as(owner).patch(`/api/doctors/${doctor.id}/`).send({ last_name: 'Nair' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ name: 'Meera Nair', first_name: 'Meera', last_name: 'Nair' });
    });

    it('finds a doctor by part of its hospital, and filters by a specialization code', async () => {
      const hospital = uniqueName('Sunrise Clinic ');
      const doctor = await newDoctor(t, owner, { hospital, specialization: 'DERM' });
      const found = expectList(
        await t
          .as(owner)
          .get('/api/doctors/')
          .query({ search: hospital.slice(8).toUpperCase() }),
        1,
      );
      expect(found[0]).toMatchObject({ id: doctor.id, hospital });
      const byCode = await t.as(owner).get('/api/doctors/').query({ specialization: 'DERM', search: hospital });
      expect(expectList(byCode, 1)[0]).toMatchObject({ id: doctor.id, specialization: 'Dermatology' });
    });

    it('refuses a hospital over 200 characters, and clears one with null', async () => {
      expectFieldError(
        await t
          .as(owner)
          .post('/api/doctors/')
          .send({ name: 'Dr Long', specialization: 'GP', hospital: 'h'.repeat(201) }),
        'hospital',
      );
      const doctor = await newDoctor(t, owner, { hospital: 'h'.repeat(200) });
      expect(doctor.hospital).toHaveLength(200);
      const cleared = await t.as(owner).patch(`/api/doctors/${doctor.id}/`).send({ hospital: null });
      expect(cleared.body.hospital).toBeNull();
    });
  });

  describe('assignments', () => {
    it.each(['reason', 'reason_for_assignment'])('takes %s for notes', async (alias) => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: patient.id, doctor: doctor.id, [alias]: 'Follow-up' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ notes: 'Follow-up', is_active: true });
      expect(res.body).not.toHaveProperty(alias);
    });

    it('lets reason_for_assignment win over notes sent beside it', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: patient.id, doctor: doctor.id, notes: 'old', reason_for_assignment: 'new' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.notes).toBe('new');
    });

    it('accepts is_active true and refuses false, naming is_active', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const refused = await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id, is_active: false });
      expectFieldError(refused, 'is_active');
      const res = await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id, is_active: true });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.is_active).toBe(true);
    });

    it('names an overlong reason as reason', async () => {
      const res = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ patient: 1, doctor: 1, reason: 'r'.repeat(2001) });
      expectFieldError(res, 'reason');
    });
  });

  describe('the OpenAPI document', () => {
    let schemas: Record<string, Schema>;
    beforeAll(async () => {
      schemas = ((await t.http().get('/swagger.json')).body as { components: { schemas: Record<string, Schema> } }).components.schemas;
    });

    it.each<[string, string, string, string]>([
      ['CreatePatientDto', 'contact', 'phone', '000'],
      ['CreatePatientDto', 'contact_number', 'phone', '004'],
      ['UpdatePatientDto', 'contact', 'phone', '000'],
      ['CreateDoctorDto', 'contact', 'phone', '000'],
      ['CreateDoctorDto', 'contact_number', 'phone', '004'],
      ['CreateDoctorDto', 'speciality', 'specialization', '000'],
      ['CreateDoctorDto', 'experience', 'experience_years', '003'],
      ['UpdateDoctorDto', 'speciality', 'specialization', '000'],
      ['CreateMappingDto', 'reason', 'notes', '000'],
      ['CreateMappingDto', 'reason_for_assignment', 'notes', '004'],
    ])('documents %s.%s as a deprecated alias of %s', (schema, alias, canonical, seed) => {
      const property = schemas[schema].properties[alias];
      expect(property).toMatchObject({ deprecated: true, description: `Alias of \`${canonical}\` (seed ${seed}).` });
      expect(schemas[schema].required ?? []).not.toContain(alias);
    });

    it('documents the name parts as deprecated inputs, returned beside name', () => {
      for (const schema of ['CreatePatientDto', 'UpdatePatientDto', 'CreateDoctorDto', 'UpdateDoctorDto']) {
        for (const part of ['first_name', 'last_name']) {
          expect(schemas[schema].properties[part], `${schema}.${part}`).toMatchObject({
            deprecated: true,
            description: expect.stringContaining('seed 004'),
          });
        }
      }
      for (const schema of ['PatientDto', 'DoctorDto'])
        expect(schemas[schema].required).toEqual(expect.arrayContaining(['first_name', 'last_name']));
      expect(schemas.DoctorDto.properties.hospital).toBeDefined();
      expect(schemas.CreateDoctorDto.properties.hospital).toBeDefined();
      expect(schemas.CreateMappingDto.properties.is_active).toMatchObject({ type: 'boolean', enum: [true] });
    });
  });
});
