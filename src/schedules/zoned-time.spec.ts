import { describe, expect, it } from 'vitest';
import { addDays, isIanaTimeZone, instantOf, parseClock, wallTimeAt } from './zoned-time';

const at = (hours: number, minutes = 0) => hours * 60 + minutes;
const iso = (instant: Date | null) => instant?.toISOString() ?? null;

describe('instantOf', () => {
  it('reads a Europe/Berlin wall time in winter (+01:00) and in summer (+02:00)', () => {
    expect(iso(instantOf('2030-01-15', at(9), 'Europe/Berlin'))).toBe('2030-01-15T08:00:00.000Z');
    expect(iso(instantOf('2030-07-15', at(9), 'Europe/Berlin'))).toBe('2030-07-15T07:00:00.000Z');
  });

  it('returns null for Europe/Berlin wall times skipped when clocks spring forward (2030-03-31 02:00-02:59)', () => {
    expect(instantOf('2030-03-31', at(2, 30), 'Europe/Berlin')).toBeNull();
    expect(instantOf('2030-03-31', at(2), 'Europe/Berlin')).toBeNull();
    expect(instantOf('2030-03-31', at(2, 59), 'Europe/Berlin')).toBeNull();
  });

  it('resolves the Europe/Berlin wall times either side of the spring-forward gap', () => {
    expect(iso(instantOf('2030-03-31', at(1, 59), 'Europe/Berlin'))).toBe('2030-03-31T00:59:00.000Z');
    expect(iso(instantOf('2030-03-31', at(3), 'Europe/Berlin'))).toBe('2030-03-31T01:00:00.000Z');
  });

  it('resolves a Europe/Berlin wall time repeated when clocks fall back (2030-10-27 02:30) to its first occurrence', () => {
    expect(iso(instantOf('2030-10-27', at(2, 30), 'Europe/Berlin'))).toBe('2030-10-27T00:30:00.000Z');
    expect(iso(instantOf('2030-10-27', at(2), 'Europe/Berlin'))).toBe('2030-10-27T00:00:00.000Z');
    expect(iso(instantOf('2030-10-27', at(3), 'Europe/Berlin'))).toBe('2030-10-27T02:00:00.000Z');
    expect(iso(instantOf('2030-10-27', at(1, 59), 'Europe/Berlin'))).toBe('2030-10-26T23:59:00.000Z');
  });

  it('handles both America/New_York DST days (2030-03-10 gap, 2030-11-03 repeated 01:00-01:59)', () => {
    expect(instantOf('2030-03-10', at(2, 30), 'America/New_York')).toBeNull();
    expect(iso(instantOf('2030-03-10', at(1, 30), 'America/New_York'))).toBe('2030-03-10T06:30:00.000Z');
    expect(iso(instantOf('2030-03-10', at(3, 30), 'America/New_York'))).toBe('2030-03-10T07:30:00.000Z');
    expect(iso(instantOf('2030-11-03', at(1, 30), 'America/New_York'))).toBe('2030-11-03T05:30:00.000Z');
    expect(iso(instantOf('2030-11-03', at(2), 'America/New_York'))).toBe('2030-11-03T07:00:00.000Z');
  });

  it('handles a half-hour offset (Asia/Kolkata, +05:30)', () => {
    expect(iso(instantOf('2030-06-01', at(9), 'Asia/Kolkata'))).toBe('2030-06-01T03:30:00.000Z');
    expect(iso(instantOf('2030-06-01', at(0, 15), 'Asia/Kolkata'))).toBe('2030-05-31T18:45:00.000Z');
  });

  it('handles Pacific/Auckland, where the local date is a day ahead of the UTC date', () => {
    expect(iso(instantOf('2030-01-15', at(9), 'Pacific/Auckland'))).toBe('2030-01-14T20:00:00.000Z');
    expect(iso(instantOf('2030-07-15', at(9), 'Pacific/Auckland'))).toBe('2030-07-14T21:00:00.000Z');
    expect(instantOf('2030-09-29', at(2, 30), 'Pacific/Auckland')).toBeNull();
  });

  it('resolves a Pacific/Auckland repeated wall time (2030-04-07 02:30, +13:00 then +12:00) to its first occurrence', () => {
    expect(iso(instantOf('2030-04-07', at(2, 30), 'Pacific/Auckland'))).toBe('2030-04-06T13:30:00.000Z');
    expect(iso(instantOf('2030-04-07', at(3), 'Pacific/Auckland'))).toBe('2030-04-06T15:00:00.000Z');
  });

  it('is the inverse of wallTimeAt for every half hour of a DST-change day', () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
      const instant = instantOf('2030-10-27', minutes, 'Europe/Berlin');
      expect(instant).not.toBeNull();
      expect(wallTimeAt(instant!, 'Europe/Berlin')).toMatchObject({ date: '2030-10-27', minutes });
    }
  });
});

