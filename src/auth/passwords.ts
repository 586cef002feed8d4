import * as argon2 from 'argon2';
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { ConcurrencyLimit } from '../core/concurrency-limit';
import { StrengthEstimator } from './password-strength';

export const MIN_PASSWORD_LENGTH = 8;

/**
 * argon2id with one of OWASP's recommended settings: 12 MiB, 3 passes, 1 lane. OWASP lists it
 * with 19 MiB and 2 passes (used here before) as giving the same defence; it spends the same CPU
 * but 7 MiB less memory per hash, and the memory of a hash stays with the thread that ran it.
 * argon2's defaults (64 MiB, 3 passes, 4 lanes) made every login hold 64 MiB for ~170 ms of CPU:
 * with libuv's four threads hashing at once, a burst of logins took the process past 500 MB.
 */
const COST = { memoryCost: 12_288, timeCost: 3, parallelism: 1 };

/**
 * Hashes and checks one per CPU at a time. argon2 (and the pbkdf2 and bcrypt of imported Django
 * hashes) is CPU-bound, so more at once would not be faster; they would only each hold their
 * memory (libuv runs four at once by default).
 */
const hashSlots = new ConcurrencyLimit(availableParallelism());

export function hashPassword(password: string): Promise<string> {
  return hashSlots.run(() => argon2.hash(password, { type: argon2.argon2id, ...COST }));
}

/**
 * A hash made with other parameters (an older default), or in another format (a Django hash kept
 * by the importer); it is replaced by the service's argon2id at the account's next login.
 */
export function hashIsOutdated(hash: string): boolean {
  return !hash.startsWith('$argon2id$') || argon2.needsRehash(hash, COST);
}

/**
 * Limits on the cost of a stored hash, beyond which it is refused as invalid rather than checked:
 * a stored hash decides how much CPU and memory a login attempt spends. Django's defaults are far
 * below them (pbkdf2_sha256: 1,000,000 iterations in Django 5.0; argon2: 100 MiB, 2 passes, 8
 * lanes; bcrypt: cost 12).
 */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_ARGON2_MEMORY_KIB = 262_144;
const MAX_ARGON2_PASSES = 16;
const MAX_BCRYPT_COST = 14;

// The parameters in any order: node-argon2 writes `m=…,p=…,t=…`, argon2-cffi (Django) `m=…,t=…,p=…`.
const ARGON2 = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?([a-z]=\d{1,10}(?:,[a-z]=\d{1,10})*)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const DJANGO_PBKDF2 = /^pbkdf2_(sha256|sha1)\$(\d{1,9})\$([^$]*)\$([A-Za-z0-9+/]+={0,2})$/;
const BCRYPT = /^\$2[abxy]?\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const PBKDF2_LENGTH = { sha256: 32, sha1: 20 } as const;

/** A check of one stored hash, or undefined when the hash is in no format we know or is too costly. */
type Check = () => Promise<boolean>;

function argon2Check(phc: string, password: string): Check | undefined {
  const match = ARGON2.exec(phc);
  if (!match) return undefined;
  const parameters = new Map(match[1].split(',').map((pair) => [pair[0], Number(pair.slice(2))]));
  if (!((parameters.get('m') ?? Infinity) <= MAX_ARGON2_MEMORY_KIB && (parameters.get('t') ?? Infinity) <= MAX_ARGON2_PASSES))
    return undefined;
  return () => argon2.verify(phc, password);
}

/** Django's PBKDF2PasswordHasher (and its SHA1 variant): base64 of pbkdf2(password, salt, iterations), the digest's length. */
function pbkdf2Check(hash: string, password: string): Check | undefined {
  const match = DJANGO_PBKDF2.exec(hash);
  if (!match) return undefined;
  const digest = match[1] as keyof typeof PBKDF2_LENGTH;
  const iterations = Number(match[2]);
  const expected = Buffer.from(match[4], 'base64');
  if (iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS || expected.length !== PBKDF2_LENGTH[digest]) return undefined;
  return async () => {
    // Asynchronous: a million iterations run in libuv's pool, not on the event loop.
    const actual = await promisify(pbkdf2)(password, match[3], iterations, expected.length, digest);
    return timingSafeEqual(actual, expected);
  };
}

/** bcrypt as Django stores it (bcryptjs is pure JavaScript, run in slices between other work). */
function bcryptCheck(bcryptHash: string, secret: string): Check | undefined {
  const match = BCRYPT.exec(bcryptHash);
  if (!match || Number(match[1]) > MAX_BCRYPT_COST) return undefined;
  // Loaded at the first imported bcrypt hash checked: most services never see one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return () => (require('bcryptjs') as typeof import('bcryptjs')).compare(secret, bcryptHash);
}

