import { beforeAll, describe, expect, it } from 'vitest';
import { assign, Body, expectFieldError, expectList, fastUser, newDoctor, newPatient, parseLinks } from './support/records';
import { TestUser, uniqueName, useTestApp } from './support/test-app';

const ids = (items: Body[]) => items.map((item) => item.id);

describe('lists: pagination, search, filters and ordering (e2e)', () => {
  const t = useTestApp();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await t.newAdmin();
  });

  describe('pagination', () => {
    let owner: TestUser;
    let patients: (Body & { id: number })[];

    beforeAll(async () => {
      owner = await fastUser(t);
      patients = [];
      for (let i = 0; i < 5; i++) patients.push(await newPatient(t, owner, { name: `Paged ${i}` }));
    });

    it('answers a plain array with the total in X-Total-Count and first and last links for a single page', async () => {
      const res = await t.as(owner).get('/api/patients/');
      expect(ids(expectList(res, 5))).toEqual(ids(patients));
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last']);
      expect(links.first).toMatchObject({ path: '/api/patients/', page: 1, pageSize: 20 });
      expect(links.last).toMatchObject({ path: '/api/patients/', page: 1, pageSize: 20 });
    });

    it('links the first page to next and last, without prev', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ page_size: 2 });
      expect(ids(expectList(res, 5))).toEqual(ids(patients.slice(0, 2)));
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next']);
      expect(links.first).toMatchObject({ page: 1, pageSize: 2 });
      expect(links.next).toMatchObject({ page: 2, pageSize: 2 });
      expect(links.last).toMatchObject({ page: 3, pageSize: 2 });
    });

    it('links a middle page to first, prev, next and last', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ page: 2, page_size: 2 });
      expect(ids(expectList(res, 5))).toEqual(ids(patients.slice(2, 4)));
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'prev']);
      expect(links.first.page).toBe(1);
      expect(links.prev.page).toBe(1);
      expect(links.next.page).toBe(3);
      expect(links.last.page).toBe(3);
    });

    it('links the last page to first, prev and last, without next', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ page: 3, page_size: 2 });
      expect(ids(expectList(res, 5))).toEqual(ids(patients.slice(4)));
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'prev']);
      expect(links.prev.page).toBe(2);
      expect(links.last.page).toBe(3);
    });

    it('answers an empty page past the end, with prev pointing at the last page', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ page: 9, page_size: 2 });
      expect(expectList(res, 5)).toEqual([]);
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'prev']);
      expect(links.prev.page).toBe(3);
    });

    it('keeps the other query parameters in every link', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ search: 'paged', ordering: '-name', page: 2, page_size: 1 });
      expect(expectList(res, 5).map((p) => p.name)).toEqual(['Paged 3']);
      const links = parseLinks(res.headers.link);
      expect(Object.keys(links).sort()).toEqual(['first', 'last', 'next', 'prev']);
      for (const link of Object.values(links)) {
        expect(link.path).toBe('/api/patients/');
        expect(link.params.get('search')).toBe('paged');
        expect(link.params.get('ordering')).toBe('-name');
        expect(link.pageSize).toBe(1);
      }
      expect([links.first.page, links.prev.page, links.next.page, links.last.page]).toEqual([1, 1, 3, 5]);
    });

    it('follows the next links through every page exactly once', async () => {
      const seen: unknown[] = [];
      let url: string | undefined = '/api/patients/?page_size=2';
      while (url) {
        const res = await t.as(owner).get(url);
        seen.push(...ids(expectList(res, 5)));
        const next: { path: string; params: URLSearchParams } | undefined = parseLinks(res.headers.link).next;
        url = next && `${next.path}?${next.params.toString()}`;
      }
      expect(seen).toEqual(ids(patients));
    });

    it('defaults to pages of 20 and allows up to 100', async () => {
      const user = await fastUser(t);
      for (let i = 0; i < 21; i++) await newPatient(t, user);
      const first = await t.as(user).get('/api/patients/');
      expect(expectList(first, 21)).toHaveLength(20);
      expect(parseLinks(first.headers.link).next).toMatchObject({ page: 2, pageSize: 20 });
      const second = await t.as(user).get('/api/patients/').query({ page: 2 });
      expect(expectList(second, 21)).toHaveLength(1);
      const all = await t.as(user).get('/api/patients/').query({ page_size: 100 });
      expect(expectList(all, 21)).toHaveLength(21);
      expect(parseLinks(all.headers.link).last.page).toBe(1);
    });

    it.each([
      ['page', '0'],
      ['page', '-1'],
      ['page', 'abc'],
      ['page', '1.5'],
      ['page_size', '0'],
      ['page_size', '101'],
      ['page_size', 'abc'],
    ])('refuses %s=%s with 400 naming it', async (name, value) => {
      const res = await t
        .as(owner)
        .get('/api/patients/')
        .query({ [name]: value });
      expectFieldError(res, name);
    });

    it('paginates the doctors, mappings, patient doctors, users and audit lists the same way', async () => {
      const patient = patients[0];
      for (let i = 0; i < 3; i++) await assign(t, owner, patient.id, (await newDoctor(t, owner)).id);
      await fastUser(t); // with the admin and the owner, at least three accounts
      const lists = [
        { user: owner, path: '/api/doctors/' },
        { user: owner, path: '/api/mappings/' },
        { user: owner, path: `/api/patients/${patient.id}/doctors/` },
        { user: owner, path: `/api/mappings/${patient.id}/` },
        { user: admin, path: '/api/users/' },
        { user: admin, path: '/api/audit-events/' },
      ];
      for (const { user, path } of lists) {
        const res = await t.as(user).get(path).query({ page: 2, page_size: 1 });
        expect(res.status, path).toBe(200);
        expect(res.body, path).toHaveLength(1);
        const total = Number(res.headers['x-total-count']);
        expect(total, path).toBeGreaterThanOrEqual(3);
        const links = parseLinks(res.headers.link);
        expect(links.first, path).toMatchObject({ path, page: 1, pageSize: 1 });
        expect(links.prev, path).toMatchObject({ path, page: 1 });
        expect(links.next, path).toMatchObject({ path, page: 3 });
        expect(links.last, path).toMatchObject({ path, page: total });
        expectFieldError(await t.as(user).get(path).query({ page_size: 101 }), 'page_size');
      }
    });
  });

  describe('patients: search, filters and ordering', () => {
    let owner: TestUser;
    let jane: Body & { id: number };
    let john: Body & { id: number };
    let percent: Body & { id: number };
    let plain: Body & { id: number };
    let underscore: Body & { id: number };
    let anyChar: Body & { id: number };

    beforeAll(async () => {
      owner = await fastUser(t);
      jane = await newPatient(t, owner, {
        name: 'Jane Austen',
        email: 'Jane.Writer@Example.com',
        phone: '555 0123',
        gender: 'female',
        blood_group: 'AB+',
        date_of_birth: '1975-12-16',
      });
      john = await newPatient(t, owner, {
        name: 'John Keats',
        email: 'keats@poets.example',
        phone: '555 0999',
        gender: 'male',
        blood_group: 'O-',
      });
      percent = await newPatient(t, owner, { name: 'Deal 50% Off', gender: 'other', date_of_birth: '1990-01-01' });
      plain = await newPatient(t, owner, { name: 'Deal 500 Off', blood_group: 'AB+', date_of_birth: '1980-06-01' });
      underscore = await newPatient(t, owner, { name: 'snake_case' });
      anyChar = await newPatient(t, owner, { name: 'snakeXcase' });
    });

    const search = async (params: Record<string, string>) => {
      const res = await t
        .as(owner)
        .get('/api/patients/')
        .query({ page_size: 100, ...params });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return ids(res.body as Body[]);
    };

    it('searches the name ignoring case', async () => {
      expect(await search({ search: 'jAnE' })).toEqual([jane.id]);
      expect(await search({ search: 'KEATS' })).toEqual([john.id]);
    });

    it('searches the email and the phone', async () => {
      expect(await search({ search: 'jane.writer@example' })).toEqual([jane.id]);
      expect(await search({ search: 'poets.example' })).toEqual([john.id]);
      expect(await search({ search: '0999' })).toEqual([john.id]);
    });

    it("treats '%' and '_' in the search term literally", async () => {
      expect(await search({ search: '50%' })).toEqual([percent.id]);
      expect(await search({ search: 'snake_case' })).toEqual([underscore.id]);
      expect(await search({ search: '_' })).toEqual([underscore.id]);
      expect(await search({ search: '%' })).toEqual([percent.id]);
      expect(await search({ search: '\\' })).toEqual([]);
      expect(await search({ search: 'SNAKE' })).toEqual([underscore.id, anyChar.id]);
    });

    it('finds terms that span words, and terms with letters beyond ASCII', async () => {
      const own = await fastUser(t);
      const mine = async (term: string) => {
        const res = await t.as(own).get('/api/patients/').query({ search: term });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return ids(res.body as Body[]);
      };
      const writer = await newPatient(t, own, { name: 'Mary Shelley', email: 'Mary.Writer@Example.com', phone: '555 0123' });
      const accented = await newPatient(t, own, { name: 'Zoë Łukasiewicz', email: 'zoe@klinik.example' });
      expect(await mine('y.wri')).toEqual([writer.id]);
      expect(await mine('y sHE')).toEqual([writer.id]);
      expect(await mine('er@ex')).toEqual([writer.id]);
      expect(await mine('5 01')).toEqual([writer.id]);
      expect(await mine('łukas')).toEqual([accented.id]);
      expect(await mine('ŁUKASIEWICZ')).toEqual([accented.id]);
      expect(await mine('zoë')).toEqual([accented.id]);
      expect(await mine('ë ł')).toEqual([accented.id]);
      // Renamed: found by the new name only.
      expect((await t.as(own).patch(`/api/patients/${accented.id}/`).send({ name: 'Zoe Lukas' })).status).toBe(200);
      expect(await mine('łukas')).toEqual([]);
      expect(await mine('e luk')).toEqual([accented.id]);
    });

    it('counts only the matches in X-Total-Count', async () => {
      const res = await t.as(owner).get('/api/patients/').query({ search: 'deal' });
      expect(ids(expectList(res, 2))).toEqual([percent.id, plain.id]);
    });

    it('filters by exact gender and blood group, accepting the spellings a create accepts', async () => {
      expect(await search({ gender: 'female' })).toEqual([jane.id]);
      expect(await search({ gender: 'M' })).toEqual([john.id]);
      expect(await search({ blood_group: 'AB+' })).toEqual([jane.id, plain.id]);
      expect(await search({ blood_group: 'o-' })).toEqual([john.id]);
      expect(await search({ blood_group: 'AB+', search: 'deal' })).toEqual([plain.id]);
      expect(await search({ gender: 'other', blood_group: 'AB+' })).toEqual([]);
    });

    it.each([
      ['gender', 'x'],
      ['blood_group', 'C+'],
      ['search', ''],
      ['assigned', 'maybe'],
    ])('refuses the filter %s=%j with 400 naming it', async (name, value) => {
      expectFieldError(
        await t
          .as(owner)
          .get('/api/patients/')
          .query({ [name]: value }),
        name,
      );
    });

    it('orders by id by default, and by a whitelisted field in either direction', async () => {
      const all = [jane, john, percent, plain, underscore, anyChar];
      expect(await search({})).toEqual(ids(all));
      expect(await search({ ordering: '-id' })).toEqual(ids(all).reverse());
      expect(await search({ ordering: 'name', search: 'j' })).toEqual([jane.id, john.id]);
      expect(await search({ ordering: '-name', search: 'j' })).toEqual([john.id, jane.id]);
      const withBirthDate = [jane.id, plain.id, percent.id];
      expect((await search({ ordering: 'date_of_birth' })).filter((id) => withBirthDate.includes(id as number))).toEqual(withBirthDate);
      expect((await search({ ordering: '-date_of_birth' })).filter((id) => withBirthDate.includes(id as number))).toEqual(
        [...withBirthDate].reverse(),
      );
      expect(await search({ ordering: 'created_at' })).toEqual(ids(all));
      expect(await search({ ordering: '-updated_at', search: 'deal' })).toEqual([plain.id, percent.id]);
    });

    it.each(['age', 'medical_history', '--name', 'name;drop table patients', '-'])(
      'refuses ordering=%j with 400 naming ordering',
      async (ordering) => {
        expectFieldError(await t.as(owner).get('/api/patients/').query({ ordering }), 'ordering');
      },
    );
  });

  describe('doctors: search, filters and ordering', () => {
    let tag: string;
    let cardio: Body & { id: number };
    let cardioSurgeon: Body & { id: number };
    let derm: Body & { id: number };
    let percent: Body & { id: number };

    beforeAll(async () => {
      const creator = await fastUser(t);
      tag = uniqueName('tag').toLowerCase();
      cardio = await newDoctor(t, creator, {
        name: `Dr Heart ${tag}`,
        specialization: 'Cardiology',
        experience_years: 10,
        consultation_fee: '300.00',
      });
      cardioSurgeon = await newDoctor(t, creator, {
        name: `Dr Valve ${tag}`,
        specialization: 'Cardiology Surgery',
        experience_years: 25,
        consultation_fee: '1200.50',
      });
      derm = await newDoctor(t, creator, {
        name: `Dr Skin ${tag}`,
        specialization: 'Dermatology',
        email: `Skin.${tag}@Derm.example`,
        experience_years: 3,
        consultation_fee: '99.90',
      });
      percent = await newDoctor(t, creator, { name: `Dr 100% ${tag}`, specialization: 'Dermatology', experience_years: null });
    });

    const search = async (params: Record<string, string>) => {
      const res = await t
        .as(admin)
        .get('/api/doctors/')
        .query({ page_size: 100, ...params });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return ids(res.body as Body[]);
    };

    it('searches the name, the specialization and the email, ignoring case', async () => {
      expect(await search({ search: tag.toUpperCase() })).toEqual([cardio.id, cardioSurgeon.id, derm.id, percent.id]);
      expect(await search({ search: `heart ${tag}` })).toEqual([cardio.id]);
      expect(await search({ search: `skin.${tag}@derm` })).toEqual([derm.id]);
      const cardiology = await search({ search: 'CARDIOLOGY' });
      expect(cardiology).toEqual(expect.arrayContaining([cardio.id, cardioSurgeon.id]));
      expect(cardiology).not.toContain(derm.id);
    });

    it("treats '%' in the search term literally", async () => {
      expect(await search({ search: '100%' })).toEqual([percent.id]);
      expect(await search({ search: `dr % ${tag}` })).toEqual([]);
    });

    it('filters by exact specialization, ignoring case', async () => {
      const res = await t.as(admin).get('/api/doctors/').query({ specialization: 'cardiology', search: tag });
      expect(ids(expectList(res, 1))).toEqual([cardio.id]);
      expect(await search({ specialization: 'Cardio', search: tag })).toEqual([]);
      expect(await search({ specialization: 'DERMATOLOGY', search: tag })).toEqual([derm.id, percent.id]);
      expect(await search({ specialization: 'Dermatolog_', search: tag })).toEqual([]);
    });

    it('orders by a whitelisted field in either direction', async () => {
      expect(await search({ search: tag, ordering: 'consultation_fee' })).toEqual([derm.id, cardio.id, cardioSurgeon.id, percent.id]);
      expect(await search({ search: tag, ordering: '-consultation_fee' })).toEqual([percent.id, cardioSurgeon.id, cardio.id, derm.id]);
      expect(await search({ search: tag, ordering: '-experience_years', specialization: 'cardiology surgery' })).toEqual([
        cardioSurgeon.id,
      ]);
      expect(await search({ search: tag, ordering: 'experience_years' })).toEqual([derm.id, cardio.id, cardioSurgeon.id, percent.id]);
      expect(await search({ search: tag, ordering: 'name' })).toEqual([percent.id, cardio.id, derm.id, cardioSurgeon.id]);
      expect(await search({ search: tag, ordering: '-specialization' })).toEqual([derm.id, percent.id, cardioSurgeon.id, cardio.id]);
      expect(await search({ search: tag, ordering: '-id' })).toEqual([percent.id, derm.id, cardioSurgeon.id, cardio.id]);
    });

    it.each(['email', 'license_number', 'fee'])('refuses ordering=%j with 400 naming ordering', async (ordering) => {
      expectFieldError(await t.as(admin).get('/api/doctors/').query({ ordering }), 'ordering');
    });

    it('keeps search and ordering in the links of a doctors page', async () => {
      const res = await t.as(admin).get('/api/doctors/').query({ search: tag, ordering: '-consultation_fee', page_size: 3 });
      expect(ids(expectList(res, 4))).toEqual([percent.id, cardioSurgeon.id, cardio.id]);
      const { next, last } = parseLinks(res.headers.link);
      expect(next).toMatchObject({ path: '/api/doctors/', page: 2, pageSize: 3 });
      expect(next.params.get('search')).toBe(tag);
      expect(next.params.get('ordering')).toBe('-consultation_fee');
      expect(last.page).toBe(2);
    });
  });
});