describe('wallTimeAt', () => {
  it('gives the local date, minutes since midnight and weekday (0 = Monday) in Europe/Berlin', () => {
    expect(wallTimeAt(new Date('2030-01-14T08:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2030-01-14', minutes: at(9, 30), weekday: 0 });
    expect(wallTimeAt(new Date('2030-01-13T12:00:00Z'), 'Europe/Berlin')).toEqual({ date: '2030-01-13', minutes: at(13), weekday: 6 });
  });

  it('shows the same Europe/Berlin wall time for both occurrences of the repeated hour', () => {
    expect(wallTimeAt(new Date('2030-10-27T00:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2030-10-27', minutes: at(2, 30), weekday: 6 });
    expect(wallTimeAt(new Date('2030-10-27T01:30:00Z'), 'Europe/Berlin')).toEqual({ date: '2030-10-27', minutes: at(2, 30), weekday: 6 });
  });

  it('jumps from 01:59 to 03:00 in Europe/Berlin on 2030-03-31', () => {
    expect(wallTimeAt(new Date('2030-03-31T00:59:00Z'), 'Europe/Berlin').minutes).toBe(at(1, 59));
    expect(wallTimeAt(new Date('2030-03-31T01:00:00Z'), 'Europe/Berlin').minutes).toBe(at(3));
  });

  it('shows America/New_York at -04:00 after the spring change and twice 01:30 on the autumn one', () => {
    expect(wallTimeAt(new Date('2030-03-10T07:00:00Z'), 'America/New_York')).toEqual({ date: '2030-03-10', minutes: at(3), weekday: 6 });
    expect(wallTimeAt(new Date('2030-11-03T05:30:00Z'), 'America/New_York').minutes).toBe(at(1, 30));
    expect(wallTimeAt(new Date('2030-11-03T06:30:00Z'), 'America/New_York').minutes).toBe(at(1, 30));
  });

  it('moves to the next local date and weekday in Asia/Kolkata at 18:30 UTC', () => {
    expect(wallTimeAt(new Date('2030-06-01T18:29:00Z'), 'Asia/Kolkata')).toEqual({ date: '2030-06-01', minutes: at(23, 59), weekday: 5 });
    expect(wallTimeAt(new Date('2030-06-01T18:45:00Z'), 'Asia/Kolkata')).toEqual({ date: '2030-06-02', minutes: at(0, 15), weekday: 6 });
  });

  it('gives the Pacific/Auckland local date and weekday, a day ahead of UTC', () => {
    expect(wallTimeAt(new Date('2030-01-14T20:00:00Z'), 'Pacific/Auckland')).toEqual({ date: '2030-01-15', minutes: at(9), weekday: 1 });
  });

  it('shows midnight as minute 0, never 24:00', () => {
    expect(wallTimeAt(new Date('2030-01-14T00:00:00Z'), 'UTC')).toEqual({ date: '2030-01-14', minutes: 0, weekday: 0 });
  });
});

describe('time-zone helpers', () => {
  it('accepts IANA zone names and refuses offsets and anything else', () => {
    expect(isIanaTimeZone('Europe/Berlin')).toBe(true);
    expect(isIanaTimeZone('Asia/Kolkata')).toBe(true);
    expect(isIanaTimeZone('UTC')).toBe(true);
    expect(isIanaTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isIanaTimeZone('+01:00')).toBe(false);
    expect(isIanaTimeZone('')).toBe(false);
  });

  it('adds days to a date across month and year ends', () => {
    expect(addDays('2030-12-31', 1)).toBe('2031-01-01');
    expect(addDays('2030-03-01', -1)).toBe('2030-02-28');
    expect(addDays('2030-03-31', 1)).toBe('2030-04-01');
  });

  it('throws rather than spell a day past 9999 so that it sorts before 9999-12-31', () => {
    expect(addDays('9999-12-30', 1)).toBe('9999-12-31');
    expect(() => addDays('9999-12-31', 1)).toThrow(RangeError);
  });

  it('parses HH:MM into minutes since midnight, with 24:00 as the end of the day', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('09:30')).toBe(570);
    expect(parseClock('24:00')).toBe(1440);
  });
});
