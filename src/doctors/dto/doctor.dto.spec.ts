import { describe, expect, it } from 'vitest';
import { MONEY_PATTERN } from './create-doctor.dto';
import { formatMoney } from './doctor.dto';

describe('formatMoney', () => {
  it.each([
    ['1500', '1500.00'],
    ['99.5', '99.50'],
    ['1500.00', '1500.00'],
    ['0', '0.00'],
    ['0.5', '0.50'],
    ['007.5', '7.50'],
    ['00', '0.00'],
    ['12345678.99', '12345678.99'],
  ])('writes %j as %j, as PostgreSQL returns numeric(10,2)', (amount, expected) => {
    expect(formatMoney(amount)).toBe(expected);
  });

  it('keeps null', () => {
    expect(formatMoney(null)).toBeNull();
  });
});

describe('MONEY_PATTERN', () => {
  it.each(['0', '1500', '99.5', '1500.00', '12345678.99'])('accepts %j', (amount) => {
    expect(MONEY_PATTERN.test(amount)).toBe(true);
  });

  it.each(['-1', '1.234', 'abc', '1e3', '.5', '1.', '123456789', ' 1', '1,5'])('refuses %j', (amount) => {
    expect(MONEY_PATTERN.test(amount)).toBe(false);
  });
});
