import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../http/id';
import { PHONE_PATTERN, QueryBoolean, Trim } from './validators';

/**
 * Field decorators: each states a rule once and applies its validation, its transformation and
 * its OpenAPI property from it, so a bound cannot be documented as one number and checked as
 * another. A field the service treats specially (dates of birth, account names, money) keeps its
 * own decorators beside these.
 */

/** What every field takes beside its rule. */
export interface FieldOptions {
  description?: string;
  example?: unknown;
  default?: unknown;
  /** May be left out: not required, and an absent value is not validated. */
  optional?: boolean;
  /** May be `null` (which clears it); also optional, since `@IsOptional()` lets `null` through. */
  nullable?: boolean;
}

/**
 * Applies `decorators` as if written one above the other, the first on top: class-validator
 * reports a field's messages in the order its decorators ran, bottom first.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of [...decorators].reverse()) decorator(target, property);
  };
}

/** The ApiProperty of a field, and `@IsOptional()` when it may be left out or `null`. */
function documented(field: FieldOptions, schema: ApiPropertyOptions): PropertyDecorator[] {
  const { description, example, default: fallback, optional, nullable } = field;
  const mayBeAbsent = optional === true || nullable === true;
  const api = {
    ...schema,
    ...(mayBeAbsent ? { required: false } : {}),
    ...(nullable ? { nullable: true } : {}),
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(example !== undefined ? { example } : {}),
    ...(description !== undefined ? { description } : {}),
  } as ApiPropertyOptions;
  return mayBeAbsent ? [ApiProperty(api), IsOptional()] : [ApiProperty(api)];
}

/** Text of at most `max` characters (and at least `min`, when given), trimmed first with `trim`. */
export function StringField(options: FieldOptions & { max: number; min?: number; trim?: boolean }): PropertyDecorator {
  const { max, min, trim, ...field } = options;
  const length = min === undefined ? MaxLength(max) : Length(min, max);
  const bounds = min === undefined ? { maxLength: max } : { minLength: min, maxLength: max };
  return stacked(...documented(field, { type: String, ...bounds }), ...(trim ? [Trim()] : []), IsString(), length);
}

/** An email address, of at most 254 characters (the longest a mail server takes). */
export function EmailField(options: FieldOptions = {}): PropertyDecorator {
  return stacked(...documented(options, { type: String, format: 'email', maxLength: 254 }), IsEmail(), MaxLength(254));
}

/** A telephone number as people write it (PHONE_PATTERN), trimmed. */
export function PhoneField(options: FieldOptions = {}): PropertyDecorator {
  return stacked(
    ...documented(options, { type: String, pattern: PHONE_PATTERN.source }),
    Trim(),
    Matches(PHONE_PATTERN, { message: '$property must be a telephone number' }),
  );
}

/** A whole number from `min` to `max`. */
export function IntField(options: FieldOptions & { min: number; max: number }): PropertyDecorator {
  const { min, max, ...field } = options;
  return stacked(...documented(field, { type: 'integer', minimum: min, maximum: max }), IsInt(), Min(min), Max(max));
}

/** The id of a record in the body: a PostgreSQL `integer` identity, 1 to MAX_ID. */
export const IdField = (options: FieldOptions = {}): PropertyDecorator => IntField({ ...options, min: 1, max: MAX_ID });

/** A query parameter naming a record by id, to filter a list by; a query string is text, so it is read as a number first. */
export function IdFilter(description: string): PropertyDecorator {
  return stacked(
    ...documented({ optional: true, description }, { type: 'integer', minimum: 1, maximum: MAX_ID }),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_ID),
  );
}

/** A `?flag=true|false` query parameter. */
export function BooleanFilter(description: string): PropertyDecorator {
  return stacked(...documented({ optional: true, description }, { type: Boolean }), QueryBoolean(), IsBoolean());
}

/**
 * One of `values`. `enumName` makes it a shared schema component (it cannot then be nullable in
 * OpenAPI 3.0); `normalize` maps the spellings clients send onto the values before the check.
 */
export function EnumField<T extends string>(
  values: readonly T[],
  options: FieldOptions & { enumName?: string; normalize?: (value: unknown) => unknown; message?: string } = {},
): PropertyDecorator {
  const { enumName, normalize, message, ...field } = options;
  const schema: ApiPropertyOptions = enumName ? { enum: values as T[], enumName } : { type: 'string', enum: values as T[] };
  return stacked(
    ...documented(field, schema),
    ...(normalize ? [Transform(({ value }: { value: unknown }) => normalize(value))] : []),
    IsIn(values as T[], message === undefined ? undefined : { message }),
  );
}
