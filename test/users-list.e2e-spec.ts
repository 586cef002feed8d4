import { beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/core/auth/role';
import { User } from '../src/users/user.entity';
import { expectProblem } from './support/problems';
import { TestUser, uniqueName, useTestApp } from './support/test-app';
import { insertUser } from './support/tokens';

type Listed = { id: number; username: string; email: string; name: string | null; phone: string | null; role: string; is_active: boolean };

describe('GET /api/users/: search, filters and ordering (e2e)', () => {
  const t = useTestApp();
  let admin: TestUser;
  let patient: TestUser;
  let doctor: TestUser;
  /** In every username and email of the accounts below, and in no other account's. */
  const tag = uniqueName('ul');
  const phone = `+44 20 ${String(Date.now() % 10_000_000).padStart(7, '0')}`;
  /** The accounts below by name, and each one's id. */
  const id: Record<string, number> = {};

  beforeAll(async () => {
    [admin, patient, doctor] = await Promise.all([t.newAdmin(), insertUser(t.db), insertUser(t.db, { role: Role.Doctor })]);
    // Inserted in this order (so by id), which is none of the orders asked for below.
    const accounts = [
      { key: 'cat', email: 'm', role: Role.Doctor, isActive: false, fullName: 'Cat 100%', joined: '02', login: '2026-01-01' },
      { key: 'amy', email: 'q', role: Role.Patient, isActive: true, fullName: 'Amy Pond', phone, joined: '03', login: '2026-01-03' },
      { key: 'eve_x', email: 'a', role: Role.Admin, isActive: true, joined: '05' },
      { key: 'Bob', email: 'Z', role: Role.Doctor, isActive: true, fullName: 'Bob Kelso', joined: '01', login: '2026-01-02' },
      { key: 'dan', email: 'k', role: Role.Patient, isActive: false, fullName: 'Dan 1000', joined: '04' },
    ].map(({ key, email, joined, login, ...fields }) => ({
      ...fields,
      key,
      username: `${tag}${key}`,
      email: `${email}${tag}@clinic.example`,
      passwordHash: 'not-a-hash',
      dateJoined: new Date(`2020-01-${joined}T09:00:00Z`),
      lastLogin: login ? new Date(`${login}T09:00:00Z`) : null,
    }));
    for (const { key, ...account } of accounts) id[key] = (await t.db.getRepository(User).save(account)).id;
  });

  const list = (query: string) => t.as(admin).get(`/api/users/?${query}`);
  const keysOf = (body: Listed[]) => body.map((account) => Object.keys(id).find((key) => id[key] === account.id) ?? account.username);
  /** The tagged accounts a query lists, by key, in the order listed. */
  const tagged = async (query: string) => {
    const res = await list(`search=${tag}&page_size=100&${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers['x-total-count']).toBe(String(res.body.length));
    return keysOf(res.body as Listed[]);
  };

  describe('search', () => {
    it('matches part of the username, ignoring case', async () => {
      expect(await tagged('')).toEqual(['cat', 'amy', 'eve_x', 'Bob', 'dan']);
      const res = await list(`search=${encodeURIComponent(`${tag}BOB`.toUpperCase())}`);
      expect(keysOf(res.body as Listed[])).toEqual(['Bob']);
      expect(res.headers['x-total-count']).toBe('1');
    });

    it.each([
      ['the email', `z${tag}@CLINIC`, ['Bob']],
      ['the name', 'pOND', ['amy']],
      ['the phone', phone.slice(4, 12), ['amy']],
    ])('matches part of %s, ignoring case', async (_, term, expected) => {
      const res = await list(`search=${encodeURIComponent(term)}`);
      expect(res.status).toBe(200);
      expect(keysOf(res.body as Listed[])).toEqual(expected);
    });

    it('takes % and _ as themselves, not as wildcards', async () => {
      expect(keysOf((await list(`search=${encodeURIComponent('100%')}`)).body as Listed[])).toEqual(['cat']);
      const underscores = (await list('search=_&page_size=100')).body as Listed[];
      expect(keysOf(underscores)).toContain('eve_x');
      for (const account of underscores) {
        expect([account.username, account.email, account.name, account.phone].join(' ')).toContain('_');
      }
      expect((await list(`search=${tag}ev__x`)).body).toEqual([]);
    });

    it('answers an empty page, with a total of 0, when nothing matches', async () => {
      const res = await list(`search=${tag}nobody`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
      expect(res.headers['x-total-count']).toBe('0');
    });
  });

  describe('filters', () => {
    it('lists only the accounts of a role', async () => {
      expect(await tagged('role=doctor')).toEqual(['cat', 'Bob']);
      expect(await tagged('role=admin')).toEqual(['eve_x']);
      const res = await list('role=admin&page_size=100');
      expect(res.status).toBe(200);
      expect((res.body as Listed[]).every((account) => account.role === 'admin')).toBe(true);
      expect((res.body as Listed[]).map((account) => account.id)).toEqual(expect.arrayContaining([admin.id, id.eve_x]));
      expect(res.headers['x-total-count']).toBe(String(await t.db.getRepository(User).countBy({ role: Role.Admin })));
    });

    it('lists only active or only deactivated accounts', async () => {
      expect(await tagged('is_active=false')).toEqual(['cat', 'dan']);
      expect(await tagged('is_active=true')).toEqual(['amy', 'eve_x', 'Bob']);
      const active = await list('is_active=true&page_size=100');
      expect((active.body as Listed[]).every((account) => account.is_active)).toBe(true);
      expect((active.body as Listed[]).map((account) => account.id)).toEqual(expect.arrayContaining([admin.id, patient.id, doctor.id]));
      expect(active.headers['x-total-count']).toBe(String(await t.db.getRepository(User).countBy({ isActive: true })));
    });

    it('combines the search and the filters, all of which must hold', async () => {
      expect(await tagged('role=doctor&is_active=true')).toEqual(['Bob']);
      expect(await tagged('role=patient&is_active=false')).toEqual(['dan']);
      expect(await tagged('role=admin&is_active=false')).toEqual([]);
      expect(keysOf((await list('search=pond&role=patient&is_active=true')).body as Listed[])).toEqual(['amy']);
      expect((await list('search=pond&role=doctor')).body).toEqual([]);
    });

    it('pages a filtered list, its links keeping the filters and the ordering', async () => {
      const res = await list(`search=${tag}&role=doctor&ordering=-username&page_size=1`);
      expect(res.status).toBe(200);
      expect(keysOf(res.body as Listed[])).toEqual(['cat']);
      expect(res.headers['x-total-count']).toBe('2');
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.link ?? '')?.[1];
      expect(new URL(next ?? 'missing:', 'http://api.test').searchParams.get('ordering')).toBe('-username');
      const second = await t.as(admin).get(next!);
      expect(keysOf(second.body as Listed[])).toEqual(['Bob']);
    });
  });

  describe('ordering', () => {
    it.each([
      ['id', ['cat', 'amy', 'eve_x', 'Bob', 'dan']],
      ['-id', ['dan', 'Bob', 'eve_x', 'amy', 'cat']],
      ['username', ['amy', 'Bob', 'cat', 'dan', 'eve_x']],
      ['-username', ['eve_x', 'dan', 'cat', 'Bob', 'amy']],
      ['email', ['eve_x', 'dan', 'cat', 'amy', 'Bob']],
      ['-email', ['Bob', 'amy', 'cat', 'dan', 'eve_x']],
      ['date_joined', ['Bob', 'cat', 'amy', 'dan', 'eve_x']],
      ['-date_joined', ['eve_x', 'dan', 'amy', 'cat', 'Bob']],
      // Never logged in: last either way, then by id.
      ['last_login', ['cat', 'Bob', 'amy', 'eve_x', 'dan']],
      ['-last_login', ['amy', 'Bob', 'cat', 'eve_x', 'dan']],
    ])('orders by %s (username and email ignoring case)', async (ordering, expected) => {
      expect(await tagged(`ordering=${ordering}`)).toEqual(expected);
    });

    it('orders by id when left out, as before', async () => {
      const res = await list('page_size=100');
      const ids = (res.body as Listed[]).map((account) => account.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(res.headers['x-total-count']).toBe(String(await t.db.getRepository(User).count()));
    });
  });

  describe('bad values', () => {
    it.each([
      ['search=', 'search'],
      [`search=${'x'.repeat(101)}`, 'search'],
      ['search=a&search=b', 'search'],
      ['role=superuser', 'role'],
      ['role=Admin', 'role'],
      ['role=', 'role'],
      ['is_active=yes', 'is_active'],
      ['is_active=', 'is_active'],
      ['ordering=name', 'ordering'],
      ['ordering=--id', 'ordering'],
      ['ordering=password_hash', 'ordering'],
      ['ordering=', 'ordering'],
      ['sort=id', 'sort'],
    ])('answers 400 problem+json to ?%s, naming the field', async (query, field) => {
      const res = await list(query);
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual([field]);
    });

    it('takes the spellings of a boolean that the other lists take, and refuses the others alike', async () => {
      for (const spelling of ['true', 'false', 'True', 'FALSE', '1', '0', 'on']) {
        const users = await list(`is_active=${spelling}`);
        const mappings = await t.as(admin).get(`/api/mappings/?is_active=${spelling}`);
        expect(users.status, spelling).toBe(mappings.status);
        if (users.status === 400) expect(Object.keys(users.body.errors)).toEqual(['is_active']);
      }
    });
  });

  it.each([
    ['patient', () => patient],
    ['doctor', () => doctor],
  ])('answers 403 problem+json to a %s, whatever the query', async (_, who) => {
    for (const query of ['', `search=${tag}`, 'role=admin&is_active=true&ordering=-username', 'role=superuser']) {
      expectProblem(await t.as(who()).get(`/api/users/?${query}`), 403);
    }
  });
});
