import type { Type } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

/**
 * What the validation pipe does to a body before validating it, read from the body class's own
 * OpenAPI metadata (every field decorator sets it), so no DTO states it twice: server-owned
 * fields are dropped, and a form's strings are taken to the field's type.
 */

/** The kind of value a body field holds, as far as a form's strings are concerned. */
type Kind = 'integer' | 'number' | 'boolean' | 'other';

interface BodyField {
  kind: Kind;
  array: boolean;
  required: boolean;
  nullable: boolean;
}

interface ApiPropertyMetadata {
  type?: unknown;
  isArray?: boolean;
  required?: boolean;
  nullable?: boolean;
}

/**
 * The type an ApiProperty names, and whether it is a list of it. The Swagger CLI plugin (in a
 * `nest build`) writes it lazily, `type: () => Boolean` or `() => [Number]`, as Swagger reads it.
 */
function typeOf(type: unknown): { type: unknown; array: boolean } {
  const lazy = typeof type === 'function' && type.name === 'type';
  const named = lazy ? (type as () => unknown)() : type;
  return Array.isArray(named) ? { type: named[0], array: true } : { type: named, array: false };
}

function kindOf(type: unknown): Kind {
  if (type === 'integer') return 'integer';
  if (type === 'number' || type === Number) return 'number';
  if (type === 'boolean' || type === Boolean) return 'boolean';
  return 'other';
}

const fieldsByClass = new WeakMap<Type<unknown>, Map<string, BodyField>>();

/** The fields `dto` declares, with what a form's value must become for each. */
export function bodyFieldsOf(dto: Type<unknown>): Map<string, BodyField> {
  let fields = fieldsByClass.get(dto);
  if (fields) return fields;
  fields = new Map();
  const prototype = dto.prototype as object;
  const keys = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES_ARRAY, prototype) ?? []) as string[];
  for (const key of keys.map((name) => name.replace(/^:/, ''))) {
    const api = (Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, prototype, key) ?? {}) as ApiPropertyMetadata;
    // Without a type in the decorator, Swagger takes the TypeScript one, and so do we.
    const declared = Reflect.getMetadata('design:type', prototype, key) as unknown;
    const named = typeOf(api.type);
    fields.set(key, {
      kind: kindOf(named.type ?? declared),
      array: api.isArray === true || named.array || (named.type === undefined && declared === Array),
      required: api.required !== false,
      nullable: api.nullable === true,
    });
  }
  fieldsByClass.set(dto, fields);
  return fields;
}

/**
 * Fields the service sets itself, which a client echoes back when it sends what it read (GET, change
 * one field, PUT): dropped from every body, as Django REST Framework drops read-only fields, instead
 * of refused as unknown. Dropped, they can change nothing (no mass assignment). A body class that
 * declares one of these names takes it as a real input; a field nobody knows is still a 400.
 */
const SERVER_OWNED = new Set(['id', 'created_by', 'created_at', 'updated_at', 'version', 'owner']);

/** `doctor_details`, `patient_details`: the nested records of a response; `assigned_at`, `assigned_by`, ...: who assigned it, when. */
const isServerOwned = (key: string) => SERVER_OWNED.has(key) || key.endsWith('_details') || key.startsWith('assigned_');

/** `body` without the server-owned fields `dto` does not declare; the same object when it has none. */
export function withoutServerOwned(body: Record<string, unknown>, dto: Type<unknown>): Record<string, unknown> {
  const fields = bodyFieldsOf(dto);
  const ignored = Object.keys(body).filter((key) => isServerOwned(key) && !fields.has(key));
  if (ignored.length === 0) return body;
  return Object.fromEntries(Object.entries(body).filter(([key]) => !ignored.includes(key)));
}

/**
 * Undeclared keys that name a property every object inherits (`toString`, `hasOwnProperty`, ...):
 * class-validator's whitelist looks fields up in a plain object, finds these there and lets them
 * through, so they would reach the DTO as own properties shadowing the inherited ones.
 */
export function inheritedKeys(body: Record<string, unknown>, dto: Type<unknown>): string[] {
  const fields = bodyFieldsOf(dto);
  return Object.keys(body).filter((key) => key in Object.prototype && !fields.has(key));
}

/** How Django REST Framework's IntegerField reads a string: digits, a sign, `.0` allowed, spaces around. */
const INTEGER = /^\s*[+-]?\d+(\.0*)?\s*$/;
const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
/** Django REST Framework's BooleanField spellings. */
const TRUE = new Set(['true', 'True', 'TRUE', 't', 'T', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'f', 'F', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF', '0']);

/** One form string as a `kind`, or the string itself when it is not one (validation then says so). */
function coerce(value: string, kind: Kind): unknown {
  switch (kind) {
    case 'integer':
      return INTEGER.test(value) ? Number(value.trim().replace(/\.0*$/, '')) : value;
    case 'number':
      return NUMBER.test(value) ? Number(value) : value;
    case 'boolean':
      return TRUE.has(value) ? true : FALSE.has(value) ? false : value;
    default:
      return value;
  }
}

/**
 * A form's strings as the body class's fields take them, as Django REST Framework reads form
 * input: a number or boolean field's string becomes one; `""` becomes `null` for an optional
 * nullable field and is left out for another optional one (a required field keeps it, and fails
 * as in JSON); an array field takes a lone value as a list of one. A key given more than once for
 * a field that is not an array stays an array, which validation refuses like a JSON array there.
 * Undeclared keys are left for validation to refuse.
 */
export function coerceFormBody(body: Record<string, string | string[]>, dto: Type<unknown>): Record<string, unknown> {
  const fields = bodyFieldsOf(dto);
  const coerced: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = fields.get(key);
    if (!field) {
      coerced[key] = value;
    } else if (field.array) {
      coerced[key] = (Array.isArray(value) ? value : [value]).map((item) => coerce(item, field.kind));
    } else if (Array.isArray(value)) {
      coerced[key] = value;
    } else if (value === '' && !field.required) {
      if (field.nullable) coerced[key] = null;
    } else {
      coerced[key] = coerce(value, field.kind);
    }
  }
  return coerced;
}
