import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { User } from '../src/users/user.entity';
import { expectUnauthorized } from './support/problems';
import { TEST_PASSWORD, uniqueName, useTestApp } from './support/test-app';

/*
 * Accounts as the Django importer leaves them: the old project's hash string kept as it was. Each
 * hash is made here, the way Django's hashers make it.
 */

/** Django's PBKDF2PasswordHasher.encode. */
function djangoPbkdf2(password: string, iterations: number, salt = randomBytes(16).toString('base64url').slice(0, 22)): string {
  return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
}

/** Django's Argon2PasswordHasher.encode: `argon2` before argon2-cffi's PHC string, which writes `m=…,t=…,p=…`. */
async function djangoArgon2(password: string, type: 'argon2id' | 'argon2i'): Promise<string> {
  const phc = await argon2.hash(password, {
    type: type === 'argon2id' ? argon2.argon2id : argon2.argon2i,
    memoryCost: 102_400,
    timeCost: 2,
    parallelism: 8,
  });
  return `argon2${phc.replace(/m=(\d+),p=(\d+),t=(\d+)/, 'm=$1,t=$3,p=$2')}`;
}

/** Django's BCryptSHA256PasswordHasher.encode: bcrypt over the hex SHA-256 of the password. */
function djangoBcryptSha256(password: string): string {
  return `bcrypt_sha256$${bcrypt.hashSync(createHash('sha256').update(password).digest('hex'), 10)}`;
}

/** Django's BCryptPasswordHasher.encode. */
function djangoBcrypt(password: string): string {
  return `bcrypt$${bcrypt.hashSync(password, 10)}`;
}

describe('Django password hashes (e2e)', () => {
  const t = useTestApp();

  async function importedUser(passwordHash: string): Promise<{ id: number; username: string }> {
    const username = uniqueName('django');
    const user = await t.db.getRepository(User).save({ username, email: `${username}@clinic.example`, passwordHash });
    return { id: user.id, username };
  }

  const storedHash = async (id: number) => (await t.db.getRepository(User).findOneByOrFail({ id })).passwordHash;
  const login = (username: string, password: string) => t.http().post('/api/auth/login/').send({ username, password });

  it.each([
    ['pbkdf2_sha256 (Django 4.2: 600,000 iterations)', () => djangoPbkdf2(TEST_PASSWORD, 600_000)],
    ['pbkdf2_sha256 with an old count and a salt of another length', () => djangoPbkdf2(TEST_PASSWORD, 36_000, 'shortsalt')],
    ['argon2 (argon2id)', () => djangoArgon2(TEST_PASSWORD, 'argon2id')],
    ['argon2 (argon2i, before Django 3.2)', () => djangoArgon2(TEST_PASSWORD, 'argon2i')],
    ['bcrypt_sha256', () => djangoBcryptSha256(TEST_PASSWORD)],
    ['bcrypt', () => djangoBcrypt(TEST_PASSWORD)],
  ])('logs in with the old password under %s, refuses a wrong one, and stores argon2id at the first login', async (_, makeHash) => {
    const djangoHash = await makeHash();
    const user = await importedUser(djangoHash);

    const wrong = await login(user.username, 'Not-The-Password-9');
    expectUnauthorized(wrong);
    expect(await storedHash(user.id)).toBe(djangoHash);

    const first = await login(user.username, TEST_PASSWORD);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.user.id).toBe(user.id);
    const rehashed = await storedHash(user.id);
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=12288,p=1,t=3\$/);
    expect(await argon2.verify(rehashed, TEST_PASSWORD)).toBe(true);

    const again = await login(user.username, TEST_PASSWORD);
    expect(again.status).toBe(200);
    expect(await storedHash(user.id)).toBe(rehashed);
    expectUnauthorized(await login(user.username, 'Not-The-Password-9'));
  });

  it.each([
    ['an iteration count that is not a number', `pbkdf2_sha256$many$salt$${'A'.repeat(43)}=`],
    ['more than 10,000,000 iterations', djangoPbkdf2(TEST_PASSWORD, 1).replace('$1$', '$10000001$')],
    ['a pbkdf2 hash of the wrong length', `pbkdf2_sha256$1000$salt$${Buffer.alloc(16).toString('base64')}`],
    ['a truncated argon2 hash', 'argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA'],
    ['an argon2 hash asking for 1 GiB', 'argon2$argon2id$v=19$m=1048576,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['a bcrypt hash of cost 31', `bcrypt$$2b$31$${'a'.repeat(53)}`],
    ['bcrypt_sha256 without its bcrypt part', 'bcrypt_sha256$'],
    ["Django's unusable password", `!${'x'.repeat(40)}`],
    ['an unsupported Django hasher', 'md5$salt$0123456789abcdef0123456789abcdef'],
    ['an empty hash', ''],
  ])('answers 401, not 500, for %s, and keeps the hash', async (_, hash) => {
    const user = await importedUser(hash);
    expectUnauthorized(await login(user.username, TEST_PASSWORD));
    expect(await storedHash(user.id)).toBe(hash);
  });

  it('answers an unknown account no sooner than a wrong password of an account with a costly Django hash', async () => {
    // A hash made from another password: the same work as the real one.
    const user = await importedUser(djangoPbkdf2('Another-Password-7', 2_000_000));
    const timed = async (username: string) => {
      const started = performance.now();
      expectUnauthorized(await login(username, TEST_PASSWORD));
      return performance.now() - started;
    };
    const django = await timed(user.username);
    const unknown = await timed(uniqueName('ghost'));
    // Without the floor the unknown account costs one argon2id check, several times less.
    expect(unknown).toBeGreaterThan(django * 0.75);
  });
});
