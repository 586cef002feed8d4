import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConcurrencyLimit } from '../core/concurrency-limit';
import { COMMON_PASSWORDS } from './common-passwords';

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
 * Hashes and checks one per CPU at a time. argon2 is CPU-bound, so more at once would not be
 * faster; they would only each hold their 12 MiB (libuv runs four at once by default).
 */
const argonSlots = new ConcurrencyLimit(availableParallelism());

export function hashPassword(password: string): Promise<string> {
  return argonSlots.run(() => argon2.hash(password, { type: argon2.argon2id, ...COST }));
}

/** A hash made with other parameters (an older default); it is replaced at the account's next login. */
export function hashIsOutdated(hash: string): boolean {
  return argon2.needsRehash(hash, COST);
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argonSlots.run(() => argon2.verify(hash, password)).catch(() => false);
}

/** Verified when an account does not exist, so a wrong username costs as long as a wrong password. */
let decoyHash: Promise<string> | undefined;
export function burnPasswordCheck(password: string): Promise<boolean> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash.then((hash) => verifyPassword(hash, password));
}

/** Django's default password validators, restated: the reasons a password is refused. */
export function passwordProblems(password: string, account: { username: string; email: string }): string[] {
  const problems: string[] = [];
  const lower = password.toLowerCase();
  if (password.length < MIN_PASSWORD_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.');
  if (COMMON_PASSWORDS.has(lower)) problems.push('This password is too common.');
  const [emailName] = account.email.toLowerCase().split('@');
  if ([account.username.toLowerCase(), account.email.toLowerCase(), emailName].some((part) => part.length >= 3 && lower.includes(part))) {
    problems.push('The password is too similar to the username or email.');
  }
  return problems;
}
