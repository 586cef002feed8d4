import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../package.json';
import { startTestApp, TestApp } from './support/test-app';

interface Reference {
  $ref: string;
}
interface Response {
  description: string;
  headers?: Record<string, Reference>;
  content?: Record<string, { schema?: unknown; example?: unknown }>;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string; minimum?: number };
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, Response | Reference>;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string; description?: string; contact?: object; license?: { name: string; url?: string } };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  security?: Record<string, string[]>[];
  components: {
    securitySchemes?: Record<string, { type: string; scheme: string; bearerFormat?: string }>;
    schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }>;
    responses: Record<string, Response>;
  };
}

/** The committed document: the one built by `npm run openapi` from the compiled code, with the Swagger plugin's additions. */
const committed = JSON.parse(readFileSync('openapi.json', 'utf8')) as Document;
const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
const resolve = (document: Document, response: Response | Reference): Response =>
  '$ref' in response ? document.components.responses[response.$ref.split('/').pop()!] : response;

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

  it('serves ReDoc at /redoc, with its bundle from this server', async () => {
    const page = await t.http().get('/redoc');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<redoc spec-url="/swagger.json">');
    expect(page.text).not.toMatch(/<script>|https?:\/\//);
    const bundle = await t.http().get('/redoc/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });

  it('has the same operations as the committed openapi.json (else run npm run openapi)', () => {
    const list = (document: Document) =>
      operationsOf(document).map(({ method, path, operation }) => `${method} ${path} ${operation.operationId}`);
    expect(list(doc).sort()).toEqual(list(committed).sort());
  });
});

describe('the committed openapi.json', () => {
  const operations = operationsOf(committed);

  it('is the document of this version of the service, with contact and license', () => {
    expect(committed.openapi).toMatch(/^3\.0\./);
    expect(committed.info.version).toBe(version);
    expect(committed.info.description).toMatch(/Versioning/);
    expect(committed.info.contact).toBeDefined();
    expect(committed.info.license).toMatchObject({ name: 'MIT', url: expect.stringMatching(/^https:/) });
  });

  it('gives every operation a unique camelCase operationId, one declared tag, a summary and a description', () => {
    const declaredTags = new Set(committed.tags?.map((tag) => tag.name));
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, operation } of operations) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      expect(operation.tags, where).toHaveLength(1);
      expect(declaredTags.has(operation.tags![0]), where).toBe(true);
      expect(operation.summary, where).toMatch(/\S/);
      expect(operation.description, where).toMatch(/\S/);
    }
    expect(committed.tags?.every((tag) => tag.description)).toBe(true);
  });

  it('answers every error as a Problem under application/problem+json, and every response with X-Request-Id', () => {
    for (const { method, path, operation } of operations) {
      for (const [status, declared] of Object.entries(operation.responses)) {
        const response = resolve(committed, declared);
        const where = `${method} ${path} ${status}`;
        expect(response.description, where).toMatch(/\S/);
        expect(response.headers?.['X-Request-Id'], where).toEqual({ $ref: '#/components/headers/X-Request-Id' });
        if (Number(status) >= 400) {
          expect(response.content, where).toEqual({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } });
        }
        if (status === '401') expect(response.headers?.['WWW-Authenticate'], where).toBeDefined();
        if (status === '429') expect(response.headers?.['Retry-After'], where).toBeDefined();
      }
    }
    expect(committed.components.schemas.Problem.required).toEqual(['type', 'title', 'status', 'detail', 'instance', 'request_id']);
  });

  it('documents 401 on every protected operation, and the rate limit, validation and body problems of every /api operation', () => {
    for (const { method, path, operation } of operations.filter(({ path }) => path.startsWith('/api/'))) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(operation.responses);
      if (operation.security?.length !== 0) expect(statuses, where).toContain('401');
      expect(statuses, where).toEqual(expect.arrayContaining(['429', '500', '503']));
      if (operation.parameters?.some((parameter) => parameter.in !== 'header') || operation.requestBody)
        expect(statuses, where).toContain('400');
      if (operation.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
    }
  });

  it('types every path id as a positive integer', () => {
    for (const { method, path, operation } of operations) {
      for (const parameter of operation.parameters?.filter((parameter) => parameter.in === 'path') ?? []) {
        expect(parameter.schema, `${method} ${path} ${parameter.name}`).toMatchObject({ type: 'integer', minimum: 1 });
      }
    }
  });

  it('gives every request body an example, and every list the X-Total-Count and Link headers', () => {
    for (const { method, path, operation } of operations) {
      if (operation.requestBody) expect(operation.requestBody.content['application/json'].example, `${method} ${path}`).toBeDefined();
      const ok = operation.responses['200'] && resolve(committed, operation.responses['200']);
      if (
        ok?.content?.['application/json'] &&
        (ok.content['application/json'].schema as { type?: string }).type === 'array' &&
        operation.parameters?.some((p) => p.name === 'page')
      ) {
        expect(Object.keys(ok.headers ?? {}), `${method} ${path}`).toEqual(expect.arrayContaining(['X-Total-Count', 'Link']));
      }
    }
  });

  it('sends ETag on the single-record reads and writes, and accepts If-Match on updates', () => {
    for (const [method, path] of [
      ['get', '/api/patients/{id}'],
      ['patch', '/api/patients/{id}'],
      ['post', '/api/doctors'],
      ['get', '/api/appointments/{id}'],
      ['put', '/api/doctors/{id}/schedule'],
    ]) {
      const operation = committed.paths[path][method];
      const success = resolve(committed, operation.responses['200'] ?? operation.responses['201']);
      expect(success.headers?.ETag, `${method} ${path}`).toEqual({ $ref: '#/components/headers/ETag' });
    }
    const update = committed.paths['/api/patients/{id}'].patch;
    expect(update.parameters?.filter((parameter) => parameter.in === 'header')).toEqual([
      expect.objectContaining({ name: 'If-Match', required: false }),
    ]);
    expect(Object.keys(update.responses)).toContain('412');
  });

  it('marks the aliases kept for older clients deprecated, pointing to their canonical operation', () => {
    const deprecated = operations.filter(({ operation }) => operation.deprecated).map(({ operation }) => operation.operationId);
    expect(deprecated.sort()).toEqual([
      'listPatientDoctorsByDoctorsPath',
      'listPatientDoctorsByMappingPath',
      'listPatientDoctorsByPatientPath',
      'loginViaToken',
      'refreshTokenViaAuthRefresh',
      'refreshTokenViaTokenRefresh',
      'registerViaAuth',
    ]);
    expect(committed.paths['/api/token'].post.description).toMatch(/^Alias of `POST \/api\/auth\/login`/);
  });

  it('keeps the internal markers of the decorators out', () => {
    expect(JSON.stringify(committed)).not.toMatch(/"x-(public|etag)"/);
  });
});
