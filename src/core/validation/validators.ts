import { Transform } from 'class-transformer';
import { registerDecorator, ValidationOptions } from 'class-validator';

/** Trims strings; leaves anything else for the type validators to reject. */
export const Trim = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** A calendar date `YYYY-MM-DD` that exists and is not after today (UTC). */
export function IsPastDate(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isPastDate',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date (YYYY-MM-DD) that is not in the future`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
          const date = new Date(`${value}T00:00:00Z`);
          return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value) && value <= new Date().toISOString().slice(0, 10);
        },
      },
    });
}

/** Telephone numbers as people write them: digits, spaces, + - ( ) . */
export const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{2,30}$/;

/** A `?flag=true|false` query parameter. */
export const QueryBoolean = () =>
  Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value));
