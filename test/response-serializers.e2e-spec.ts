import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';
import fastJson from 'fast-json-stringify';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppointmentsService } from '../src/appointments/appointments.service';
import { AuthService } from '../src/auth/auth.service';
import { loadAppConfig } from '../src/core/config/app-config';
import { compiledResponses, forSerializer } from '../src/core/http/response-serializers';
import { buildOpenApiDocument } from '../src/core/openapi/openapi';
import { Page } from '../src/core/pagination/pagination';
import { DoctorsService } from '../src/doctors/doctors.service';
import { PatientsService } from '../src/patients/patients.service';
import { booked, newDoctor, newPatient } from './support/appointments';
import { toTemplate } from './support/contract';
import { TestUser, testEnv, useTestApp } from './support/test-app';

type Schema = SchemaObject | ReferenceObject;
type Components = Record<string, Schema>;
type Json = Record<string, unknown>;

/**
 * What JSON.stringify sends of `value` once cut to the documented shape: the schema's properties,
 * in the schema's order, and nothing else (but what `additionalProperties` lets through). Written
 * apart from the serializers, to check them.
 */
function documentedShape(value: unknown, schema: Schema, components: Components): unknown {
  if ('$ref' in schema) return documentedShape(value, components[schema.$ref.split('/').pop()!], components);
  if (schema.allOf?.length === 1) return documentedShape(value, schema.allOf[0], components);
  if (value === null || value === undefined) return value;
  if (schema.oneOf) {
    const branch = schema.oneOf.find((candidate) => {
      const resolved = '$ref' in candidate ? components[candidate.$ref.split('/').pop()!] : candidate;
      return ((resolved as SchemaObject).required ?? []).every((name) => (value as Json)[name] !== undefined);
    });
    return documentedShape(value, branch!, components);
  }
  if (Array.isArray(value) && schema.items) return value.map((item: unknown) => documentedShape(item, schema.items!, components));
  if (typeof value !== 'object' || value instanceof Date) return value;
  const source = value as Json;
  const shaped: Json = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (source[name] !== undefined) shaped[name] = documentedShape(source[name], property, components);
  }
  const others = Object.keys(source).filter((name) => !(name in (schema.properties ?? {})));
  for (const name of others) {
    if (schema.additionalProperties === true) shaped[name] = source[name];
    else if (schema.additionalProperties) shaped[name] = documentedShape(source[name], schema.additionalProperties, components);
  }
  return shaped;
}

