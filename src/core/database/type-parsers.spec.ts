import { describe, expect, it } from 'vitest';
import { parseIsoTimestamptz } from './type-parsers';

describe('parseIsoTimestamptz', () => {
  it('reads the instant with its offset, truncated to milliseconds', () => {
    expect(parseIsoTimestamptz('2026-12-07 23:09:37.856999+00')?.toISOString()).toBe('2026-12-07T23:09:37.856Z');
    expect(parseIsoTimestamptz('2026-12-07 23:09:37.57+00')?.toISOString()).toBe('2026-12-07T23:09:37.570Z');
    expect(parseIsoTimestamptz('2026-12-07 20:09:37-03')?.toISOString()).toBe('2026-12-07T23:09:37.000Z');
    expect(parseIsoTimestamptz('2026-12-08 04:54:37.1+05:45')?.toISOString()).toBe('2026-12-07T23:09:37.100Z');
    expect(parseIsoTimestamptz('1900-01-01 00:19:32+00:19:32')?.toISOString()).toBe('1900-01-01T00:00:00.000Z');
  });

  it.each([
    '0044-03-15 12:00:00+00 BC',
    '2026-12-07 23:09:37+00 BC',
    '12026-01-01 00:00:00+00',
    '0999-06-01 00:00:00+00',
    'infinity',
    '2026-12-07',
    '2026-12-07 23:09:37',
    '2026-12-07 23:09:37Z',
    '2026-12-07 23:09:37+5',
    '2026-12-07 23:09:37+05:3',
    '2026-12-07 23:09:37+05-30',
    '2026-1x-07 23:09:37+00',
    '2026-12-07 23:09:37.+00',
  ])('leaves %s to pg', (text) => {
    expect(parseIsoTimestamptz(text)).toBeUndefined();
  });
});
