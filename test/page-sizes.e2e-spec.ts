import { beforeAll, describe, expect, it } from 'vitest';
import { expectFieldError, expectList, fastUser, newPatient, parseLinks } from './support/records';
import { TestUser, useTestApp } from './support/test-app';

interface Parameter {
  name: string;
  in: string;
  schema: { default?: number; maximum?: number };
}
type Operations = Record<string, Record<string, { parameters?: Parameter[] }>>;

/** PAGE_SIZE_DEFAULT and PAGE_SIZE_MAX: the validation, the defaults and the served document agree. */
describe('configured page sizes (e2e)', () => {
  const t = useTestApp({ PAGE_SIZE_DEFAULT: '5', PAGE_SIZE_MAX: '7' });
  let owner: TestUser;

  beforeAll(async () => {
    owner = await fastUser(t);
    for (let i = 0; i < 9; i++) await newPatient(t, owner, { name: `Sized ${i}` });
  });

  it('lists PAGE_SIZE_DEFAULT items when page_size is left out, and links pages of that size', async () => {
    const res = await t.as(owner).get('/api/patients/');
    expect(expectList(res, 9)).toHaveLength(5);
    expect(parseLinks(res.headers.link).next).toMatchObject({ page: 2, pageSize: 5 });
  });

  it('accepts page_size up to PAGE_SIZE_MAX', async () => {
    expect(expectList(await t.as(owner).get('/api/patients/').query({ page_size: 7 }), 9)).toHaveLength(7);
  });

  it('refuses page_size over PAGE_SIZE_MAX with 400, naming the maximum', async () => {
    const res = await t.as(owner).get('/api/patients/').query({ page_size: 8 });
    expectFieldError(res, 'page_size');
    expect(res.body.errors.page_size).toEqual(['page_size must not be greater than 7']);
  });

  it('applies them to every list, the queries without filters too', async () => {
    expectFieldError(await t.as(owner).get('/api/doctors/').query({ page_size: 8 }), 'page_size');
    expectFieldError(await t.as(owner).get(`/api/patients/1/doctors/`).query({ page_size: 8 }), 'page_size');
    expect((await t.as(owner).get('/api/doctors/').query({ page_size: 7 })).status).toBe(200);
  });

  it('documents them as configured', async () => {
    const doc = (await t.http().get('/swagger.json')).body as { paths: Operations; info: { description: string } };
    const pageSizes = Object.values(doc.paths)
      .flatMap((item) => Object.values(item))
      .flatMap((operation) => operation.parameters ?? [])
      .filter((parameter) => parameter.in === 'query' && parameter.name === 'page_size');
    expect(pageSizes.length).toBeGreaterThan(5);
    for (const parameter of pageSizes) expect(parameter.schema).toMatchObject({ default: 5, maximum: 7 });
    expect(doc.info.description).toContain('(5 by default, at most 7)');
  });
});
