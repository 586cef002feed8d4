import { Transform } from 'class-transformer';
import { registerDecorator, ValidationOptions } from 'class-validator';
import { isDateInput, MIN_YEAR } from './dates';

/** Trims strings; leaves anything else for the type validators to reject. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Whether `value` is a calendar date `YYYY-MM-DD` that exists, is not after `today` (UTC) and not
 * before MIN_YEAR: a date of birth, like every date the service keeps.
 */
export function isPastDate(value: unknown, today = new Date()): boolean {
  if (!isDateInput(value, 'date')) return false;
  return (value as string) <= today.toISOString().slice(0, 10);
}

/** A calendar date `YYYY-MM-DD` that exists, from MIN_YEAR, and is not after today (UTC). */
export function IsPastDate(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPastDate',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date (YYYY-MM-DD) from ${MIN_YEAR}-01-01 that is not in the future`, ...options },
      validator: { validate: (value: unknown) => isPastDate(value) },
    });
}

/** Telephone numbers as people write them: digits, spaces, + - ( ) . */
export const PHONE_PATTERN = /^\+?[0-9(][0-9 ().-]{2,30}$/;

/** A `?flag=true|false` query parameter. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
