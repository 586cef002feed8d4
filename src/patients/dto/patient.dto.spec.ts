import { describe, expect, it } from 'vitest';
import { ageOn } from './patient.dto';

const on = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('ageOn', () => {
  it('counts whole years, a year more from the birthday on', () => {
    expect(ageOn('1990-04-12', on('2024-04-11'))).toBe(33);
    expect(ageOn('1990-04-12', on('2024-04-12'))).toBe(34);
    expect(ageOn('1990-04-12', on('2024-04-13'))).toBe(34);
  });

  it('compares the month before the day', () => {
    expect(ageOn('1990-12-01', on('2024-11-30'))).toBe(33);
    expect(ageOn('1990-01-31', on('2024-02-01'))).toBe(34);
  });

  it('is 0 on the day of birth and the day before the first birthday', () => {
    expect(ageOn('2024-03-10', on('2024-03-10'))).toBe(0);
    expect(ageOn('2024-03-10', on('2025-03-09'))).toBe(0);
  });

  it('has someone born on 29 February turn a year older on 1 March in common years', () => {
    expect(ageOn('2000-02-29', on('2023-02-28'))).toBe(22);
    expect(ageOn('2000-02-29', on('2023-03-01'))).toBe(23);
    expect(ageOn('2000-02-29', on('2024-02-29'))).toBe(24);
  });

  it('uses the UTC date of "today"', () => {
    expect(ageOn('2000-06-15', new Date('2020-06-14T23:30:00-02:00'))).toBe(20);
    expect(ageOn('2000-06-15', new Date('2020-06-15T00:30:00+02:00'))).toBe(19);
  });
});
