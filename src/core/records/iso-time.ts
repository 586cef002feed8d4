/** 00-99, for the two-digit fields. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
/** 000-999, for the milliseconds. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * `date.toISOString()`, as every timestamp of a response is sent (`2026-12-07T23:09:37.856Z`), a
 * third of its CPU: V8's own took 390 ns, and a page of 20 records has 40 of them. Years outside
 * 1000-9999 (and an invalid date, which throws) are left to `toISOString`.
 */
export function isoTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 1000 && year <= 9999)) return date.toISOString();
  return `${year}-${TWO_DIGITS[date.getUTCMonth() + 1]}-${TWO_DIGITS[date.getUTCDate()]}T${TWO_DIGITS[date.getUTCHours()]}:${
    TWO_DIGITS[date.getUTCMinutes()]
  }:${TWO_DIGITS[date.getUTCSeconds()]}.${THREE_DIGITS[date.getUTCMilliseconds()]}Z`;
}
