import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from './support/problems';
import { TestUser, useTestApp } from './support/test-app';
import { insertUser } from './support/tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('errors and request ids (e2e)', () => {
  const t = useTestApp();
  let user: TestUser;
  beforeAll(async () => {
    user = await insertUser(t.db);
  });

  describe('request body', () => {
    it('answers 400 problem+json to malformed JSON, without echoing the parser', async () => {
      const res = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send('{"username": "a", ');
      expectProblem(res, 400);
      expect(res.body.instance).toBe('/api/auth/login/');
      expect(res.body.detail).toBe('The request body is not valid JSON.');
    });

    it('takes an empty body that claims to be JSON as no body: 400 naming the required fields', async () => {
      const res = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send('');
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'password', 'username']);
    });

    it.each([
      ['text/plain', 'username=a&password=b'],
      ['application/xml', '<login><username>a</username></login>'],
    ])('answers 415 problem+json to a %s body, naming the types it reads', async (type, body) => {
      const res = await t.http().post('/api/auth/login/').set('Content-Type', type).send(body);
      expectProblem(res, 415);
      expect(res.body.detail).toBe(
        'Unsupported content type; send application/json, application/x-www-form-urlencoded or multipart/form-data.',
      );
    });

    it('reads a form-encoded body as it reads JSON: wrong credentials are 401, not 415', async () => {
      const res = await t.http().post('/api/auth/login/').type('form').send({ username: 'a', password: 'b' });
      expectProblem(res, 401);
    });

    it.each(['"just a string"', '[1, 2]', '42'])('answers 400 problem+json to the JSON body %s, which is not an object', async (body) => {
      const res = await t.http().post('/api/auth/login/').set('Content-Type', 'application/json').send(body);
      expectProblem(res, 400);
      expect(res.body.detail).toBe('The request body must be a JSON object.');
    });

    it('refuses a __proto__ key in a JSON body', async () => {
      const res = await t
        .http()
        .post('/api/auth/login/')
        .set('Content-Type', 'application/json')
        .send('{"__proto__": {"isAdmin": true}, "username": "a", "password": "b"}');
      expectProblem(res, 400);
    });

    describe('with BODY_LIMIT_BYTES=2048', () => {
      const small = useTestApp({ BODY_LIMIT_BYTES: '2048' });

      it('answers 413 problem+json to a larger body', async () => {
        const res = await small
          .http()
          .post('/api/auth/login/')
          .send({ username: 'someone', password: 'x'.repeat(4096) });
        expectProblem(res, 413);
        expect(res.body.detail).toBe('The request body is larger than the service accepts.');
        expect(res.text).not.toContain('xxxx');
      });

      it('still accepts a body under the limit', async () => {
        // Read and validated (400 naming the missing login), not refused for its size.
        const res = await small
          .http()
          .post('/api/auth/login/')
          .send({ password: 'x'.repeat(1000) });
        expectProblem(res, 400);
        expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'username']);
      });
    });
  });

  describe('routing', () => {
    it.each([
      ['GET', '/api/nothing-here'],
      ['GET', '/api/users/1/extra/'],
      ['POST', '/api/auth/me/'],
      ['DELETE', '/api/auth/login/'],
      ['GET', '/nothing-here/'],
      ['GET', '/api/health/live'],
    ])('answers %s %s with 404 problem+json', async (method, path) => {
      const req = method === 'GET' ? t.http().get(path) : method === 'POST' ? t.http().post(path) : t.http().delete(path);
      const res = await req;
      expectProblem(res, 404);
      expect(res.body.instance).toBe(path);
    });

    it.each(['/health/live', '/health/live/', '/health/ready', '/health/ready/'])('serves the probe %s outside /api', async (path) => {
      const res = await t.http().get(path);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ok');
    });
  });

  describe('ids and text the database could not hold', () => {
    it.each(['0', '-1', '2147483648', '99999999999', '1.5', 'abc'])('answers a path id of %s with 400 naming the id', async (id) => {
      const res = await t.as(user).get(`/api/patients/${id}/`);
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors as object)).toEqual(['id']);
    });

    it('answers the largest possible id with a plain 404', async () => {
      expectProblem(await t.as(user).get('/api/patients/2147483647/'), 404);
    });

    it('answers a body id beyond the integer range with 400 naming the field', async () => {
      const res = await t.as(user).post('/api/mappings/').send({ patient: 2147483648, doctor: 1 });
      expectProblem(res, 400);
      expect(res.body.errors).toHaveProperty('patient');
    });

    it('answers text with a NUL byte with 400, never 500', async () => {
      expectProblem(await t.as(user).post('/api/patients/').send({ name: 'a\u0000b' }), 400);
      expectProblem(await t.as(user).get('/api/patients/?search=%00'), 400);
    });
  });

  describe('problem members', () => {
    it('gives every problem type, title, status, detail, instance and request_id', async () => {
      const responses = [
        await t.http().get('/api/auth/me/'), // 401
        await t.as(user).get('/api/users/'), // 403
        await t.http().get('/api/missing'), // 404
        await t.http().post('/api/auth/register/').send({ username: 'x' }), // 400
      ];
      expect(responses.map((res) => res.status)).toEqual([401, 403, 404, 400]);
      for (const res of responses) {
        expectProblem(res, res.status);
        expect(res.body.title).not.toBe('');
        expect(res.body.detail).not.toBe('');
      }
    });
  });

  describe('X-Request-Id', () => {
    it('echoes a safe incoming id in the header and in request_id', async () => {
      const id = 'client-abc_123.45:6';
      const res = await t.http().get('/api/missing').set('X-Request-Id', id);
      expectProblem(res, 404);
      expect(res.headers['x-request-id']).toBe(id);
      expect(res.body.request_id).toBe(id);
    });

    it('echoes the id on successful responses too', async () => {
      const res = await t.as(user).get('/api/auth/me/').set('X-Request-Id', 'trace-42');
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('trace-42');
    });

    it.each([
      ['with spaces and markup', 'bad id <script>'],
      ['with a newline-like escape', 'abc%0d%0aSet-Cookie:x'],
      ['longer than 128 characters', 'a'.repeat(129)],
    ])('replaces an unsafe id %s with a fresh one', async (_, id) => {
      const res = await t.http().get('/api/missing').set('X-Request-Id', id);
      expectProblem(res, 404);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });

    it('makes up a different id for each request without one', async () => {
      const [one, two] = await Promise.all([t.http().get('/api/missing'), t.http().get('/api/missing')]);
      expect(one.body.request_id).toMatch(UUID);
      expect(two.body.request_id).toMatch(UUID);
      expect(one.body.request_id).not.toBe(two.body.request_id);
    });
  });

  describe('when the database is gone', () => {
    const broken = useTestApp();
    let brokenUser: TestUser;
    beforeAll(async () => {
      brokenUser = await insertUser(broken.db);
      await broken.db.destroy();
    });

    it('answers a problem that names no internals, with the request id', async () => {
      const res = await broken.as(brokenUser).get('/api/auth/me/').set('X-Request-Id', 'when-db-down');
      expect(res.status).toBeGreaterThanOrEqual(500);
      expectProblem(res, res.status);
      expect(res.body.request_id).toBe('when-db-down');
      expect(res.text).not.toMatch(/typeorm|postgres|stack|at .*\.ts|Connection/i);
    });

    it('reports not ready, while live still answers', async () => {
      expect((await broken.http().get('/health/live')).status).toBe(200);
      expect((await broken.http().get('/health/ready')).status).toBe(503);
    });
  });
});
