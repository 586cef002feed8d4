import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import { Role } from '../../src/core/auth/role';
import { User } from '../../src/users/user.entity';
import { TEST_ACCESS_SECRET, TestApp, TestUser, uniqueName } from './test-app';

/** Factories and assertions for the specs of retained records (patients, doctors, mappings, audit). */

const jwt = new JwtService();

/**
 * An account written straight to the database, with an access token signed as the service signs
 * them: no argon2 hash and no register request, for the many extra actors these specs need. It
 * cannot log in. Use `t.newUser()` where registration itself matters.
 */
export async function fastUser(t: TestApp, role: 'patient' | 'doctor' = 'patient'): Promise<TestUser> {
  const username = uniqueName('fast');
  const user = await t.db
    .getRepository(User)
    .save({ username, email: `${username}@clinic.example`, passwordHash: 'not-a-hash', role: role as Role });
  const access = jwt.sign(
    { sub: String(user.id), jti: randomUUID(), username, role, type: 'access' },
    { secret: TEST_ACCESS_SECRET, algorithm: 'HS256', expiresIn: 900 },
  );
  return { id: user.id, username, email: user.email, role, password: '', access, refresh: '' };
}

export type Body = Record<string, unknown>;

/** Creates a patient owned by `owner` through the API; fails the test unless it is 201. */
export async function newPatient(t: TestApp, owner: TestUser, fields: Body = {}): Promise<Body & { id: number; version: number }> {
  const res = await t
    .as(owner)
    .post('/api/patients/')
    .send({ name: uniqueName('Patient '), ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Creates a doctor in the directory through the API, with a unique email; fails unless 201. */
export async function newDoctor(t: TestApp, creator: TestUser, fields: Body = {}): Promise<Body & { id: number; version: number }> {
  const name = uniqueName('Dr ');
  const res = await t
    .as(creator)
    .post('/api/doctors/')
    .send({ name, specialization: 'General Practice', email: `${name.replace(/\W/g, '').toLowerCase()}@doctors.example`, ...fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Assigns a doctor to a patient as `owner`; fails unless 201. */
export async function assign(t: TestApp, owner: TestUser, patient: number, doctor: number, notes?: string): Promise<Body & { id: number }> {
  const res = await t.as(owner).post('/api/mappings/').send({ patient, doctor, notes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A doctor-role account with its own doctor profile linked to it (it creates the profile itself). */
export async function newDoctorAccount(t: TestApp, fields: Body = {}): Promise<{ account: TestUser; profile: Body & { id: number } }> {
  const account = await fastUser(t, 'doctor');
  const profile = await newDoctor(t, account, fields);
  expect(profile.user).toBe(account.id);
  return { account, profile };
}

/** Asserts an RFC 9457 problem response of `status` whose request id matches the header. */
export function expectProblem(res: Response, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  expect(res.body.request_id).toBe(res.headers['x-request-id']);
}

/** Asserts a 400 (or `status`) problem naming `field` in `errors`. */
export function expectFieldError(res: Response, field: string, status = 400): void {
  expectProblem(res, status);
  expect(Object.keys(res.body.errors ?? {}), JSON.stringify(res.body)).toContain(field);
  expect(res.body.errors[field].length).toBeGreaterThan(0);
}

/** The body of a problem without the members that differ per request. */
export function problemShape(res: Response): Body {
  return Object.fromEntries(Object.entries(res.body as Body).filter(([key]) => key !== 'request_id' && key !== 'instance'));
}

export interface PageLink {
  path: string;
  page: number;
  pageSize: number;
  params: URLSearchParams;
}

/** Parses an RFC 8288 `Link` header into its relations. */
export function parseLinks(header: string | undefined): Record<string, PageLink> {
  const links: Record<string, PageLink> = {};
  if (!header) return links;
  for (const part of header.split(/,\s*(?=<)/)) {
    const match = /^<([^>]*)>\s*;\s*rel="([^"]+)"$/.exec(part.trim());
    if (!match) throw new Error(`malformed Link relation: ${part}`);
    const [path, search = ''] = match[1].split('?', 2);
    const params = new URLSearchParams(search);
    links[match[2]] = { path, page: Number(params.get('page')), pageSize: Number(params.get('page_size')), params };
  }
  return links;
}

/** Asserts a list response: a plain array with its total in X-Total-Count. */
export function expectList(res: Response, total: number): Body[] {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(Array.isArray(res.body)).toBe(true);
  expect(res.headers['x-total-count']).toBe(String(total));
  return res.body;
}

/** The audit trail through the API (which flushes pending entries first), as an admin. */
export async function auditEvents(t: TestApp, admin: TestUser, query: Record<string, string | number>): Promise<Body[]> {
  const res = await t
    .as(admin)
    .get('/api/audit-events/')
    .query({ page_size: 100, ...query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
