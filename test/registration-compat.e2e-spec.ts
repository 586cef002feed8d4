import { describe, expect, it } from 'vitest';
import { User } from '../src/users/user.entity';
import { expectProblem } from './support/problems';
import { TEST_PASSWORD, uniqueName, useTestApp } from './support/test-app';

const REGISTERED = 'User registered successfully';

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sign-up bodies as the Django projects' clients send them (seed-contract.md, section 7). */
describe('registration as the Django projects sign up (e2e)', () => {
  const t = useTestApp();
  const register = (body: Record<string, unknown>, path = '/api/auth/register/') => t.http().post(path).send(body);

  /** A local part no other test uses, so the usernames derived from it are predictable. */
  const localPart = () => uniqueName('jane').toLowerCase();
  /** A number no other test uses, in digits `+1 555 …`. */
  let phones = 0;
  const phoneDigits = () => `${process.pid % 1000}${String(++phones).padStart(4, '0')}`;

  describe('seed 002: username, email, password, phone, role', () => {
    it('stores the phone on the account and answers message, user and tokens', async () => {
      const username = uniqueName();
      const phone = `+1 555 ${phoneDigits()}`;
      const res = await register({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD, phone, role: 'doctor' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.message).toBe(REGISTERED);
      expect(res.body.user).toMatchObject({ username, phone, name: null, role: 'doctor' });
      expect(res.body.tokens).toEqual({ access: expect.any(String), refresh: expect.any(String) });

      // The account itself and admins see it, as the account's other fields.
      const me = await t.as(res.body.tokens).get('/api/auth/me/');
      expect(me.body.phone).toBe(phone);
      const login = await t.http().post('/api/auth/login/').send({ username, password: TEST_PASSWORD });
      expect(login.body.user.phone).toBe(phone);
      const admin = await t.newAdmin();
      const asAdmin = await t.as(admin).get(`/api/users/${res.body.user.id}/`);
      expect(asAdmin.body.phone).toBe(phone);
    });

    it('answers 409 naming phone for a number another account has, however it is written', async () => {
      const digits = phoneDigits();
      const first = await t.newUser();
      const taken = await register({ ...body002(), phone: `+1 (555) ${digits.slice(0, 3)}-${digits.slice(3)}` });
      expect(taken.status).toBe(201);
      const res = await register({ ...body002(), phone: `+1 555 ${digits}` });
      expectProblem(res, 409);
      expect(res.body.errors).toEqual({ phone: ['A user with that phone number already exists.'] });
      // Other digits are another number; the account without a phone blocks nothing.
      expect((await register({ ...body002(), phone: `+1 555 ${phoneDigits()}` })).status).toBe(201);
      expect(first.id).toBeGreaterThan(0);
    });

    it('answers 409 naming phone when two registrations race for one number', async () => {
      const phone = `+44 20 ${phoneDigits()}`;
      const results = await Promise.all([register({ ...body002(), phone }), register({ ...body002(), phone })]);
      expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
      expect(results.find((res) => res.status === 409)!.body.errors).toEqual({ phone: ['A user with that phone number already exists.'] });
    });

    it('refuses a phone that is no telephone number', async () => {
      const res = await register({ ...body002(), phone: 'call me maybe' });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['phone']);
    });
  });

  describe('seed 003: name, email, password, no username', () => {
    it('derives the username from the email, stores the name, and answers message, user and tokens', async () => {
      const local = localPart();
      const res = await register({ name: 'Jane Q. Public', email: `${local}@clinic.example`, password: TEST_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.message).toBe(REGISTERED);
      expect(res.body.user).toMatchObject({ username: local, email: `${local}@clinic.example`, name: 'Jane Q. Public', phone: null });
      const stored = await t.db.getRepository(User).findOneByOrFail({ id: res.body.user.id });
      expect(stored.fullName).toBe('Jane Q. Public');
      // The derived username logs in, as does the email.
      const login = await t.http().post('/api/auth/login/').send({ username: local, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.name).toBe('Jane Q. Public');
    });

    it('numbers the usernames of emails with one local part: jane, jane2, jane3 (in any case)', async () => {
      const local = localPart();
      const usernames: string[] = [];
      for (const email of [`${local}@clinic.example`, `${local}@other.example`, `${local.toUpperCase()}@third.example`]) {
        const res = await register({ name: 'Jane', email, password: TEST_PASSWORD });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        usernames.push(res.body.user.username);
      }
      expect(usernames).toEqual([local, `${local}2`, `${local.toUpperCase()}3`]);
    });

    it('gives two registrations racing for one local part two usernames', async () => {
      const local = localPart();
      const results = await Promise.all(
        ['a.example', 'b.example', 'c.example'].map((domain) =>
          register({ name: 'Jane', email: `${local}@${domain}`, password: TEST_PASSWORD }),
        ),
      );
      expect(results.map((res) => res.status)).toEqual([201, 201, 201]);
      expect(results.map((res) => res.body.user.username).sort()).toEqual([local, `${local}2`, `${local}3`]);
    });

    it('takes the next number when a registration of the same name commits first, the unique index deciding', async () => {
      const local = localPart();
      // The first registration's insert waits in a trigger after it chose `local`, until the second has taken it.
      await t.db.query(`
        CREATE FUNCTION test_slow_registration() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.email = '${local}@slow.example' AND NEW.username = '${local}' THEN PERFORM pg_sleep(2); END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_slow_registration BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_slow_registration();
      `);
      try {
        const slow = register({ name: 'Jane', email: `${local}@slow.example`, password: TEST_PASSWORD }).then((res) => res);
        await waitFor(async () => {
          const [{ sleeping }] = await t.db.query(
            `SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()`,
          );
          return sleeping > 0;
        });
        const fast = await register({ name: 'Jane', email: `${local}@fast.example`, password: TEST_PASSWORD });
        expect(fast.body.user.username).toBe(local);
        const late = await slow;
        expect(late.status, JSON.stringify(late.body)).toBe(201);
        expect(late.body.user.username).toBe(`${local}2`);
      } finally {
        await t.db.query(`DROP TRIGGER test_slow_registration ON users; DROP FUNCTION test_slow_registration()`);
      }
    });

    it('skips a number that would look like an existing username', async () => {
      const local = localPart();
      // `…1` looks like `…l`: the derived `…1` would be refused as a look-alike.
      expect((await register({ username: `${local}l`, email: `${uniqueName()}@clinic.example`, password: TEST_PASSWORD })).status).toBe(
        201,
      );
      const res = await register({ name: 'Jane', email: `${local}1@clinic.example`, password: TEST_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.user.username).toBe(`${local}12`);
    });

    // Accented local parts: see account-names.spec.ts.
    it('keeps only the characters a username may have, at least 3 of them', async () => {
      const tag = uniqueName('x').toLowerCase();
      const marked = await register({ name: 'José', email: `jose.martin!#${tag}@clinic.example`, password: TEST_PASSWORD });
      expect(marked.status, JSON.stringify(marked.body)).toBe(201);
      expect(marked.body.user.username).toBe(`jose.martin${tag}`);
      const short = await register({ name: 'Jo', email: 'jo@clinic.example', password: TEST_PASSWORD });
      expect(short.status, JSON.stringify(short.body)).toBe(201);
      expect(short.body.user.username).toBe('jo_user');
    });

    it('treats a null username as left out', async () => {
      const local = localPart();
      const res = await register({ username: null, email: `${local}@clinic.example`, password: TEST_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.user.username).toBe(local);
    });

    it('answers 400 naming username when neither username nor email is given', async () => {
      const res = await register({ name: 'Jane', password: TEST_PASSWORD });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors).sort()).toEqual(['email', 'username']);
    });

    it('refuses a name longer than 150 characters', async () => {
      const res = await register({ name: 'J'.repeat(151), email: `${localPart()}@clinic.example`, password: TEST_PASSWORD });
      expectProblem(res, 400);
      expect(Object.keys(res.body.errors)).toEqual(['name']);
    });

    it('answers 409 naming email, not username, when the email is taken', async () => {
      const local = localPart();
      expect((await register({ name: 'Jane', email: `${local}@clinic.example`, password: TEST_PASSWORD })).status).toBe(201);
      const res = await register({ name: 'Jane', email: `${local}@clinic.example`, password: TEST_PASSWORD });
      expectProblem(res, 409);
      expect(Object.keys(res.body.errors)).toEqual(['email']);
    });
  });

  it('answers the message at the seed-004 path POST /api/auth/ too', async () => {
    const username = uniqueName();
    const res = await register({ username, email: `${username}@clinic.example`, password: TEST_PASSWORD }, '/api/auth/');
    expect(res.status).toBe(201);
    expect(res.body.message).toBe(REGISTERED);
    expect(res.body.user).toMatchObject({ username, phone: null, name: null });
  });

  function body002(): Record<string, unknown> {
    const username = uniqueName();
    return { username, email: `${username}@clinic.example`, password: TEST_PASSWORD, role: 'patient' };
  }
});
