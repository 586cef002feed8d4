import { describe, expect, it } from 'vitest';
import { normalizeBloodGroup, normalizeGender } from './patient.enums';

describe('normalizeGender', () => {
  it.each([
    ['Male', 'male'],
    ['M', 'male'],
    ['m', 'male'],
    ['f', 'female'],
    ['F', 'female'],
    [' FEMALE ', 'female'],
    ['o', 'other'],
    ['Other', 'other'],
  ])('turns %j into %j', (sent, expected) => {
    expect(normalizeGender(sent)).toBe(expected);
  });

  it('lower-cases an unknown value and leaves it for validation to refuse', () => {
    expect(normalizeGender('X')).toBe('x');
    expect(normalizeGender('Mal')).toBe('mal');
  });

  it('passes non-strings through untouched', () => {
    expect(normalizeGender(null)).toBeNull();
    expect(normalizeGender(undefined)).toBeUndefined();
    expect(normalizeGender(1)).toBe(1);
  });
});

describe('normalizeBloodGroup', () => {
  it.each([
    ['a+', 'A+'],
    ['ab-', 'AB-'],
    [' o+ ', 'O+'],
    ['B-', 'B-'],
  ])('turns %j into %j', (sent, expected) => {
    expect(normalizeBloodGroup(sent)).toBe(expected);
  });

  it('passes non-strings through untouched', () => {
    expect(normalizeBloodGroup(null)).toBeNull();
    expect(normalizeBloodGroup(7)).toBe(7);
  });
});