/**
 * The formats a stored hash may have: the service's own argon2id, and the Django hashes the
 * importer keeps as they were: `pbkdf2_sha256$…` (`pbkdf2_sha1$…`), `argon2$argon2id$…` (the PHC
 * string after Django's algorithm name), `bcrypt_sha256$$2b$…` (bcrypt over the hex SHA-256 of
 * the password) and `bcrypt$$2b$…`.
 */
function checkFor(hash: string, password: string): Check | undefined {
  if (hash.startsWith('$argon2')) return argon2Check(hash, password);
  if (hash.startsWith('pbkdf2_')) return pbkdf2Check(hash, password);
  if (hash.startsWith('argon2$')) return argon2Check(hash.slice('argon2'.length), password);
  if (hash.startsWith('bcrypt_sha256$')) {
    return bcryptCheck(hash.slice('bcrypt_sha256$'.length), createHash('sha256').update(password).digest('hex'));
  }
  if (hash.startsWith('bcrypt$')) return bcryptCheck(hash.slice('bcrypt$'.length), password);
  return undefined;
}

/**
 * Whether `password` is the one `hash` was made from. A hash in no known format, a malformed or
 * too costly one answers false (never throws) after a decoy check, so such an account answers as
 * slowly as any other wrong password.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const check = checkFor(hash, password);
  if (!check) return burnPasswordCheck(password).then(() => false);
  return hashSlots.run(timed(check)).catch(() => false);
}

/** Verified when an account does not exist, so a wrong username costs as long as a wrong password. */
let decoyHash: Promise<string> | undefined;
export function burnPasswordCheck(password: string): Promise<boolean> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash.then((hash) => hashSlots.run(timed(() => argon2.verify(hash, password)))).catch(() => false);
}

/**
 * Failed logins answered no sooner than the slowest check of the last minute or two. Checks
 * differ in cost (an imported Django hash with a million pbkdf2 iterations takes several times
 * an argon2id check): without this an account still holding a Django hash, or an unknown one,
 * would show by how long its wrong password takes. The wait is a timer, not CPU; it is capped.
 */
const FLOOR_WINDOW_MS = 60_000;
const MAX_FLOOR_MS = 5_000;
const slowest = { windowStart: 0, current: 0, previous: 0 };

function timed(check: Check): Check {
  return async () => {
    const started = performance.now();
    try {
      return await check();
    } finally {
      noteCheckDuration(performance.now() - started);
    }
  };
}

function noteCheckDuration(ms: number): void {
  const now = Date.now();
  if (now - slowest.windowStart >= FLOOR_WINDOW_MS) {
    // The window before a gap longer than one window counts for nothing.
    slowest.previous = now - slowest.windowStart < 2 * FLOOR_WINDOW_MS ? slowest.current : 0;
    slowest.current = 0;
    slowest.windowStart = now;
  }
  slowest.current = Math.max(slowest.current, ms);
}

/** Waits until `startedAt` (a performance.now()) is as long ago as the slowest recent check (at most MAX_FLOOR_MS). */
export async function awaitFailureFloor(startedAt: number): Promise<void> {
  const floor = Math.min(Math.max(slowest.current, slowest.previous), MAX_FLOOR_MS);
  const remaining = startedAt + floor - performance.now();
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
}

const estimator = new StrengthEstimator();

/** What zxcvbn is told about the account: a password made of these is guessed early. */
function accountWords(account: { username: string; email: string }): string[] {
  const [emailName] = account.email.split('@');
  const parts = `${account.username} ${emailName}`.split(/[\s@.+_-]+/).filter((part) => part.length >= 3);
  return [...new Set([account.username, account.email, emailName, ...parts].map((word) => word.toLowerCase()))];
}

/**
 * The reasons a password is refused, one message each: Django's length, numeric and similarity
 * rules, then (when those pass) a zxcvbn score below `minScore`, told with zxcvbn's own warning
 * and suggestions.
 */
export async function passwordProblems(
  password: string,
  account: { username: string; email: string },
  minScore: number,
): Promise<string[]> {
  const problems: string[] = [];
  const lower = password.toLowerCase();
  if (password.length < MIN_PASSWORD_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.');
  const [emailName] = account.email.toLowerCase().split('@');
  if ([account.username.toLowerCase(), account.email.toLowerCase(), emailName].some((part) => part.length >= 3 && lower.includes(part))) {
    problems.push('The password is too similar to the username or email.');
  }
  // The estimate costs some 10-20 ms of CPU: not spent on a password refused already.
  if (problems.length === 0 && minScore > 0) {
    const { score, warning, suggestions } = await estimator.check(password, accountWords(account));
    // One reason, as each rule above gives one: zxcvbn's warning, then its suggestions.
    if (score < minScore) problems.push([warning || 'This password is too easy to guess.', ...suggestions].join(' '));
  }
  return problems;
}
