import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TestApp } from './support/test-app';

interface Operation {
  operationId?: string;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  security?: Record<string, string[]>[];
  components: { securitySchemes?: Record<string, { type: string; scheme: string; bearerFormat?: string }> };
}

/** Every public operation: anonymous callers may use them, so the document must say so. */
const PUBLIC_OPERATIONS = [
  ['post', '/api/auth/register'],
  ['post', '/api/auth'],
  ['post', '/api/auth/login'],
  ['post', '/api/token'],
  ['post', '/api/auth/token/refresh'],
  ['post', '/api/auth/refresh'],
  ['post', '/api/token/refresh'],
  ['post', '/api/auth/logout'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
] as const;

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Document;
  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http().get('/swagger.json')).body as Document;
  });
  afterAll(() => t.close());

  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`no ${method.toUpperCase()} ${path} in the document (paths: ${Object.keys(doc.paths).join(', ')})`);
    return found;
  };

  it('serves Swagger UI at /swagger', async () => {
    for (const path of ['/swagger', '/swagger/']) {
      const res = await t.http().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toMatch(/swagger-ui/i);
    }
  });

  it('serves the same JSON document at /swagger.json and /swagger-json', async () => {
    const [json, nestStyle] = await Promise.all([t.http().get('/swagger.json'), t.http().get('/swagger-json')]);
    for (const res of [json, nestStyle]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
    }
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.info.title).toBe('Healthcare backend API');
    expect(nestStyle.body).toEqual(json.body);
  });

  it('serves the document as YAML at /swagger.yaml', async () => {
    const res = await t.http().get('/swagger.yaml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/yaml/);
    expect(res.text).toMatch(/^openapi: 3\./m);
    expect(res.text).toContain('/api/auth/login:');
  });

  it('declares the bearer scheme and requires it globally', () => {
    expect(doc.components.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it.each(PUBLIC_OPERATIONS)('marks %s %s public with an empty security requirement', (method, path) => {
    expect(operation(method, path).security).toEqual([]);
  });

  it('leaves protected operations under the global bearer requirement', () => {
    for (const [method, path] of [
      ['get', '/api/auth/me'],
      ['get', '/api/users'],
      ['get', '/api/users/{id}'],
      ['patch', '/api/users/{id}'],
    ]) {
      const security = operation(method, path).security;
      expect(security === undefined || security.some((requirement) => 'bearer' in requirement), `${method} ${path}`).toBe(true);
    }
  });

  it('names operations after their controller methods', () => {
    expect(operation('get', '/api/users').operationId).toBe('listUsers');
    expect(operation('patch', '/api/users/{id}').operationId).toBe('updateUser');
  });

  it('keeps its internal public marker out of the document', () => {
    expect(JSON.stringify(doc)).not.toContain('x-public');
  });

  it('documents only the /api routes and the health probes', () => {
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\/(api\/|health\/)/);
  });
});
