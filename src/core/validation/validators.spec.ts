import { describe, expect, it } from 'vitest';
import { isPastDate, PHONE_PATTERN } from './validators';

const today = new Date('2024-06-15T12:00:00Z');

describe('isPastDate', () => {
  it('accepts an existing date up to today', () => {
    expect(isPastDate('2024-06-15', today)).toBe(true);
    expect(isPastDate('1990-04-12', today)).toBe(true);
    expect(isPastDate('2024-02-29', today)).toBe(true);
  });

  it('refuses a date after today', () => {
    expect(isPastDate('2024-06-16', today)).toBe(false);
    expect(isPastDate('2999-01-01', today)).toBe(false);
  });

  it('refuses a date that does not exist', () => {
    for (const value of ['2023-02-29', '2023-02-30', '2023-04-31', '2023-13-01', '2023-00-10', '2023-01-00']) {
      expect(isPastDate(value, today), value).toBe(false);
    }
  });

  it('refuses anything but YYYY-MM-DD', () => {
    for (const value of ['12/04/1990', '1990-4-12', '1990-04-12T00:00:00Z', ' 1990-04-12', '', 19900412, null, undefined]) {
      expect(isPastDate(value, today), String(value)).toBe(false);
    }
  });

  it('refuses a date before 1900', () => {
    expect(isPastDate('1900-01-01', today)).toBe(true);
    expect(isPastDate('1899-12-31', today)).toBe(false);
    expect(isPastDate('0000-01-01', today)).toBe(false);
  });
});

describe('PHONE_PATTERN', () => {
  it.each(['+1 (555) 010-0100', '(555) 010-0100', '555 0100', '0044.20.7946.0958', '123'])('accepts %j', (phone) => {
    expect(PHONE_PATTERN.test(phone)).toBe(true);
  });

  it.each(['call me', '12', '+', `+1${'5'.repeat(31)}`, '555-0100 ext. 2'])('refuses %j', (phone) => {
    expect(PHONE_PATTERN.test(phone)).toBe(false);
  });
});
