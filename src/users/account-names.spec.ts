import { describe, expect, it } from 'vitest';
import {
  accountNameSkeleton,
  invisibleCharacterProblem,
  normaliseAccount,
  normaliseAccountName,
  usernameBaseFromEmail,
  usernameCandidates,
} from './account-names';

describe('account names', () => {
  it('takes full-width and other compatibility forms to NFKC', () => {
    expect(normaliseAccountName('ｊａｎｅ．ｄｏｅ')).toBe('jane.doe');
    expect(normaliseAccountName('ﬁnch@clinic.example')).toBe('finch@clinic.example');
  });

  it.each([
    ['zero-width space', 'jane\u200bdoe'],
    ['zero-width joiner', 'ja\u200dne'],
    ['byte order mark', '\ufeffjane'],
    ['right-to-left override', 'jane\u202edoe'],
    ['soft hyphen', 'ja\u00adne'],
    ['Hangul filler', 'jane\u3164'],
    ['variation selector', 'jane\ufe0f'],
    ['control character', 'jane\u0007'],
    ['line separator', 'jane\u2028'],
  ])('refuses a %s', (_, value) => {
    expect(invisibleCharacterProblem('username', normaliseAccountName(value))).toBe(
      'username must not contain invisible or control characters (such as zero-width spaces).',
    );
  });

  it('accepts ordinary names, including letters beyond ASCII', () => {
    for (const value of ['jane.doe', 'jane+tag@clinic.example', 'zoë@clinic.example', 'łukasz@klinika.example', 'иван@клиника.example']) {
      expect(invisibleCharacterProblem('email', value)).toBeUndefined();
    }
  });

  it('normalises an account from a script, or names every problem', () => {
    expect(normaliseAccount({ username: 'ｊａｎｅ', email: 'Jane@Clinic.example', password: 'x' })).toEqual({
      username: 'jane',
      email: 'Jane@Clinic.example',
      password: 'x',
    });
    expect(() => normaliseAccount({ username: 'ja\u200bne', email: 'ja\u200bne@clinic.example' })).toThrow(
      /^username must not .* email must not /,
    );
  });

  describe('skeleton (TR39)', () => {
    it.each([
      ['Cyrillic а', 'jаne@clinic.example', 'jane@clinic.example'],
      ['Cyrillic capitals', 'JАNЕ.DОЕ', 'jane.doe'],
      ['Greek ο', 'jοhn', 'john'],
      ['full-width forms', 'ｊａｎｅ', 'jane'],
      ['digit zero for o', 'jane.d0e', 'jane.doe'],
      ['digit one for l', 'wi11iam', 'william'],
      ['capital I for l', 'wiIIiam', 'william'],
      ['rn for m', 'kirn', 'kim'],
      ['case alone', 'Jane.Doe', 'jane.doe'],
      ['a precomposed letter and its decomposition', 'zo\u00eb', 'zoe\u0308'],
    ])('gives %s the same skeleton', (_, lookAlike, original) => {
      expect(accountNameSkeleton(lookAlike)).toBe(accountNameSkeleton(original));
    });

    it.each([
      ['different letters', 'jane', 'june'],
      ['an accent', 'zoe', 'zoë'],
      ['an extra letter', 'jane', 'janes'],
    ])('tells apart names that differ by %s', (_, a, b) => {
      expect(accountNameSkeleton(a)).not.toBe(accountNameSkeleton(b));
    });

    it('is in NFD and lower case, and stable when applied again', () => {
      for (const value of ['JАNЕ.D0Е', 'ｊａｎｅ', 'Zoë@Clinic.example', 'kirn']) {
        const skeleton = accountNameSkeleton(value);
        expect(skeleton).toBe(skeleton.normalize('NFD'));
        expect(skeleton).toBe(skeleton.toLowerCase());
        expect(accountNameSkeleton(skeleton)).toBe(skeleton);
      }
    });
  });
});

describe('usernames derived from an email', () => {
  it.each([
    ['jane@clinic.example', 'jane'],
    ['Jane.Doe+clinic@clinic.example', 'Jane.Doe+clinic'],
    ['josé.martín@clinic.example', 'jose.martin'],
    ['ｊａｎｅ@clinic.example', 'jane'],
    ["o'brien#1@clinic.example", 'obrien1'],
    ['"a@b"@clinic.example', 'a@b'],
    ['jo@clinic.example', 'jo_user'],
    ['李@clinic.example', 'user'],
    [`${'a'.repeat(200)}@clinic.example`, 'a'.repeat(143)],
  ])('%s gives %s', (email, base) => {
    expect(usernameBaseFromEmail(email)).toBe(base);
    expect(usernameBaseFromEmail(email)).toMatch(/^[A-Za-z0-9@.+_-]{3,143}$/);
  });

  it('numbers the candidates from 2, leaving room within 150 characters', () => {
    const candidates = usernameCandidates('jane');
    expect([0, 1, 2].map(() => candidates.next().value)).toEqual(['jane', 'jane2', 'jane3']);
    let last = '';
    for (const candidate of usernameCandidates('a'.repeat(143))) last = candidate;
    expect(last).toHaveLength(150);
  });
});
