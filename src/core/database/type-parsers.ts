import { type CustomTypesConfig, types } from 'pg';

const TIMESTAMPTZ_OID = 1184;

/** The character code of '0'; a digit's value is its code minus this. */
const ZERO = 48;

/** The digits of `text` from `start` to `end` as a number, or NaN if any is not a digit. */
function digits(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * A `timestamptz` as PostgreSQL sends it in its ISO style (`2026-12-07 23:09:37.856123+00`, or an
 * offset like `-03`, `+05:30` or `+05:30:15` when the session's TimeZone is not UTC), read with
 * character arithmetic: pg's own parser (postgres-date) runs three regular expressions per value,
 * and a list of 20 doctors has 40 of them. The same instant, truncated to milliseconds; anything
 * else (years before 1000 or after 9999, BC, infinity) goes to pg's parser. Returns undefined when
 * the text is not of that shape.
 */
export function parseIsoTimestamptz(text: string): Date | undefined {
  const length = text.length;
  if (length < 22 || text[4] !== '-' || text[7] !== '-' || text[10] !== ' ' || text[13] !== ':' || text[16] !== ':') return undefined;
  const year = digits(text, 0, 4);
  if (!(year >= 1000)) return undefined;
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  let i = 19;
  let milliseconds = 0;
  if (text[i] === '.') {
    const start = ++i;
    while (i < length && text.charCodeAt(i) >= ZERO && text.charCodeAt(i) <= ZERO + 9) i++;
    if (i === start) return undefined;
    const end = Math.min(i, start + 3);
    milliseconds = digits(text, start, end) * 10 ** (3 - (end - start));
  }
  const sign = text[i] === '+' ? 1 : text[i] === '-' ? -1 : 0;
  if (sign === 0) return undefined;
  // ±HH, ±HH:MM or ±HH:MM:SS, and nothing after it (no ' BC').
  const rest = length - i - 1;
  if (rest !== 2 && rest !== 5 && rest !== 8) return undefined;
  let offsetSeconds = digits(text, i + 1, i + 3) * 3600;
  if (rest >= 5) offsetSeconds += text[i + 3] === ':' ? digits(text, i + 4, i + 6) * 60 : NaN;
  if (rest === 8) offsetSeconds += text[i + 6] === ':' ? digits(text, i + 7, i + 9) : NaN;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds) - sign * offsetSeconds * 1000;
  return Number.isNaN(time) ? undefined : new Date(time);
}

const pgTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;
const timestamptz = (text: string) => parseIsoTimestamptz(text) ?? pgTimestamptz(text);

/**
 * The type parsers of the service's connections: pg's own, but for `timestamptz`, read by
 * parseIsoTimestamptz. Given to the pool, so the process-wide `pg.types` stays pg's.
 */
export const SERVICE_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === TIMESTAMPTZ_OID && format !== 'binary' ? timestamptz : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};
