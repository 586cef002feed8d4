import { describe, expect, it } from 'vitest';
import { isDateInput } from './dates';

describe('isDateInput', () => {
  it('takes days from 1900-01-01 to 2100-12-31, and no other', () => {
    for (const day of ['1900-01-01', '2000-02-29', '2100-12-31']) expect(isDateInput(day, 'date'), day).toBe(true);
    for (const day of ['1899-12-31', '2101-01-01', '0001-01-01', '9999-12-31', '0000-00-00'])
      expect(isDateInput(day, 'date'), day).toBe(false);
  });

  it('refuses days that do not exist rather than rolling them over', () => {
    for (const day of ['2030-02-30', '2100-02-29', '2030-13-01', '2030-00-10']) expect(isDateInput(day, 'date'), day).toBe(false);
  });

  it('takes date-times with or without a zone or seconds, within the same years', () => {
    for (const value of [
      '2030-01-15T09:30:00Z',
      '2030-01-15T09:30:00.123+01:00',
      '2030-01-15T09:30',
      '1900-01-01T00:00:00-14:00',
      '2100-12-31T23:59:59.999999999Z',
    ]) {
      expect(isDateInput(value, 'date-time'), value).toBe(true);
    }
    for (const value of [
      '9999-12-31T23:59:59Z',
      '0001-01-01T00:00:00Z',
      '2101-01-01T00:00:00+14:00',
      '2030-01-15T25:00:00Z',
      '2030-01-15',
    ]) {
      expect(isDateInput(value, 'date-time'), value).toBe(false);
    }
  });

  it('takes either kind when asked to, and none of the ISO 8601 spellings JavaScript cannot read', () => {
    expect(isDateInput('2030-01-15', 'date or date-time')).toBe(true);
    expect(isDateInput('2030-01-15T09:30:00Z', 'date or date-time')).toBe(true);
    for (const value of ['2030-W01', '2030-W01-1', '20300115', '2030-001', '2030-01', '2030', '+002030-01-01', '2030-01-15 09:30Z']) {
      expect(isDateInput(value, 'date or date-time'), value).toBe(false);
    }
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 20300115, new Date('2030-01-15'), ['2030-01-15']])
      expect(isDateInput(value, 'date or date-time')).toBe(false);
  });
});