describe('the compiled serializer of a documented schema', () => {
  const components: Components = {
    Status: { type: 'string', enum: ['scheduled', 'cancelled'] },
    DoctorSummary: {
      type: 'object',
      required: ['id', 'name'],
      properties: { id: { type: 'integer', example: 1 }, name: { type: 'string' } },
    },
    Visit: {
      type: 'object',
      required: ['id', 'starts_at', 'fee', 'status', 'doctor_details'],
      properties: {
        id: { type: 'integer', readOnly: true, example: 7 },
        notes: { type: 'string', nullable: true, maxLength: 100 },
        starts_at: { type: 'string', format: 'date-time' },
        born_on: { type: 'string', format: 'date', nullable: true },
        fee: { type: 'string', example: '1500.00', pattern: '^\\d+\\.\\d{2}$' },
        status: { allOf: [{ $ref: '#/components/schemas/Status' }] },
        doctor_details: { allOf: [{ $ref: '#/components/schemas/DoctorSummary' }], readOnly: true },
        tags: { type: 'array', items: { type: 'string' } },
        data: { type: 'object', additionalProperties: true },
        errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
      },
    },
    Tokens: {
      type: 'object',
      required: ['access', 'refresh'],
      properties: { access: { type: 'string' }, refresh: { type: 'string' } },
    },
    Challenge: {
      type: 'object',
      required: ['mfa_required', 'mfa_token'],
      properties: { mfa_required: { type: 'boolean' }, mfa_token: { type: 'string' } },
    },
  };
  const visitRef = { $ref: '#/components/schemas/Visit' };
  const serializerOf = (schema: Schema) => fastJson(forSerializer(schema, components));
  const visit = {
    id: 7,
    notes: null,
    starts_at: new Date('2030-06-03T08:00:00.000Z'),
    born_on: '1990-04-12',
    fee: '1500.00',
    status: 'scheduled',
    doctor_details: { id: 3, name: 'Dr "Quoted" \\ Back', email: 'leak@doctors.example' },
    tags: ['a', 'b'],
    data: { anything: { nested: [1, 'two', null] } },
    errors: { name: ['Too long.'] },
  };

  it('sends no field the schema does not declare, at the top or nested', () => {
    const sent = JSON.parse(serializerOf(visitRef)({ ...visit, password_hash: 'secret' })) as Json;
    expect(sent).not.toHaveProperty('password_hash');
    expect(sent.doctor_details).toEqual({ id: 3, name: 'Dr "Quoted" \\ Back' });
    expect(Object.keys(sent)).toEqual(Object.keys(visit));
  });

  it('sends exactly what JSON.stringify sends of the documented shape: Dates, nulls, money, enums, nested, arrays, free maps', () => {
    const serialize = serializerOf(visitRef);
    const lists = serializerOf({ type: 'array', items: visitRef });
    const other = { ...visit, starts_at: '2031-01-01T00:00:00.000Z', born_on: null, notes: 'Line\nbreak \u2028 é', tags: [] };
    for (const value of [visit, other]) {
      expect(serialize(value)).toBe(JSON.stringify(documentedShape(value, visitRef, components)));
    }
    expect(lists([visit, other])).toBe(JSON.stringify(documentedShape([visit, other], { type: 'array', items: visitRef }, components)));
    expect(lists([])).toBe('[]');
  });

  it('never alters a value: a null where the schema says non-nullable stays null, a missing required field stays absent', () => {
    const serialize = serializerOf(visitRef);
    const sent = JSON.parse(serialize({ ...visit, fee: null, doctor_details: null, tags: null, id: undefined })) as Json;
    expect(sent.fee).toBeNull();
    expect(sent.doctor_details).toBeNull();
    expect(sent.tags).toBeNull();
    expect(sent).not.toHaveProperty('id');
  });

  it('serializes each branch of a oneOf with its own fields, chosen by its required ones', () => {
    const serialize = serializerOf({ oneOf: [{ $ref: '#/components/schemas/Tokens' }, { $ref: '#/components/schemas/Challenge' }] });
    expect(serialize({ access: 'a', refresh: 'r', extra: 1 })).toBe('{"access":"a","refresh":"r"}');
    expect(serialize({ mfa_required: true, mfa_token: 't', extra: 1 })).toBe('{"mfa_required":true,"mfa_token":"t"}');
  });

  it('refuses a reference it cannot resolve or one that refers to itself', () => {
    expect(() => forSerializer({ $ref: '#/components/schemas/Nothing' }, components)).toThrow(/cannot resolve/);
    const loop: Components = { Node: { type: 'object', properties: { next: { $ref: '#/components/schemas/Node' } } } };
    expect(() => forSerializer({ $ref: '#/components/schemas/Node' }, loop)).toThrow(/recursive/);
  });
});

