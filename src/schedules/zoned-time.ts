/** Wall-clock arithmetic in an IANA time zone with the platform's Intl data; no library needed. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether this is an IANA zone name; offsets like `+01:00` are refused, since they ignore daylight saving. */
export function isIanaTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  date: string; // YYYY-MM-DD
  minutes: number; // since local midnight
  weekday: number; // 0 = Monday … 6 = Sunday
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** What a clock on the wall in `timeZone` shows at `instant`. */
export function wallTimeAt(instant: Date, timeZone: string): WallTime {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** Minutes the zone is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = wallTimeAt(instant, timeZone);
  const asUtc = Date.parse(`${wall.date}T00:00:00Z`) + wall.minutes * 60_000;
  return Math.round((asUtc - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a wall clock in `timeZone` shows `date` at `minutes` past midnight; null when that
 * wall time does not exist (skipped by a daylight-saving jump). An ambiguous time (the hour
 * repeated when clocks go back) resolves to its first occurrence.
 */
export function instantOf(date: string, minutes: number, timeZone: string): Date | null {
  const naive = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  const candidates = new Set([offsetMinutes(new Date(naive), timeZone)]);
  // The offset can differ on either side of a transition near this time; try both. The instant
  // lies within 14 hours of `naive` (offsets run from -12:00 to +14:00), so sample that far out:
  // at ±12 h a +13:00 zone (Pacific/Auckland in April) lost its first occurrence of the repeated hour.
  candidates.add(offsetMinutes(new Date(naive - 14 * 3_600_000), timeZone));
  candidates.add(offsetMinutes(new Date(naive + 14 * 3_600_000), timeZone));
  const matches = [...candidates]
    .map((offset) => new Date(naive - offset * 60_000))
    .filter((instant) => {
      const wall = wallTimeAt(instant, timeZone);
      return wall.date === date && wall.minutes === minutes;
    })
    .sort((a, b) => a.getTime() - b.getTime());
  return matches[0] ?? null;
}

/** `YYYY-MM-DD` plus `days`; a day past 9999 has no such spelling, and throws. */
export function addDays(date: string, days: number): string {
  const day = new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString();
  // Sliced, `+010000-01-01` became `+010000-01`, which sorts before `9999-12-31` and never moves
  // on: a loop over days up to 9999-12-31 never ended.
  if (!/^\d{4}-/.test(day)) throw new RangeError(`${date} plus ${days} days is outside the years 0000 to 9999`);
  return day.slice(0, 10);
}

/** `HH:MM` → minutes since midnight; `24:00` is allowed as an end of day. */
export function parseClock(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}
