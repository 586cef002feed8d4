import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { ConcurrencyLimit } from '../core/concurrency-limit';
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

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

/**
 * zxcvbn with its common (leaked passwords, diceware) and English (words, names, Wikipedia)
 * dictionaries, built at the first check that needs it: some 400 ms and 23 MB of heap (about
 * 50 MB of RSS), which a service that only logs people in never spends.
 */
let estimator: ZxcvbnFactory | undefined;
function strengthEstimator(): ZxcvbnFactory {
  if (!estimator) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
    const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
    /* eslint-enable @typescript-eslint/no-require-imports */
    estimator = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
      // Substitutable characters tried in l33t matching (default 100): with 10, the same scores
      // on our samples and a third of the CPU per check. A password with more is long anyway.
      l33tMaxSubstitutions: 10,
    });
  }
  return estimator;
}

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
export function passwordProblems(password: string, account: { username: string; email: string }, minScore: number): string[] {
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
    const { score, feedback } = strengthEstimator().check(password, accountWords(account));
    // One reason, as each rule above gives one: zxcvbn's warning, then its suggestions.
    if (score < minScore) problems.push([feedback.warning || 'This password is too easy to guess.', ...feedback.suggestions].join(' '));
  }
  return problems;
}