describe('response serializers (e2e)', () => {
  const t = useTestApp({ BOOKING_HORIZON_DAYS: '3650' });
  let owner: TestUser;
  /** The document as built: properties in declaration order, the order the serializers send. */
  let document: OpenAPIObject;
  let components: Components;

  beforeAll(async () => {
    owner = await t.newUser();
    document = buildOpenApiDocument(t.app, loadAppConfig(testEnv('postgres://unused/unused')));
    components = document.components!.schemas as Components;
  });
  afterEach(() => vi.restoreAllMocks());

  const schemaOf = (path: string, method: string, status: string): Schema => {
    const response = document.paths[path][method as 'get']!.responses[status] as { content: Record<string, { schema: Schema }> };
    return response.content['application/json'].schema;
  };

  /** Calls through to `method` of `service`, keeping what it returned. */
  function capture(service: object, method: string): { value?: unknown } {
    const target = service as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = target[method].bind(service);
    const captured: { value?: unknown } = {};
    vi.spyOn(target, method).mockImplementation(async (...args: unknown[]) => (captured.value = await original(...args)));
    return captured;
  }

  it('compiles a serializer for every JSON success response the document describes, and for no other', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>).flatMap(
        ([method, operation]) =>
          Object.entries(operation.responses)
            .filter(([status, response]) => /^2/.test(status) && response.content?.['application/json'])
            .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    const compiled = compiledResponses(t.app);
    const keys = compiled
      .filter(({ method }) => method !== 'HEAD')
      .map(({ method, url, status }) => `${method} ${toTemplate(url)} ${status}`);
    expect(documented.length).toBeGreaterThan(60);
    expect([...new Set(keys)].sort()).toEqual([...new Set(documented)].sort());
    // A GET's automatic HEAD route answers with the same Content-Length.
    const heads = compiled.filter(({ method }) => method === 'HEAD').map(({ url, status }) => `GET ${toTemplate(url)} ${status}`);
    expect(new Set(heads)).toEqual(new Set(keys.filter((key) => key.startsWith('GET '))));
  });

  it('drops a field a service returns that the document does not declare, from a record and from every item of a list', async () => {
    const patient = await newPatient(t, owner);
    const patients = t.app.get(PatientsService);
    const get = patients.get.bind(patients);
    const list = patients.list.bind(patients);
    vi.spyOn(patients, 'get').mockImplementation(async (...args) => ({ ...(await get(...args)), password_hash: 'argon2id$secret' }));
    vi.spyOn(patients, 'list').mockImplementation(async (...args) =>
      (await list(...args)).map((item) => ({ ...item, internal_notes: 'never sent' })),
    );

    const one = await t.as(owner).get(`/api/patients/${patient.id}/`);
    expect(one.status).toBe(200);
    expect(one.text).not.toContain('password_hash');
    expect(one.body).toEqual(patient);

    const page = await t.as(owner).get('/api/patients/');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('internal_notes');
    expect(page.body).toContainEqual(patient);
  });

  it('sends a patient, a page of doctors, an appointment with its details and the account byte for byte as JSON.stringify of the documented shape', async () => {
    const doctor = await newDoctor(t, owner, { consultation_fee: '1500.00' });
    const patient = await newPatient(t, owner, { date_of_birth: '1990-04-12', phone: null });
    const appointment = await booked(t, owner, {
      doctor: doctor.id,
      patient: patient.id,
      appointment_datetime: '2030-06-03T10:00:00+02:00',
      reason: 'Check-up',
    });
    const cases: [service: object, method: string, url: string, path: string][] = [
      [t.app.get(PatientsService), 'get', `/api/patients/${patient.id}/`, '/api/patients/{id}'],
      [t.app.get(DoctorsService), 'list', '/api/doctors/?page_size=5', '/api/doctors'],
      [t.app.get(AppointmentsService), 'get', `/api/appointments/${appointment.id}/`, '/api/appointments/{id}'],
      [t.app.get(AuthService), 'me', '/api/auth/me/', '/api/auth/me'],
    ];
    for (const [service, method, url, path] of cases) {
      const captured = capture(service, method);
      const res = await t.as(owner).get(url);
      expect(res.status, url).toBe(200);
      const value = captured.value instanceof Page ? captured.value.items : captured.value;
      expect(value, url).toBeDefined();
      expect(res.text, url).toBe(JSON.stringify(documentedShape(value, schemaOf(path, 'get', '200'), components)));
      // These services return the documented fields only, in the documented order: so exactly what JSON.stringify sent.
      expect(res.text, url).toBe(JSON.stringify(value));
    }
  });

  it('leaves what the document does not describe alone: 204s, the index, the documentation and the probes', async () => {
    const patient = await newPatient(t, owner);
    const removed = await t.as(owner).delete(`/api/patients/${patient.id}/`);
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');

    const index = await t.http().get('/');
    expect(index.status).toBe(200);
    expect(index.body).toMatchObject({ api: '/api/', docs: { swagger_ui: '/swagger' } });

    const served = await t.http().get('/swagger.json');
    expect(served.status).toBe(200);
    expect(Object.keys(served.body.paths)).toEqual(expect.arrayContaining(['/api/patients/{id}']));

    const ui = await t.http().get('/swagger');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);

    const live = await t.http().get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });
});
