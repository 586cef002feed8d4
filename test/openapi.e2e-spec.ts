import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { version } from '../package.json';
import { DEFAULT_PAGE_SIZE } from '../src/core/pagination/pagination';
import { parseLinks } from './support/records';
import { useTestApp } from './support/test-app';

interface Reference {
  $ref: string;
}
interface Response {
  description: string;
  headers?: Record<string, Reference>;
  content?: Record<string, { schema?: unknown; example?: unknown }>;
}
interface Schema {
  type?: string;
  minimum?: number;
  example?: unknown;
  examples?: unknown;
  default?: unknown;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
  examples?: unknown;
  content?: Record<string, { example?: unknown; examples?: unknown }>;
  schema?: Schema;
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
    schemas: Record<string, Schema & { required?: string[]; properties?: Record<string, unknown> }>;
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

/**
 * The values Swagger UI's "Try it out" (5.x, `ParameterRow.setDefaultValue`) puts into an optional
 * parameter, which it then sends: the parameter's `examples`, its content's `example`, its
 * `example`, its schema's `example` or `default` (the schema resolved, `oneOf`/`anyOf` merged in).
 */
function prefilled(document: Document, parameter: Parameter): unknown[] {
  const values: unknown[] = [parameter.example, parameter.examples];
  for (const media of Object.values(parameter.content ?? {})) values.push(media.example, media.examples);
  const walk = (schema: Schema | undefined, depth = 0): void => {
    if (!schema || depth > 5) return;
    values.push(schema.example, schema.examples, schema.default);
    if (schema.$ref) walk(document.components.schemas[schema.$ref.split('/').pop()!], depth + 1);
    for (const part of [...(schema.allOf ?? []), schema.oneOf?.[0], schema.anyOf?.[0]]) walk(part, depth + 1);
  };
  walk(parameter.schema);
  return values.filter((value) => value !== undefined);
}

/** The server's own defaults: a filled-in value equal to one of these changes nothing (checked below). */
const SERVER_DEFAULTS: Record<string, unknown> = { page: 1, page_size: DEFAULT_PAGE_SIZE, ordering: 'id' };

/** Optional parameters whose Try-it-out value would change the answer: each as `method path name=value`. */
function prefilledFilters(document: Document): string[] {
  return operationsOf(document).flatMap(({ method, path, operation }) =>
    (operation.parameters ?? [])
      .filter((parameter) => !parameter.required)
      .flatMap((parameter) =>
        prefilled(document, parameter)
          .filter((value) => !(parameter.in === 'query' && parameter.name in SERVER_DEFAULTS && value === SERVER_DEFAULTS[parameter.name]))
          .map((value) => `${method} ${path} ${parameter.in} ${parameter.name}=${JSON.stringify(value)}`),
      ),
  );
}

/** What each error status's example must say, beside its status and title. */
const EXAMPLE_DETAILS: Record<string, RegExp> = {
  '400': /invalid|malformed/i,
  '401': /credentials|token/i,
  '403': /permission|only|may not/i,
  '404': /not found/i,
  '409': /conflict|already/i,
  '412': /changed since/i,
  '413': /larger/i,
  '415': /content type/i,
  '429': /too many requests/i,
  '500': /unexpected/i,
  '503': /unavailable/i,
};

/** Every public operation: anonymous callers may use them, so the document must say so. */
const PUBLIC_OPERATIONS = [
  ['post', '/api/auth/register'],
  ['post', '/api/auth'],
  ['post', '/api/auth/login'],
  ['post', '/api/auth/login/mfa'],
  ['post', '/api/token'],
  ['post', '/api/auth/token/refresh'],
  ['post', '/api/auth/refresh'],
  ['post', '/api/token/refresh'],
  ['post', '/api/auth/logout'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
] as const;

describe('OpenAPI document (e2e)', () => {
  const t = useTestApp();
  let doc: Document;
  beforeAll(async () => {
    doc = (await t.http().get('/swagger.json')).body as Document;
  });

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
      ['post', '/api/users'],
      ['post', '/api/users/{id}/sessions/end'],
      ['post', '/api/users/{id}/password-reset'],
      ['patch', '/api/auth/me'],
    ]) {
      const security = operation(method, path).security;
      expect(security === undefined || security.some((requirement) => 'bearer' in requirement), `${method} ${path}`).toBe(true);
    }
  });

  it('names operations after their controller methods', () => {
    expect(operation('get', '/api/users').operationId).toBe('listUsers');
    expect(operation('patch', '/api/users/{id}').operationId).toBe('updateUser');
    expect(operation('post', '/api/users').operationId).toBe('createUser');
    expect(operation('patch', '/api/auth/me').operationId).toBe('updateMe');
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

  it('answers GET / with an index of the API, its documentation and the health probes, every link working', async () => {
    const res = await t.http().get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      name: 'Healthcare backend API',
      version,
      api: '/api/',
      docs: { swagger_ui: '/swagger', redoc: '/redoc', openapi_json: '/swagger.json', openapi_yaml: '/swagger.yaml' },
      health: { live: '/health/live', ready: '/health/ready' },
    });
    for (const link of [...Object.values(res.body.docs), ...Object.values(res.body.health)] as string[]) {
      expect((await t.http().get(link)).status, link).toBe(200);
    }
  });

  it("leaves every optional parameter empty in Swagger UI's Try it out, but for the server's own defaults", () => {
    expect(prefilledFilters(doc)).toEqual([]);
    expect(prefilledFilters(committed)).toEqual([]);
  });

  it('lists the same with the defaults Swagger UI fills in as without them', async () => {
    const admin = await t.newAdmin();
    const patient = (await t.as(admin).post('/api/patients/').send({ name: 'Zed Defaults' })).body as { id: number };
    await t.as(admin).post('/api/patients/').send({ name: 'Amy Defaults' });
    const doctor = (await t.as(admin).post('/api/doctors/').send({ name: 'Dr Zed', specialization: 'Zoology' })).body as { id: number };
    await t.as(admin).post('/api/doctors/').send({ name: 'Dr Amy', specialization: 'Anatomy' });
    await t.as(admin).post('/api/mappings/').send({ patient: patient.id, doctor: doctor.id });
    const clinic = (await t.as(admin).post('/api/clinics/').send({ name: 'Defaults Clinic', timezone: 'UTC' })).body as { id: number };
    // Turned off at once: it makes no delivery, and its (empty) delivery log is a list like any other.
    const webhook = (
      await t
        .as(admin)
        .post('/api/webhooks/')
        .send({ url: 'https://93.184.215.14/hooks', events: ['patient.deleted'] })
    ).body as {
      id: number;
    };
    expect((await t.as(admin).patch(`/api/webhooks/${webhook.id}/`).send({ active: false })).status).toBe(200);
    let compared = 0;
    for (const { method, path, operation } of operationsOf(doc).filter(({ method }) => method === 'get')) {
      const defaults = (operation.parameters ?? []).filter(
        (parameter) => parameter.in === 'query' && parameter.schema?.default !== undefined,
      );
      if (defaults.length === 0) continue;
      // Every path id of a list is a patient's, but a clinic's and a webhook's.
      const id = path.startsWith('/api/clinics/') ? clinic.id : path.startsWith('/api/webhooks/') ? webhook.id : patient.id;
      const url = `${path.replace(/\{[^}]+\}/g, String(id))}/`;
      const query = defaults.map((parameter) => `${parameter.name}=${encodeURIComponent(String(parameter.schema!.default))}`).join('&');
      const [plain, filled] = await Promise.all([t.as(admin).get(url), t.as(admin).get(`${url}?${query}`)]);
      expect([plain.status, filled.status], `${method} ${path}`).toEqual([200, 200]);
      expect(filled.body, `${url}?${query}`).toEqual(plain.body);
      expect(filled.headers['x-total-count']).toBe(plain.headers['x-total-count']);
      const last = (res: typeof plain) => parseLinks(res.headers.link).last;
      expect([last(filled).page, last(filled).pageSize], `${url}?${query}`).toEqual([last(plain).page, last(plain).pageSize]);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it('gives every error response an example problem of its own status', () => {
    for (const document of [doc, committed]) {
      for (const { method, path, operation } of operationsOf(document)) {
        for (const [status, declared] of Object.entries(operation.responses).filter(([status]) => Number(status) >= 400)) {
          const where = `${method} ${path} ${status}`;
          const example = resolve(document, declared).content?.['application/problem+json']?.example as Record<string, unknown>;
          expect(example, where).toMatchObject({
            type: 'about:blank',
            title: STATUS_CODES[status],
            status: Number(status),
            detail: expect.stringMatching(EXAMPLE_DETAILS[status] ?? /./),
            instance: expect.stringMatching(/^\//),
            request_id: expect.any(String),
          });
          expect(EXAMPLE_DETAILS[status], `${where}: a status without an expected detail here`).toBeDefined();
        }
      }
    }
  });

  it('loads nothing from another site on the documentation pages, which their Content-Security-Policy would block', async () => {
    // ReDoc's footer logo comes from its CDN; no option of ReDoc 2 hides it, so the bundle is served without it.
    const bundle = await t.http().get('/redoc/redoc.standalone.js');
    expect(bundle.text.includes('https://cdn.redoc.ly/'), "ReDoc's bundle loads the Redocly logo from its CDN").toBe(false);
    expect(/\bsrc:\s*"https?:[^"]*"/.exec(bundle.text)?.[0], 'an image or script from another site').toBeUndefined();
    const swagger = await t.http().get('/swagger/');
    const resources = [...swagger.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((match) => match[1]);
    expect(resources.length).toBeGreaterThan(3);
    for (const resource of resources) expect(resource, resource).not.toMatch(/^(https?:)?\/\//);
    // Swagger UI's validator badge is an image from validator.swagger.io.
    const init = await t.http().get('/swagger/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toMatch(/"validatorUrl":\s*null/);
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
          expect(Object.keys(response.content ?? {}), where).toEqual(['application/problem+json']);
          expect(response.content?.['application/problem+json'].schema, where).toEqual({ $ref: '#/components/schemas/Problem' });
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
      'listPatientMappings',
      'loginViaToken',
      'refreshTokenViaAuthRefresh',
      'refreshTokenViaTokenRefresh',
      'registerViaAuth',
    ]);
    expect(committed.paths['/api/token'].post.description).toMatch(/^Alias of `POST \/api\/auth\/login`/);
    expect(committed.paths['/api/mappings/patient/{patient_id}'].get.description).toContain(
      '`GET /api/mappings/?patient={patient_id}&is_active=true`',
    );
  });

  it('keeps the internal markers of the decorators out', () => {
    expect(JSON.stringify(committed)).not.toMatch(/"x-(public|etag)"/);
  });
});
