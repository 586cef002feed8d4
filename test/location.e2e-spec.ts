import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, TestUser, uniqueName, useTestApp } from './support/test-app';

interface Document {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { headers?: Record<string, unknown> }> }>>;
}

/** A week ahead on the hour: inside the booking horizon, and any time suits a doctor without a schedule. */
const nextWeek = () => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 7 * 86_400_000).toISOString();

describe('Location of created records (e2e)', () => {
  const t = useTestApp();
  let owner: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    [owner, admin] = await Promise.all([t.newUser(), t.newAdmin()]);
  });

  /** POSTs `body` to `path` as `user`, expects 201 with a Location, and reads that URL back as `reader`. */
  async function created(
    path: string,
    body: object,
    user: TestUser | undefined,
    locate: (created: { id: number }) => string,
    reader = user,
  ) {
    const res = user ? await t.as(user).post(path).send(body) : await t.http().post(path).send(body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const location = res.headers.location;
    expect(location).toBe(locate(res.body));
    const read = await t.as(reader!).get(location);
    expect(read.status, `GET ${location}: ${JSON.stringify(read.body)}`).toBe(200);
    return { created: res.body as { id: number }, read: read.body as { id: number } };
  }

  it('points a created patient to /api/patients/{id}/', async () => {
    const { created: patient, read } = await created('/api/patients/', { name: 'Located Patient' }, owner, (p) => `/api/patients/${p.id}/`);
    expect(read).toEqual(patient);
  });

  it('points a created doctor to /api/doctors/{id}/', async () => {
    const { created: doctor, read } = await created(
      '/api/doctors/',
      { name: 'Dr Located', specialization: 'Cardiology' },
      owner,
      (d) => `/api/doctors/${d.id}/`,
    );
    expect(read.id).toBe(doctor.id);
  });

  it('points a booked appointment to /api/appointments/{id}/', async () => {
    const patient = (await t.as(owner).post('/api/patients/').send({ name: 'Booking Patient' })).body as { id: number };
    const doctor = (await t.as(owner).post('/api/doctors/').send({ name: 'Dr Booked', specialization: 'Cardiology' })).body as {
      id: number;
    };
    const { created: appointment, read } = await created(
      '/api/appointments/',
      { patient: patient.id, doctor: doctor.id, appointment_datetime: nextWeek() },
      owner,
      (a) => `/api/appointments/${a.id}/`,
    );
    expect(read).toEqual(appointment);
  });

  it.each(['/api/auth/register/', '/api/auth/'])(
    'points an account registered at %s to /api/users/{id}/, which admins read',
    async (path) => {
      const username = uniqueName();
      const body = { username, email: `${username}@clinic.example`, password: TEST_PASSWORD, role: 'patient' };
      const located = (registered: unknown) => `/api/users/${(registered as { user: { id: number } }).user.id}/`;
      const { created: registered, read } = await created(path, body, undefined, located, admin);
      expect(read).toEqual((registered as unknown as { user: object }).user);
    },
  );

  it('sends no Location with an assignment, whose /api/mappings/{id}/ lists the doctors of patient {id} instead', async () => {
    const patient = (await t.as(owner).post('/api/patients/').send({ name: 'Assigned Patient' })).body as { id: number };
    const doctor = (await t.as(owner).post('/api/doctors/').send({ name: 'Dr Assigned', specialization: 'Cardiology' })).body as {
      id: number;
    };
    const res = await t.as(owner).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBeUndefined();
  });

  it('sends no Location with an answer other than 201', async () => {
    const res = await t.as(owner).post('/api/patients/').send({});
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });

  it('documents Location on the 201 of every creating operation but the assignment and the clinic invitation', async () => {
    const doc = (await t.http().get('/swagger.json')).body as Document;
    const creating = Object.values(doc.paths).flatMap((item) => Object.values(item).filter((operation) => operation.responses['201']));
    const located = creating.filter((operation) => operation.responses['201'].headers?.Location).map((operation) => operation.operationId);
    expect(located.sort()).toEqual([
      'createAppointment',
      'createClinic',
      'createDoctor',
      'createPatient',
      'createUser',
      'createWebhook',
      'register',
      'registerViaAuth',
    ]);
    // An invitation has no URL of its own to read: its member answers under the clinic's members.
    expect(creating.map((operation) => operation.operationId).sort()).toEqual([...located, 'createMapping', 'inviteClinicMember'].sort());
  });
});
