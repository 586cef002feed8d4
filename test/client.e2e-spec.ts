import createClient, { type Middleware } from 'openapi-fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { components, paths } from './client/schema';
import { TEST_PASSWORD, uniqueName, useTestApp } from './support/test-app';

type Problem = components['schemas']['Problem'];

/**
 * The main flow of an integrator, through a client generated from openapi.json
 * (`npm run openapi:client`: openapi-typescript types, openapi-fetch calls) against a real
 * listening server. It type-checks against the generated types, so a change to the document
 * that breaks this client fails `tsc` before it fails here; and like every e2e suite, each
 * response is also validated against openapi.json by the contract check of the test app.
 */
describe('a client generated from openapi.json (e2e)', () => {
  const t = useTestApp();
  let baseUrl: string;
  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });

  /** A client whose requests carry the current access token, as an integrator would write it. */
  function authorizedClient(session: { access: string }) {
    const client = createClient<paths>({ baseUrl });
    const auth: Middleware = {
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${session.access}`);
        return request;
      },
    };
    client.use(auth);
    return client;
  }

  it('registers, logs in, books, lists page by page, refreshes the token and logs out', async () => {
    const anonymous = createClient<paths>({ baseUrl });
    const username = uniqueName('client');

    // Register: the account and a first token pair.
    const registered = await anonymous.POST('/api/auth/register', {
      body: { username, email: `${username}@clinic.example`, password: TEST_PASSWORD },
    });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.user).toMatchObject({ username, role: 'patient', is_active: true });
    expect(registered.data?.tokens.access).toEqual(expect.any(String));

    // Log in with the username: a new session.
    const login = await anonymous.POST('/api/auth/login', { body: { username, password: TEST_PASSWORD } });
    expect(login.response.status).toBe(200);
    // The answer is the session, or the second step's token for an account with two-factor authentication.
    if (!login.data || !('access' in login.data)) throw new Error('login failed, or asked for a second factor');
    const session = { access: login.data.access, refresh: login.data.refresh };
    expect(login.data.user.last_login).not.toBeNull();
    const api = authorizedClient(session);

    const me = await api.GET('/api/auth/me');
    expect(me.data?.id).toBe(registered.data?.user.id);

    // A doctor in the directory and a patient of ours.
    const doctor = await api.POST('/api/doctors', {
      body: { name: 'Dr. Client', specialization: 'Cardiology', consultation_fee: '1500.5' },
    });
    expect(doctor.response.status).toBe(201);
    if (!doctor.data) throw new Error('creating the doctor failed');
    expect(doctor.data.consultation_fee).toBe('1500.50');
    expect(doctor.response.headers.get('ETag')).toBe(`"${doctor.data.version}"`);

    const patient = await api.POST('/api/patients', {
      body: { name: 'Client Patient', date_of_birth: '1990-04-12', gender: 'female', blood_group: 'O+' },
    });
    expect(patient.response.status).toBe(201);
    if (!patient.data) throw new Error('creating the patient failed');
    expect(patient.data.age).toBeGreaterThanOrEqual(30);

    // A write based on a stale ETag is refused, with a typed problem.
    const etag = patient.response.headers.get('ETag') ?? '';
    const changed = await api.PATCH('/api/patients/{id}', {
      params: { path: { id: patient.data.id }, header: { 'If-Match': etag } },
      body: { phone: '+1 555 0100' },
    });
    expect(changed.data?.version).toBe(patient.data.version + 1);
    const stale = await api.PATCH('/api/patients/{id}', {
      params: { path: { id: patient.data.id }, header: { 'If-Match': etag } },
      body: { phone: '+1 555 0101' },
    });
    expect(stale.response.status).toBe(412);
    const problem: Problem | undefined = stale.error;
    expect(problem).toMatchObject({ status: 412, request_id: stale.response.headers.get('X-Request-Id') });

    // Assign the doctor to the patient.
    const mapping = await api.POST('/api/mappings', { body: { patient: patient.data.id, doctor: doctor.data.id, notes: 'Referral' } });
    expect(mapping.response.status).toBe(201);
    expect(mapping.data?.doctor_details.name).toBe('Dr. Client');
    const doctors = await api.GET('/api/patients/{id}/doctors', { params: { path: { id: patient.data.id } } });
    expect(doctors.data?.map((d) => d.id)).toEqual([doctor.data.id]);

    // Book three appointments, a day apart, and an overlapping one that is refused.
    // A month ahead, on the hour: well within the booking horizon.
    const start = Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000;
    const booked: number[] = [];
    for (const day of [0, 1, 2]) {
      const appointment = await api.POST('/api/appointments', {
        body: {
          doctor: doctor.data.id,
          patient: patient.data.id,
          appointment_datetime: new Date(start + day * 86_400_000).toISOString(),
          duration_minutes: 30,
          reason: 'Check-up',
        },
      });
      expect(appointment.response.status).toBe(201);
      expect(appointment.data?.status).toBe('SCHEDULED');
      booked.push(appointment.data!.id);
    }
    const overlap = await api.POST('/api/appointments', {
      body: { doctor: doctor.data.id, patient: patient.data.id, appointment_datetime: new Date(start + 10 * 60_000).toISOString() },
    });
    expect(overlap.response.status).toBe(409);
    expect(overlap.error?.detail).toBe('Doctor already has an appointment at this time.');

    // List two per page: the total in X-Total-Count, the next page in Link.
    const first = await api.GET('/api/appointments', { params: { query: { patient: patient.data.id, page_size: 2 } } });
    expect(first.response.status).toBe(200);
    expect(first.data?.map((a) => a.id)).toEqual(booked.slice(0, 2));
    expect(first.response.headers.get('X-Total-Count')).toBe('3');
    const next = /<([^>]+)>; rel="next"/.exec(first.response.headers.get('Link') ?? '')?.[1];
    expect(next).toBeDefined();
    const nextPage = Number(new URL(next!, baseUrl).searchParams.get('page'));
    const second = await api.GET('/api/appointments', { params: { query: { patient: patient.data.id, page_size: 2, page: nextPage } } });
    expect(second.data?.map((a) => a.id)).toEqual(booked.slice(2));
    expect(second.response.headers.get('Link')).not.toContain('rel="next"');

    // Refresh: a new pair; the spent refresh token is refused afterwards.
    const refreshed = await anonymous.POST('/api/auth/token/refresh', { body: { refresh: session.refresh } });
    expect(refreshed.response.status).toBe(200);
    if (!refreshed.data) throw new Error('refresh failed');
    const spent = session.refresh;
    Object.assign(session, refreshed.data);
    expect((await api.GET('/api/appointments/{id}', { params: { path: { id: booked[0] } } })).data?.id).toBe(booked[0]);

    // Log out: the session's refresh token is dead.
    const logout = await anonymous.POST('/api/auth/logout', { body: { refresh: session.refresh } });
    expect(logout.response.status).toBe(204);
    const afterLogout = await anonymous.POST('/api/auth/token/refresh', { body: { refresh: session.refresh } });
    expect(afterLogout.response.status).toBe(401);
    expect(afterLogout.response.headers.get('WWW-Authenticate')).toBe('Bearer');
    expect(afterLogout.error?.status).toBe(401);
    expect(spent).not.toBe(session.refresh);
  });

  it('gets typed problems for refused requests', async () => {
    const anonymous = createClient<paths>({ baseUrl });
    const missingToken = await anonymous.GET('/api/patients');
    expect(missingToken.response.status).toBe(401);
    expect(missingToken.response.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(missingToken.error?.title).toBe('Unauthorized');

    const user = await t.newUser();
    const api = authorizedClient(user);
    const invalid = await api.POST('/api/patients', { body: { name: '', email: 'not-an-email' } });
    expect(invalid.response.status).toBe(400);
    expect(Object.keys(invalid.error?.errors ?? {}).sort()).toEqual(['email', 'name']);

    const missing = await api.GET('/api/doctors/{id}', { params: { path: { id: 2_147_483_647 } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.instance).toBe('/api/doctors/2147483647');
  });
});
