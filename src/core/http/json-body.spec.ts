import { describe, expect, it } from 'vitest';
import { holdsLoneSurrogate, nestsDeeperThan } from './json-body';

const nest = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('nestsDeeperThan', () => {
  it('counts objects and arrays alike, up to the limit and no further', () => {
    expect(nestsDeeperThan(nest(32), 32)).toBe(false);
    expect(nestsDeeperThan(nest(33), 32)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[{"c":[1]}]}}', 5)).toBe(false);
    expect(nestsDeeperThan('{"a":{"b":[{"c":[1]}]}}', 4)).toBe(true);
    expect(nestsDeeperThan('1', 0)).toBe(false);
    expect(nestsDeeperThan('{}', 0)).toBe(true);
  });

  it('measures the deepest point, not the number of containers', () => {
    expect(nestsDeeperThan(`[${Array.from({ length: 1000 }, () => '[[]]').join(',')}]`, 3)).toBe(false);
    expect(nestsDeeperThan(`{"a":${nest(10)},"b":${nest(2)}}`, 10)).toBe(true);
  });

  it('ignores brackets inside strings, minding escaped quotes and backslashes', () => {
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"a":"\\"${'{'.repeat(100)}"}`, 1)).toBe(false);
    // An escaped backslash ends before the quote, which closes the string: what follows counts.
    expect(nestsDeeperThan(`{"a":"\\\\","b":[[]]}`, 2)).toBe(true);
    expect(nestsDeeperThan(`{"a\\"[[[":1}`, 1)).toBe(false);
  });

  it('walks 500,000 levels without recursion (which would overflow the stack)', () => {
    expect(nestsDeeperThan(nest(500_000), 32)).toBe(true);
    expect(nestsDeeperThan(nest(500_000), 500_000)).toBe(false);
    expect(nestsDeeperThan(`[${'1,'.repeat(500_000)}1]`, 32)).toBe(false);
  });

  it('does not judge malformed text, which JSON.parse refuses afterwards', () => {
    expect(nestsDeeperThan(']]]]{', 1)).toBe(false);
    expect(nestsDeeperThan('"unterminated [[[[', 1)).toBe(false);
  });
});

describe('holdsLoneSurrogate', () => {
  it('finds a surrogate without its other half in any string, key or value, at any depth', () => {
    expect(holdsLoneSurrogate(JSON.parse('{"email":"\\ud800"}'))).toBe(true);
    expect(holdsLoneSurrogate(JSON.parse('{"a":[{"b":"x\\udc00y"}]}'))).toBe(true);
    expect(holdsLoneSurrogate(JSON.parse('{"\\ud83d":1}'))).toBe(true);
    expect(holdsLoneSurrogate(JSON.parse('["\\udc00\\ud800"]'))).toBe(true);
  });

  it('lets whole pairs (an emoji) and plain text through', () => {
    expect(holdsLoneSurrogate(JSON.parse('{"name":"Zoë \\ud83d\\ude00","n":1,"x":null,"l":[true]}'))).toBe(false);
    expect(holdsLoneSurrogate('plain')).toBe(false);
  });
});
