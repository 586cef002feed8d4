import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time';

describe('isoTime', () => {
  it('is toISOString for instants across years 1000-9999, every millisecond field included', () => {
    const from = Date.UTC(1000, 0, 1);
    const to = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const instants = [from, to, 0, -1, Date.UTC(2024, 1, 29, 12, 0, 0, 5), Date.UTC(2026, 11, 7, 23, 9, 37, 856)];
    // A fixed walk over the range, so a failure names the same instants every run.
    for (let i = 0; i < 20_000; i++) instants.push(from + Math.floor(((to - from) / 20_000) * i) + (i % 1000));
    for (const time of instants) expect(isoTime(new Date(time))).toBe(new Date(time).toISOString());
  });

  it('leaves other years to toISOString, and throws as it does for an invalid date', () => {
    for (const time of [Date.UTC(999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-50, 5, 1), 8.64e15]) {
      expect(isoTime(new Date(time))).toBe(new Date(time).toISOString());
    }
    expect(() => isoTime(new Date(NaN))).toThrow(RangeError);
  });
});
