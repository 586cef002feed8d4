import type { Response } from 'supertest';
import { expect } from 'vitest';

/** Asserts an RFC 9457 problem response with every member the service promises. */
export function expectProblem(res: Response, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.any(String),
    request_id: expect.any(String),
  });
  expect(res.headers['x-request-id']).toBe(res.body.request_id);
}

/** Asserts a 401 that tells the client to authenticate with a bearer token. */
export function expectUnauthorized(res: Response): void {
  expectProblem(res, 401);
  expect(res.headers['www-authenticate']).toBe('Bearer');
}
