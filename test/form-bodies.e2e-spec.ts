import type { Response, Test } from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './support/problems';
import { Body, newDoctor, newPatient } from './support/records';
import { TEST_PASSWORD, TestUser, uniqueName, useTestApp } from './support/test-app';

/**
 * Bodies as the Django REST Framework clients this service replaces send them: form-urlencoded
 * (Python's `requests.post(url, data=…)`) and multipart (DRF's test client, HTML forms), read as
 * the fields' types and then validated as JSON; and server-owned fields echoed back, ignored.
 */

type Fields = [name: string, value: string][];

const BOUNDARY = '----FormBoundary7MA4YWxkTrZu0gW';

/** A multipart/form-data body written out by hand, as a browser or DRF's test client sends one. */
function multipartBody(fields: Fields, boundary = BOUNDARY): string {
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return `${parts.join('')}--${boundary}--\r\n`;
}

const ENCODINGS = {
  urlencoded: (req: Test, fields: Fields) =>
    req.set('Content-Type', 'application/x-www-form-urlencoded').send(new URLSearchParams(fields).toString()),
  multipart: (req: Test, fields: Fields) =>
    req.set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`).send(multipartBody(fields)),
};

const futureSlot = (days: number) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T10:00:00Z`;

describe('form bodies (e2e)', () => {
  const t = useTestApp();
  let owner: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    [owner, admin] = await Promise.all([t.newUser(), t.newAdmin()]);
  });

  describe.each(Object.entries(ENCODINGS))('sent %s', (encoding, send) => {
    const post = (path: string, fields: Fields, as: TestUser | undefined = owner) =>
      send(as ? t.as(as).post(path) : t.http().post(path), fields);

    it('creates a patient, an empty optional field read as null', async () => {
      const res = await post('/api/patients/', [
        ['name', 'Jane Form'],
        ['email', ''],
        ['phone', '+1 555 0100'],
        ['gender', 'F'],
        ['date_of_birth', '1990-04-12'],
      ]);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Jane Form',
        email: null,
        phone: '+1 555 0100',
        gender: 'female',
        date_of_birth: '1990-04-12',
      });
    });

    it('creates a doctor, its integer read as a number', async () => {
      const res = await post('/api/doctors/', [
        ['name', uniqueName('Dr Form ')],
        ['specialization', 'Cardiology'],
        ['experience_years', '12'],
        ['consultation_fee', '1500.00'],
        ['license_number', ''],
      ]);
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ experience_years: 12, consultation_fee: '1500.00', license_number: null });
    });

    it('assigns a doctor and books an appointment, ids and minutes read as numbers', async () => {
      const patient = await newPatient(t, owner);
      const doctor = await newDoctor(t, owner);
      const assignment = await post('/api/mappings/', [
        ['patient', String(patient.id)],
        ['doctor', String(doctor.id)],
        ['notes', 'Referral'],
      ]);
      expect(assignment.status, assignment.text).toBe(201);
      expect(assignment.body).toMatchObject({ patient: patient.id, doctor: doctor.id, notes: 'Referral', is_active: true });

      const appointment = await post('/api/appointments/', [
        ['doctor', String(doctor.id)],
        ['patient', String(patient.id)],
        ['appointment_datetime', futureSlot(encoding === 'urlencoded' ? 5 : 6)],
        ['duration_minutes', '45'],
        ['reason', ''],
      ]);
      expect(appointment.status, appointment.text).toBe(201);
      expect(appointment.body).toMatchObject({
        doctor: doctor.id,
        patient: patient.id,
        duration_minutes: 45,
        reason: null,
        status: 'SCHEDULED',
      });
    });

    it('registers, an empty optional field without null left out, and logs in', async () => {
      const username = uniqueName('form');
      const registered = await post(
        '/api/auth/register/',
        [
          ['username', username],
          ['email', `${username}@clinic.example`],
          ['password', TEST_PASSWORD],
          ['role', ''],
        ],
        undefined,
      );
      expect(registered.status, registered.text).toBe(201);
      expect(registered.body.user).toMatchObject({ username, role: 'patient' });

      const login = await post(
        '/api/auth/login/',
        [
          ['username', username],
          ['password', TEST_PASSWORD],
        ],
        undefined,
      );
      expect(login.status, login.text).toBe(200);
      expect(login.body).toMatchObject({ access: expect.any(String), refresh: expect.any(String), user: { username } });
    });

    it('answers the same 400 field errors as the same values in JSON', async () => {
      const fields: Fields = [
        ['name', ''],
        ['specialization', 'x'.repeat(101)],
        ['experience_years', 'twelve'],
        ['email', 'not-an-email'],
      ];
      const form = await post('/api/doctors/', fields);
      const json = await t.as(owner).post('/api/doctors/').send(Object.fromEntries(fields));
      expectProblem(form, 400);
      expectProblem(json, 400);
      expect(Object.keys(form.body.errors).sort()).toEqual(['email', 'experience_years', 'name', 'specialization']);
      expect(form.body.errors).toEqual(json.body.errors);
      // A required field left out is named as in JSON too.
      const missing = await post('/api/doctors/', [['name', 'Dr Nobody']]);
      expectProblem(missing, 400);
      expect(missing.body.errors).toEqual((await t.as(owner).post('/api/doctors/').send({ name: 'Dr Nobody' })).body.errors);
    });

    it('refuses a field nobody knows, a nested-looking key included, naming it', async () => {
      for (const key of ['zzz', 'name[first]', 'created_by_id', 'toString', 'hasOwnProperty', 'valueOf']) {
        const res = await post('/api/patients/', [
          ['name', 'Unknown Field'],
          [key, '1'],
        ]);
        expectProblem(res, 400);
        expect(res.body.errors, key).toEqual({ [key]: ['This field is not allowed.'] });
      }
    });

    it('refuses a key repeated for a field that takes one value, as JSON refuses a list there', async () => {
      const res = await post('/api/patients/', [
        ['name', 'First'],
        ['name', 'Second'],
      ]);
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['name']);
    });

    it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key with 400', async (key) => {
      const res = await post('/api/patients/', [
        ['name', 'Polluter'],
        [key, 'x'],
      ]);
      expectProblem(res, 400);
      expect(res.body.detail).toBe(`The request body may not have a field named ${key}.`);
    });

    it('refuses more than 100 fields and a field name over 100 bytes with 400', async () => {
      const many = await post(
        '/api/patients/',
        Array.from({ length: 101 }, () => ['name', 'x'] as [string, string]),
      );
      expectProblem(many, 400);
      expect(many.body.detail).toBe('The request body has more than 100 fields.');
      const long = await post('/api/patients/', [
        ['name', 'x'],
        ['k'.repeat(101), 'x'],
      ]);
      expectProblem(long, 400);
      expect(long.body.detail).toBe('The request body has a field name longer than 100 bytes.');
    });

    it('refuses a body over the limit with 413 problem+json, before reading it', async () => {
      const res = await post('/api/patients/', [
        ['name', 'Big'],
        ['medical_history', 'x'.repeat(1_100_000)],
      ]);
      expectProblem(res, 413);
      expect(res.body.detail).toBe('The request body is larger than the service accepts.');
    });

    it('ignores server-owned fields, which change nothing', async () => {
      const other = await t.newUser();
      const res = await post('/api/patients/', [
        ['name', 'Owned'],
        ['id', '999999'],
        ['created_by', String(other.id)],
        ['created_at', '2000-01-01T00:00:00Z'],
        ['version', '42'],
        ['owner', String(other.id)],
      ]);
      expect(res.status, res.text).toBe(201);
      expect(res.body.id).not.toBe(999999);
      expect(res.body).toMatchObject({ name: 'Owned', created_by: owner.id, version: 1 });
      expect(res.body.created_at).not.toMatch(/^2000/);
    });
  });

  describe('coercion', () => {
    it("reads Django REST Framework's spellings of true and false for a boolean field", async () => {
      const account = await t.newUser();
      const path = `/api/users/${account.id}/`;
      for (const [value, expected] of [
        ['false', false],
        ['on', true],
        ['0', false],
        ['True', true],
        ['off', false],
        ['yes', true],
      ] as const) {
        const res = await ENCODINGS.urlencoded(t.as(admin).patch(path), [['is_active', value]]);
        expect(res.status, `${value}: ${res.text}`).toBe(200);
        expect(res.body.is_active, value).toBe(expected);
      }
      const odd = await ENCODINGS.multipart(t.as(admin).patch(path), [['is_active', 'maybe']]);
      expectProblem(odd, 400);
      expect(odd.body.errors).toEqual((await t.as(admin).patch(path).send({ is_active: 'maybe' })).body.errors);
    });

    it('leaves out an empty optional field that may not be null, so it keeps its value', async () => {
      const account = await t.newUser({ role: 'doctor' });
      const res = await ENCODINGS.multipart(t.as(admin).patch(`/api/users/${account.id}/`), [
        ['role', ''],
        ['is_active', ''],
      ]);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ role: 'doctor', is_active: true });
    });

    it('reads a lone value of a list field as a list of one, and a repeated key as a list', async () => {
      const doctor = await newDoctor(t, owner);
      const path = `/api/doctors/${doctor.id}/schedule/`;
      const base: Fields = [
        ['timezone', 'UTC'],
        ['slot_minutes', '30'],
      ];
      // Form keys are flat, so a schedule's entries cannot be objects: refused as the same list in JSON is.
      const lone = await ENCODINGS.urlencoded(t.as(owner).put(path), [...base, ['entries', 'monday']]);
      const loneJson = await t
        .as(owner)
        .put(path)
        .send({ timezone: 'UTC', slot_minutes: 30, entries: ['monday'] });
      expectProblem(lone, 400);
      expect(lone.body.errors).toEqual(loneJson.body.errors);
      expect(JSON.stringify(lone.body.errors)).not.toMatch(/must be an array/);

      const repeated = await ENCODINGS.multipart(t.as(owner).put(path), [...base, ['entries', 'monday'], ['entries', 'tuesday']]);
      const repeatedJson = await t
        .as(owner)
        .put(path)
        .send({ timezone: 'UTC', slot_minutes: 30, entries: ['monday', 'tuesday'] });
      expectProblem(repeated, 400);
      expect(repeated.body.errors).toEqual(repeatedJson.body.errors);
    });

    it('leaves JSON bodies as they are: a number sent as a string is still refused', async () => {
      const res = await t
        .as(owner)
        .post('/api/doctors/')
        .send({ name: uniqueName('Dr Json '), specialization: 'X', experience_years: '12' });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['experience_years']);
    });
  });

  describe('multipart specifics', () => {
    it('refuses a file part with 400: the service takes no uploads', async () => {
      const body =
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nWith File\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="medical_history"; filename="history.txt"\r\nContent-Type: text/plain\r\n\r\nasthma\r\n` +
        `--${BOUNDARY}--\r\n`;
      const res = await t.as(owner).post('/api/patients/').set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`).send(body);
      expectProblem(res, 400);
      expect(res.body.detail).toBe('The request body has a file part; the service takes no uploads.');
    });

    it('refuses a file attached as a client library does, too', async () => {
      const res = await t.as(owner).post('/api/patients/').field('name', 'Attached').attach('photo', Buffer.from('GIF89a'), 'photo.gif');
      expectProblem(res, 400);
    });

    it('accepts the multipart body a client library builds', async () => {
      const res = await t.as(owner).post('/api/patients/').field('name', 'Library Form').field('blood_group', 'o+');
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ name: 'Library Form', blood_group: 'O+' });
    });

    it.each([
      ['without a boundary', 'multipart/form-data', multipartBody([['name', 'x']])],
      ['cut short', `multipart/form-data; boundary=${BOUNDARY}`, multipartBody([['name', 'x']]).slice(0, -30)],
      ['not multipart at all', `multipart/form-data; boundary=${BOUNDARY}`, 'name=x'],
    ])('refuses a malformed multipart body (%s) with 400', async (_, contentType, body) => {
      const res = await t.as(owner).post('/api/patients/').set('Content-Type', contentType).send(body);
      expectProblem(res, 400);
    });
  });

  describe('a content type without a body', () => {
    it('deletes with Content-Type: application/json and an empty body', async () => {
      const patient = await newPatient(t, owner);
      const res = await t.as(owner).delete(`/api/patients/${patient.id}/`).set('Content-Type', 'application/json').send('');
      expect(res.status, res.text).toBe(204);
      expect((await t.as(owner).get(`/api/patients/${patient.id}/`)).status).toBe(404);
    });

    it.each(['application/x-www-form-urlencoded', `multipart/form-data; boundary=${BOUNDARY}`])(
      'deletes with Content-Type: %s and an empty body too',
      async (type) => {
        const patient = await newPatient(t, owner);
        const res = await t.as(owner).delete(`/api/patients/${patient.id}/`).set('Content-Type', type).send('');
        expect(res.status, res.text).toBe(204);
      },
    );

    it('takes an empty JSON body on a write as no body: the required fields are named', async () => {
      const res = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send('');
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'password', 'username']);
    });
  });

  describe('server-owned fields', () => {
    /** The fields a read answers that are the service's own, with values a client should never be able to set. */
    const forged = (other: TestUser): Body => ({
      id: 999_999,
      created_by: other.id,
      created_at: '2000-01-01T00:00:00.000Z',
      updated_at: '2000-01-01T00:00:00.000Z',
      version: 999,
      owner: other.id,
      doctor_details: { id: 1, name: 'Forged' },
      patient_details: { id: 1 },
      assigned_at: '2000-01-01T00:00:00Z',
      assigned_by: other.id,
      assigned_by_username: 'forger',
    });

    it('takes back what a read answered: GET, change one field, PUT it, and nothing server-owned changes', async () => {
      const other = await t.newUser();
      const doctor = await newDoctor(t, owner, { experience_years: 3 });
      const read = await t.as(owner).get(`/api/doctors/${doctor.id}/`);
      expect(read.status).toBe(200);
      const res = await t
        .as(owner)
        .put(`/api/doctors/${doctor.id}/`)
        .send({ ...read.body, ...forged(other), experience_years: 4, id: read.body.id + 1 });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({
        id: doctor.id,
        experience_years: 4,
        created_by: owner.id,
        created_at: read.body.created_at,
        version: read.body.version + 1,
      });
      expect(res.body.updated_at).not.toBe('2000-01-01T00:00:00.000Z');
      const reread = await t.as(owner).get(`/api/doctors/${doctor.id}/`);
      expect(reread.body).toEqual(res.body);
      expect((await t.as(owner).get(`/api/doctors/${doctor.id + 1}/`)).status).not.toBe(200);
    });

    it('ignores them on a patch and on creating an assignment too', async () => {
      const other = await t.newUser();
      const patient = await newPatient(t, owner, { phone: '+1 555 0100' });
      const patched = await t
        .as(owner)
        .patch(`/api/patients/${patient.id}/`)
        .send({ ...forged(other), phone: '+1 555 0111' });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ id: patient.id, phone: '+1 555 0111', created_by: owner.id, version: patient.version + 1 });

      const doctor = await newDoctor(t, owner);
      const assignment = await t
        .as(owner)
        .post('/api/mappings/')
        .send({ ...forged(other), patient: patient.id, doctor: doctor.id });
      expect(assignment.status, assignment.text).toBe(201);
      expect(assignment.body.created_by).toBe(owner.id);
      expect(assignment.body.assigned_date).not.toMatch(/^2000/);
      expect(assignment.body.doctor_details.name).toBe(doctor.name);
    });

    it('still refuses a field nobody knows beside them', async () => {
      const res: Response = await t.as(owner).post('/api/patients/').send({ name: 'Mixed', id: 5, password_hash: 'x', created_by_id: 1 });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors).sort()).toEqual(['created_by_id', 'password_hash']);
    });
  });

  describe('keys every object inherits', () => {
    it.each(['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'])(
      'refuses %s in a JSON body as the unknown field it is (the whitelist alone let it through)',
      async (key) => {
        const res = await t
          .as(owner)
          .post('/api/patients/')
          .send({ name: 'Inherited', [key]: 'x' });
        expectProblem(res, 400);
        expect(res.body.errors).toEqual({ [key]: ['This field is not allowed.'] });
      },
    );
  });

  describe('content types', () => {
    it.each(['application/x-www-form-urlencoded; charset=UTF-8', 'Application/X-WWW-Form-Urlencoded'])(
      'reads a form sent as %s (jQuery adds the charset)',
      async (type) => {
        const res = await t.as(owner).post('/api/patients/').set('Content-Type', type).send('name=Charset+%C3%89lise&phone=');
        expect(res.status, res.text).toBe(201);
        expect(res.body).toMatchObject({ name: 'Charset Élise', phone: null });
      },
    );

    it('still answers 415 to text/plain, naming what it reads', async () => {
      const res = await t.as(owner).post('/api/patients/').set('Content-Type', 'text/plain').send('name=x');
      expectProblem(res, 415);
      expect(res.body.detail).toBe(
        'Unsupported content type; send application/json, application/x-www-form-urlencoded or multipart/form-data.',
      );
    });

    it('documents the form media types beside JSON where every field is a plain value, and only JSON for a schedule', async () => {
      const document = (await t.http().get('/swagger.json')).body as {
        paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
      };
      const media = (path: string, method: string) => Object.keys(document.paths[path][method].requestBody?.content ?? {}).sort();
      const all = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
      expect(media('/api/patients', 'post')).toEqual(all);
      expect(media('/api/auth/login', 'post')).toEqual(all);
      expect(media('/api/appointments/{id}', 'patch')).toEqual(all);
      expect(media('/api/doctors/{id}/schedule', 'put')).toEqual(['application/json']);
    });
  });
});
