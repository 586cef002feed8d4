import * as argon2 from 'argon2';
import bcrypt from 'bcryptjs';
import { createHash, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { awaitFailureFloor, hashIsOutdated, hashPassword, passwordProblems, verifyPassword } from './passwords';

const jane = { username: 'jane.doe', email: 'jane.doe@clinic.example' };
const problems = (password: string, minScore = 3, account = jane) => passwordProblems(password, account, minScore);

describe('password policy', () => {
  it.each([
    [
      'repeated characters',
      'aaaaaaaa',
      'Repeated characters like "aaa" are easy to guess. Add more words that are less common. Avoid repeated words and characters.',
    ],
    ['a common password', 'password123', 'This is a commonly used password. Add more words that are less common.'],
    ['a keyboard row', 'qwertyuiop', 'This is a frequently used password. Add more words that are less common.'],
    ['a common word and a year', 'sunshine2024', 'This is similar to a commonly used password. Add more words that are less common.'],
  ])("refuses %s with zxcvbn's warning and suggestions as one reason", async (_, password, reason) => {
    const found = await problems(password);
    expect(found).toHaveLength(1);
    expect(found[0]).toBe(reason);
  });

  it.each(['M4r1g0ld.F1nch!', 'hcnif.dlogiram7'])(
    "refuses %s, the username in l33t or reversed, which only zxcvbn (told the account's words) sees",
    async (password) => {
      const account = { username: 'marigold.finch', email: 'marigold.finch@clinic.example' };
      expect(await problems(password, 3, account)).toEqual([
        expect.stringMatching(/^There should not be any personal or page related data\. /),
      ]);
      // The same password for another account: strong.
      expect(await problems(password, 3, { username: 'someone.else', email: 'se@clinic.example' })).toEqual([]);
    },
  );

  it.each(['correct-horse-battery-staple', 'quiet lantern orbit 97', 'Correct-Horse-42'])(
    'accepts a strong password: %s',
    async (password) => {
      expect(await problems(password)).toEqual([]);
    },
  );

  it("keeps the length, numeric and similarity rules, without zxcvbn's opinion on top", async () => {
    expect(await problems('Ab1!')).toEqual(['This password is too short. It must contain at least 8 characters.']);
    expect(await problems('1234567')).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is entirely numeric.',
    ]);
    expect(await problems('9384756102')).toEqual(['This password is entirely numeric.']);
    expect(await problems('JANE.DOE-rules-42')).toEqual(['The password is too similar to the username or email.']);
  });

  it('applies the configured score: 0 keeps only the rules, 4 asks for more than 3', async () => {
    expect(await problems('aaaaaaaa', 0)).toEqual([]);
    expect(await problems('whatever-1234', 2)).toEqual([]);
    expect(await problems('whatever-1234', 3)).not.toEqual([]);
  });
});

describe('stored hashes', () => {
  const password = 'Correct-Horse-42';
  const pbkdf2 = (iterations: number, salt = 'Fj8sN2k0qLx1', digest: 'sha256' | 'sha1' = 'sha256') =>
    `pbkdf2_${digest}$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, digest === 'sha256' ? 32 : 20, digest).toString('base64')}`;

  /** Known formats, each made here as Django makes it; the service's own hash last. */
  const formats: [string, () => Promise<string> | string][] = [
    ['pbkdf2_sha256', () => pbkdf2(10_000)],
    ['pbkdf2_sha1', () => pbkdf2(10_000, 'salt', 'sha1')],
    [
      'argon2 (Django, m,t,p order)',
      async () =>
        `argon2${(await argon2.hash(password, { type: argon2.argon2id, memoryCost: 8192 })).replace(/m=(\d+),p=(\d+),t=(\d+)/, 'm=$1,t=$3,p=$2')}`,
    ],
    ['bcrypt_sha256', () => `bcrypt_sha256$${bcrypt.hashSync(createHash('sha256').update(password).digest('hex'), 4)}`],
    ['bcrypt', () => `bcrypt$${bcrypt.hashSync(password, 4)}`],
    ['argon2id of the service', () => hashPassword(password)],
  ];

  it.each(formats)('verifies %s: the password, and nothing else', async (_, make) => {
    const hash = await make();
    expect(await verifyPassword(hash, password)).toBe(true);
    expect(await verifyPassword(hash, `${password}x`)).toBe(false);
    expect(await verifyPassword(hash, '')).toBe(false);
  });

  it("counts every hash but the service's current argon2id as outdated", async () => {
    for (const [name, make] of formats.slice(0, -1)) expect(hashIsOutdated(await make()), name).toBe(true);
    expect(hashIsOutdated(await hashPassword(password))).toBe(false);
  });

  it('compares the bcrypt of the hex SHA-256 for bcrypt_sha256, not of the password', async () => {
    const plain = `bcrypt_sha256$${bcrypt.hashSync(password, 4)}`;
    expect(await verifyPassword(plain, password)).toBe(false);
  });

  it.each([
    ['pbkdf2 above 10,000,000 iterations', `pbkdf2_sha256$10000001$salt$${Buffer.alloc(32).toString('base64')}`],
    ['pbkdf2 of 0 iterations', `pbkdf2_sha256$0$salt$${Buffer.alloc(32).toString('base64')}`],
    ['pbkdf2 with a hash that is not base64', 'pbkdf2_sha256$1000$salt$not*base64'],
    ['pbkdf2_sha512, which Django never had', `pbkdf2_sha512$1000$salt$${Buffer.alloc(64).toString('base64')}`],
    ['argon2 without parameters', 'argon2$argon2id$v=19$c2FsdHNhbHQ$aGFzaA'],
    ['argon2 of 300 MiB', 'argon2$argon2id$v=19$m=307200,t=2,p=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['argon2 of 20 passes', 'argon2$argon2id$v=19$m=8192,t=20,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'],
    ['argon2 with a broken hash', 'argon2$argon2id$v=19$m=8192,t=2,p=1$c2FsdHNhbHQ$aGFz'],
    ['bcrypt of cost 15', `bcrypt$$2b$15$${'a'.repeat(53)}`],
    ['bcrypt cut short', 'bcrypt$$2b$12$abc'],
    ['an unusable password', '!abcdef'],
    ['sha1', 'sha1$salt$0123456789abcdef0123456789abcdef01234567'],
  ])('answers false, without throwing, for %s', async (_, hash) => {
    await expect(verifyPassword(hash, password)).resolves.toBe(false);
  });

  it('answers a failed login no sooner than the slowest check of late', async () => {
    const started = performance.now();
    const slowHash = pbkdf2(400_000);
    const checkStarted = performance.now();
    expect(await verifyPassword(slowHash, 'wrong')).toBe(false);
    const check = performance.now() - checkStarted;
    const floorStarted = performance.now();
    await awaitFailureFloor(floorStarted);
    expect(performance.now() - floorStarted).toBeGreaterThanOrEqual(check * 0.9);
    // A request that already took as long waits no more.
    const waited = performance.now();
    await awaitFailureFloor(started - 10_000);
    expect(performance.now() - waited).toBeLessThan(50);
  });
});
