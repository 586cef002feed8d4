import { Transform } from 'class-transformer';
import { registerDecorator, ValidationOptions } from 'class-validator';

/** Trims strings; leaves anything else for the type validators to reject. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Whether `value` is a calendar date `YYYY-MM-DD` that exists and is not after `today` (UTC);
 * with `maxAge`, also not so long ago that its age in whole years would exceed that.
 */
export function isPastDate(value: unknown, maxAge?: number, today = new Date()): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) return false;
  const todayIso = today.toISOString().slice(0, 10);
  if (value > todayIso) return false;
  if (maxAge === undefined) return true;
  // Born on or before this day, one would be maxAge + 1 or older today.
  const tooOld = `${String(today.getUTCFullYear() - maxAge - 1).padStart(4, '0')}${todayIso.slice(4)}`;
  return value > tooOld;
}

/** A calendar date `YYYY-MM-DD` that exists and is not after today (UTC); with `maxAge`, one giving at most that age. */
export function IsPastDate(limits: { maxAge?: number } = {}, options?: ValidationOptions) {
  const range = limits.maxAge === undefined ? '' : ` and gives an age of at most ${limits.maxAge}`;
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPastDate',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date (YYYY-MM-DD) that is not in the future${range}`, ...options },
      validator: {
        validate: (value: unknown) => isPastDate(value, limits.maxAge),
      },
    });
}

/** Telephone numbers as people write them: digits, spaces, + - ( ) . */
export const PHONE_PATTERN = /^\+?[0-9(][0-9 ().-]{2,30}$/;

/** A `?flag=true|false` query parameter. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
