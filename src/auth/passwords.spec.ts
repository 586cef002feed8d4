import { describe, expect, it } from 'vitest';
import { passwordProblems } from './passwords';

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
  ])("refuses %s with zxcvbn's warning and suggestions as one reason", (_, password, reason) => {
    const found = problems(password);
    expect(found).toHaveLength(1);
    expect(found[0]).toBe(reason);
  });

  it.each(['M4r1g0ld.F1nch!', 'hcnif.dlogiram7'])(
    "refuses %s, the username in l33t or reversed, which only zxcvbn (told the account's words) sees",
    (password) => {
      const account = { username: 'marigold.finch', email: 'marigold.finch@clinic.example' };
      expect(problems(password, 3, account)).toEqual([expect.stringMatching(/^There should not be any personal or page related data\. /)]);
      // The same password for another account: strong.
      expect(problems(password, 3, { username: 'someone.else', email: 'se@clinic.example' })).toEqual([]);
    },
  );

  it.each(['correct-horse-battery-staple', 'quiet lantern orbit 97', 'Correct-Horse-42'])('accepts a strong password: %s', (password) => {
    expect(problems(password)).toEqual([]);
  });

  it("keeps the length, numeric and similarity rules, without zxcvbn's opinion on top", () => {
    expect(problems('Ab1!')).toEqual(['This password is too short. It must contain at least 8 characters.']);
    expect(problems('1234567')).toEqual([
      'This password is too short. It must contain at least 8 characters.',
      'This password is entirely numeric.',
    ]);
    expect(problems('9384756102')).toEqual(['This password is entirely numeric.']);
    expect(problems('JANE.DOE-rules-42')).toEqual(['The password is too similar to the username or email.']);
  });

  it('applies the configured score: 0 keeps only the rules, 4 asks for more than 3', () => {
    expect(problems('aaaaaaaa', 0)).toEqual([]);
    expect(problems('whatever-1234', 2)).toEqual([]);
    expect(problems('whatever-1234', 3)).not.toEqual([]);
  });
});
