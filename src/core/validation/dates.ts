import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { isISO8601, registerDecorator, ValidationOptions } from 'class-validator';

/**
 * The years a date or date-time given to the service may fall in. Nothing it keeps is older or
 * later, and days further out broke the arithmetic after validation: `9999-12-31` plus a day of
 * margin is no date JavaScript can write, and a slot search for it answered 500.
 */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

/** What a field takes: a calendar day, an instant, or either (a date meaning its start, UTC). */
export type DateKind = 'date' | 'date-time' | 'date or date-time';

/** The years MIN_YEAR to MAX_YEAR at the start of the text, for the OpenAPI document. */
export const YEAR_PATTERN = '^(19\\d{2}|20\\d{2}|2100)-';

const DATE = /^(\d{4})-\d{2}-\d{2}$/;
/** RFC 3339 with the zone optional: the forms the services and PostgreSQL read the same way. */
const DATE_TIME = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const SPELLING: Record<DateKind, string> = {
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'an ISO 8601 date-time',
  'date or date-time': 'a date (YYYY-MM-DD) or an ISO 8601 date-time',
};

/** The bounds, as the messages and the OpenAPI descriptions state them. */
export const DATE_BOUNDS = `from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31`;

/** Whether `value` is a `kind` that exists (no 30 February, no hour 25) in the years MIN_YEAR to MAX_YEAR. */
export function isDateInput(value: unknown, kind: DateKind): boolean {
  if (typeof value !== 'string') return false;
  const match = (kind !== 'date-time' && DATE.exec(value)) || (kind !== 'date' && DATE_TIME.exec(value));
  if (!match) return false;
  const year = Number(match[1]);
  // strictSeparator: `2030-02-30` is refused, not rolled over into March.
  return year >= MIN_YEAR && year <= MAX_YEAR && isISO8601(value, { strict: true, strictSeparator: true });
}

/** The validation of a date field: its kind, a day that exists, and the years MIN_YEAR to MAX_YEAR. */
export function IsDateInput(kind: DateKind, options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name: 'isDateInput',
      target: target.constructor,
      propertyName: String(property),
      options: { message: `${String(property)} must be ${SPELLING[kind]} ${DATE_BOUNDS}`, ...options },
      validator: { validate: (value: unknown) => isDateInput(value, kind) },
    });
}

/**
 * A date field, validated and documented at once: `IsDateInput` and its `ApiProperty`, whose
 * description states the bounds and whose pattern holds them for clients that check.
 */
export function DateInput(kind: DateKind, api: ApiPropertyOptions = {}, options?: ValidationOptions) {
  const description = [api.description, `Years ${MIN_YEAR} to ${MAX_YEAR}.`].filter(Boolean).join(' ');
  const format = kind === 'date or date-time' ? undefined : kind;
  return applyDecorators(
    ApiProperty({ type: String, ...(format ? { format } : {}), pattern: YEAR_PATTERN, ...api, description }),
    IsDateInput(kind, options),
  );
}
