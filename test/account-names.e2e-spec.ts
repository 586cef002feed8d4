import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../migrations';
import { DEFAULT_PASSWORD_MIN_SCORE } from '../src/core/config/app-config';
import { createOrPromoteAdmin } from '../src/users/create-admin';
import { User } from '../src/users/user.entity';
import { openTestDatabase, TestDatabase } from './support/database';
import { expectProblem } from './support/problems';
import { TEST_PASSWORD, TestUser, uniqueName, useTestApp } from './support/test-app';

const INVISIBLE = /must not contain invisible or control characters/;
const toFullWidth = (name: string) => name.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('account names: NFKC, invisible characters, look-alikes (e2e)', () => {
  const t = useTestApp();

  const register = (body: { username: string; email: string }) =>
    t
      .http()
      .post('/api/auth/register/')
      .send({ ...body, password: TEST_PASSWORD });

  describe('registration', () => {
    let jane: TestUser;
    beforeAll(async () => {
      // Letters that have look-alikes: a, o, e, l.
      const username = uniqueName('jane.doe.l');
      jane = await t.newUser({ username, email: `${username}@clinic.example` });
    });
    const fresh = () => `${uniqueName('other')}@clinic.example`;
    /** `name` with its first `from` replaced by `to`. */
    const swap = (name: string, from: string, to: string) => {
      expect(name).toContain(from);
      return name.replace(from, to);
    };

    it.each([
      ['with a Cyrillic а', (name: string) => swap(name, 'a', 'а')],
      ['with a Cyrillic о', (name: string) => swap(name, 'o', 'о')],
      ['in full-width forms', toFullWidth],
    ])('answers 409, as for a taken one, to an email %s', async (_, variant) => {
      const res = await register({ username: uniqueName(), email: variant(jane.email) });
      expectProblem(res, 409);
      expect(res.body.errors).toEqual({ email: ['A user with that email already exists.'] });
    });

    it.each([
      ['a digit 1 for the l', (name: string) => swap(name, '.l', '.1')],
      ['a digit 0 for the o', (name: string) => swap(name, 'o', '0')],
      ['a capital I for the l', (name: string) => swap(name, '.l', '.I')],
      ['full-width forms', toFullWidth],
    ])('answers 409, as for a taken one, to the username with %s', async (_, variant) => {
      const res = await register({ username: variant(jane.username), email: fresh() });
      expectProblem(res, 409);
      expect(res.body.errors).toEqual({ username: ['A user with that username already exists.'] });
    });

    it('answers 400 to a username with a Cyrillic letter: usernames are ASCII', async () => {
      const res = await register({ username: swap(jane.username, 'a', 'а'), email: fresh() });
      expectProblem(res, 400);
      expect(res.body.errors.username).toEqual(['username may contain only letters, digits and @.+-_']);
    });

    it.each([
      ['zero-width space', '\u200b'],
      ['zero-width joiner', '\u200d'],
      ['right-to-left override', '\u202e'],
      ['control character', '\u0007'],
    ])('answers 400 to a username and an email with a %s, naming it', async (_, char) => {
      const res = await register({
        username: `${jane.username.slice(0, 3)}${char}${jane.username.slice(3)}`,
        email: `${char}${jane.email}`,
      });
      expectProblem(res, 400);
      expect(res.body.errors.username).toContainEqual(expect.stringMatching(INVISIBLE));
      expect(res.body.errors.email).toContainEqual(expect.stringMatching(INVISIBLE));
    });

    it('stores a full-width registration in NFKC, and logs it in by either spelling', async () => {
      const username = uniqueName('wide');
      const res = await register({ username: toFullWidth(username), email: toFullWidth(`${username}@clinic.example`) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.user).toMatchObject({ username, email: `${username}@clinic.example` });
      for (const login of [{ username }, { username: toFullWidth(username) }, { email: toFullWidth(`${username}@clinic.example`) }]) {
        const answer = await t
          .http()
          .post('/api/auth/login/')
          .send({ ...login, password: TEST_PASSWORD });
        expect(answer.status, JSON.stringify(login)).toBe(200);
      }
    });

    it('still registers names that only share letters with an existing one', async () => {
      const res = await register({ username: `${jane.username}x`, email: `x${jane.email}` });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
  });

  describe('createOrPromoteAdmin (the create-admin script)', () => {
    const admin = (username: string, email: string) =>
      createOrPromoteAdmin(t.db, { username, email, password: TEST_PASSWORD }, DEFAULT_PASSWORD_MIN_SCORE);

    it('stores names in NFKC, as registration does', async () => {
      const username = uniqueName('wideadmin');
      const { user, created } = await admin(toFullWidth(username), toFullWidth(`${username}@clinic.example`));
      expect(created).toBe(true);
      expect(user).toMatchObject({ username, email: `${username}@clinic.example` });
    });

    it('refuses a look-alike of an existing account, and invisible characters, creating nothing', async () => {
      const existing = await t.newUser({ username: uniqueName('boss.o') });
      const count = await t.db.getRepository(User).count();
      await expect(admin(existing.username.replace('o', '0'), `${uniqueName()}@clinic.example`)).rejects.toThrow(
        'A user with that username already exists.',
      );
      await expect(admin(uniqueName(), existing.email.replace('o', 'о'))).rejects.toThrow('A user with that email already exists.');
      await expect(admin(`${uniqueName()}\u200b`, `${uniqueName()}@clinic.example`)).rejects.toThrow(INVISIBLE);
      expect(await t.db.getRepository(User).count()).toBe(count);
    });
  });

  describe('two registrations at once', () => {
    it.each([
      [
        'usernames',
        (n: number, base: string) => ({ username: n ? base.replace('o', '0') : base, email: `${uniqueName()}@clinic.example` }),
        'username',
      ],
      [
        // ASCII look-alikes: openapi.json's email format is ASCII (the tests above cover Cyrillic).
        'emails',
        (n: number, base: string) => ({ username: uniqueName(), email: `${n ? base.replace('o', '0') : base}@clinic.example` }),
        'email',
      ],
    ])('of look-alike %s: exactly one 201 and one 409, the database deciding', async (_, body, field) => {
      // Repeated: the services' look-up passes for both most times; the unique index decides.
      for (let round = 0; round < 5; round++) {
        const base = uniqueName('race.o');
        const results = await Promise.all([register(body(0, base)), register(body(1, base))]);
        expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
        const conflict = results.find((res) => res.status === 409)!;
        expectProblem(conflict, 409);
        expect(Object.keys(conflict.body.errors)).toEqual([field]);
      }
    });

    it('refuses a look-alike inserted past the service: the unique index holds', async () => {
      const base = uniqueName('direct.o');
      const users = t.db.getRepository(User);
      await users.save(users.create({ username: base, email: `${base}@clinic.example`, passwordHash: 'not-a-hash' }));
      await expect(
        users.save(users.create({ username: base.replace('o', '0'), email: `${uniqueName()}@clinic.example`, passwordHash: 'not-a-hash' })),
      ).rejects.toMatchObject({ driverError: { code: '23505', constraint: 'users_username_skeleton_key' } });
    });
  });
});

describe('AccountNameSkeletons migration on accounts that already look alike', () => {
  let database: TestDatabase;
  let db: DataSource;
  beforeAll(async () => {
    database = await openTestDatabase();
    db = database.db;
  });
  afterAll(() => database.close());

  it('keeps every account, gives the skeleton to the oldest of each look-alike group, and then refuses new look-alikes', async () => {
    // Undone with the migrations after it, which the inserts below predate too.
    const undo = MIGRATIONS.length - MIGRATIONS.findIndex((migration) => migration.name === 'AccountNameSkeletons1795900000000');
    expect(undo).toBeLessThanOrEqual(MIGRATIONS.length);
    for (let i = 0; i < undo; i++) await db.undoLastMigration({ transaction: 'each' });
    const insert = (username: string, email: string) =>
      db.query(`INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'not-a-hash') RETURNING id`, [username, email]);
    // Written before the rule existed: look-alike usernames, and an email in Cyrillic. (In a
    // skeleton the `m` of `example` is `rn`, its prototype in confusables.txt.)
    const [[anna1], [annal], [annaI], [kim], [kirn], [jane], [jаne]] = [
      await insert('anna1', 'anna1@clinic.example'),
      await insert('annal', 'annal@clinic.example'),
      await insert('annaI', 'annaI@clinic.example'),
      await insert('kim', 'kim@clinic.example'),
      await insert('kirn', 'kirn@clinic.example'),
      await insert('jane', 'jane@clinic.example'),
      await insert('jane2', 'jаne@clinic.example'),
    ];

    await db.runMigrations({ transaction: 'each' });
    expect(await db.showMigrations()).toBe(false);
    const rows: { id: number; username_skeleton: string | null; email_skeleton: string | null }[] = await db.query(
      `SELECT id, username_skeleton, email_skeleton FROM users ORDER BY id`,
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(rows).toHaveLength(7);
    expect(byId.get(anna1.id)).toMatchObject({ username_skeleton: 'annal', email_skeleton: 'annal@clinic.exarnple' });
    expect(byId.get(annal.id)).toMatchObject({ username_skeleton: null, email_skeleton: null });
    expect(byId.get(annaI.id)).toMatchObject({ username_skeleton: null, email_skeleton: null });
    expect(byId.get(kim.id)).toMatchObject({ username_skeleton: 'kirn', email_skeleton: 'kirn@clinic.exarnple' });
    expect(byId.get(kirn.id)).toMatchObject({ username_skeleton: null, email_skeleton: null });
    expect(byId.get(jane.id)).toMatchObject({ username_skeleton: 'jane', email_skeleton: 'jane@clinic.exarnple' });
    expect(byId.get(jаne.id)).toMatchObject({ username_skeleton: 'jane2', email_skeleton: null });

    // A new look-alike of a younger account (no skeleton) meets the older one's.
    const users = db.getRepository(User);
    await expect(users.save(users.create({ username: 'ANNAl', email: 'x1@clinic.example', passwordHash: 'x' }))).rejects.toMatchObject({
      driverError: { code: '23505' },
    });
    await expect(users.save(users.create({ username: 'jane3', email: 'јane@clinic.example', passwordHash: 'x' }))).rejects.toMatchObject({
      driverError: { code: '23505', constraint: 'users_email_skeleton_key' },
    });
  });
});
