import { describe, expect, it } from 'vitest';
import { ContractRecorder, ObservedResponse, toJsonSchema, toTemplate } from './support/contract';

/**
 * The contract check itself (test/support/contract.ts), which every e2e suite runs on every
 * response: these responses are made up to prove it catches what it must, so that a green suite
 * means something.
 */
const REQUEST_ID = { 'x-request-id': 'contract-test' };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const PROBLEM_TYPE = { 'content-type': 'application/problem+json' };

const user = {
  id: 1,
  username: 'jane.doe',
  email: 'jane@clinic.example',
  phone: null,
  name: null,
  role: 'patient',
  is_active: true,
  date_joined: '2030-01-01T00:00:00.000Z',
  last_login: null,
  locked_until: null,
  email_verified: false,
};
const problem = (status: number) => ({
  type: 'about:blank',
  title: 'Not Found',
  status,
  detail: 'User not found.',
  instance: '/api/users/1/',
  request_id: 'contract-test',
});

const observed = (overrides: Partial<ObservedResponse> & { json?: unknown }): ObservedResponse => {
  const { json, ...rest } = overrides;
  return {
    method: 'GET',
    route: '/api/auth/me',
    url: '/api/auth/me/',
    status: 200,
    headers: { ...REQUEST_ID, ...JSON_TYPE },
    body: json === undefined ? '' : JSON.stringify(json),
    ...rest,
  };
};

const without = (value: object, key: string) => Object.fromEntries(Object.entries(value).filter(([name]) => name !== key));

const check = (response: ObservedResponse) => new ContractRecorder().check(response);

describe('the contract check', () => {
  it('accepts a response that matches its operation, with a null where the schema allows one', () => {
    expect(check(observed({ json: user }))).toEqual([]);
  });

  it('refuses a status the operation does not document', () => {
    expect(check(observed({ status: 418, json: user }))).toEqual([expect.stringContaining('status 418 is not documented for me')]);
  });

  it('refuses a field that is not documented, one that is missing and one of the wrong type or format', () => {
    expect(check(observed({ json: { ...user, password_hash: 'x' } }))[0]).toMatch(
      /must NOT have additional properties \("password_hash"\)/,
    );
    expect(check(observed({ json: without(user, 'email') }))[0]).toMatch(/must have required property 'email'/);
    expect(check(observed({ json: { ...user, id: '1' } }))[0]).toMatch(/\/id must be integer/);
    expect(check(observed({ json: { ...user, role: 'nurse' } }))[0]).toMatch(/\/role must be equal to one of the allowed values/);
    expect(check(observed({ json: { ...user, date_joined: 'yesterday' } }))[0]).toMatch(/\/date_joined must match format "date-time"/);
    expect(check(observed({ json: { ...user, is_active: null } }))[0]).toMatch(/\/is_active must be boolean/);
  });

  it('refuses an undocumented content type, and a problem that is not a Problem', () => {
    expect(check(observed({ headers: { ...REQUEST_ID, 'content-type': 'text/html' }, body: '<p>hi</p>' }))[0]).toMatch(
      /content type text\/html is not documented/,
    );
    const notFound = { route: '/api/users/:id', url: '/api/users/1/', status: 404, headers: { ...REQUEST_ID, ...PROBLEM_TYPE } };
    expect(check(observed({ ...notFound, json: problem(404) }))).toEqual([]);
    expect(check(observed({ ...notFound, json: without(problem(404), 'request_id') }))[0]).toMatch(
      /must have required property 'request_id'/,
    );
    expect(check(observed({ ...notFound, headers: { ...REQUEST_ID, ...JSON_TYPE }, json: problem(404) }))[0]).toMatch(
      /content type application\/json is not documented/,
    );
  });

  it('refuses a missing required header, and a header of the wrong type', () => {
    expect(check(observed({ headers: JSON_TYPE, json: user }))).toEqual([
      expect.stringContaining('required header X-Request-Id is missing'),
    ]);
    const list = { route: '/api/users', url: '/api/users/', json: [user] };
    expect(
      check(
        observed({ ...list, headers: { ...REQUEST_ID, ...JSON_TYPE, 'x-total-count': '1', link: '</api/users/?page=1>; rel="first"' } }),
      ),
    ).toEqual([]);
    expect(check(observed({ ...list, headers: { ...REQUEST_ID, ...JSON_TYPE, 'x-total-count': 'many', link: '<>' } }))).toEqual([
      expect.stringContaining('header X-Total-Count: many is not an integer'),
    ]);
  });

  it('refuses a body where none is documented, and none where one is', () => {
    const logout = { method: 'POST', route: '/api/auth/logout', url: '/api/auth/logout/', status: 204 };
    expect(check(observed({ ...logout, headers: REQUEST_ID }))).toEqual([]);
    expect(check(observed({ ...logout, json: {} }))[0]).toMatch(/a body \(application\/json\) where none is documented/);
    expect(check(observed({ headers: { ...REQUEST_ID, ...JSON_TYPE } }))[0]).toMatch(/no body, but the document promises one/);
  });

  it('maps Fastify routes to the document, and leaves out what the document does not cover', () => {
    expect(toTemplate('/api/mappings/patient/:patient_id/')).toBe('/api/mappings/patient/{patient_id}');
    expect(check(observed({ route: '/api/nothing/:id' }))[0]).toMatch(/GET \/api\/nothing\/\{id\} is not in openapi.json/);
    for (const route of [undefined, '/swagger.json', '/redoc', '*']) expect(check(observed({ route, status: 404 }))).toEqual([]);
    expect(check(observed({ method: 'HEAD', body: '' }))).toEqual([]);
  });

  it('reads OpenAPI 3.0 nullable as JSON Schema null', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, enum: ['a'] })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
    expect(toJsonSchema({ allOf: [{ $ref: '#/components/schemas/X' }], nullable: true })).toEqual({
      anyOf: [{ allOf: [{ $ref: 'openapi.json#/definitions/X' }] }, { type: 'null' }],
    });
  });

  it('fails the suite with every violation, when the test app closes', () => {
    const recorder = new ContractRecorder();
    recorder.check(observed({ status: 418, json: user }));
    recorder.check(observed({ json: user }));
    expect(recorder.validated).toBe(2);
    expect(() => recorder.report()).toThrow(/1 response\(s\) break openapi.json[\s\S]*status 418/);
  });
});
