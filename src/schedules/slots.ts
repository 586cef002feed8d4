import { ScheduleEntry } from './doctor-schedule.entity';
import { addDays, instantOf, parseClock, wallTimeAt } from './zoned-time';

export interface WeeklySchedule {
  timezone: string;
  slotMinutes: number;
  entries: ScheduleEntry[];
}

/**
 * The weekly schedule a stored one stands for, in the zone in effect: its own, else its clinic's.
 * UTC for one with neither, which the API never leaves behind (a schedule without a zone needs a
 * clinic, and a doctor leaving its clinic takes the zone along).
 */
export function weeklyOf(schedule: { effectiveTimezone: string | null; slotMinutes: number; entries: ScheduleEntry[] }): WeeklySchedule {
  return { timezone: schedule.effectiveTimezone ?? 'UTC', slotMinutes: schedule.slotMinutes, entries: schedule.entries };
}

export interface Slot {
  start: Date;
  end: Date;
}

export interface Busy {
  start: Date;
  end: Date;
}

/**
 * The free slots of a weekly schedule on the local dates `from`..`to` (inclusive): every
 * opening is cut into `slotMinutes` steps of wall-clock time in the doctor's zone, so a 09:00
 * start stays 09:00 across a daylight-saving change; wall times that do not exist that day are
 * skipped. Slots that overlap `busy` or start before `notBefore` are left out.
 */
export function freeSlots(schedule: WeeklySchedule, from: string, to: string, busy: Busy[], notBefore: Date): Slot[] {
  const slots: Slot[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const weekday = (new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7;
    const openings = schedule.entries.filter((entry) => entry.weekday === weekday).sort((a, b) => a.start.localeCompare(b.start));
    for (const opening of openings) {
      const close = parseClock(opening.end);
      for (let minute = parseClock(opening.start); minute + schedule.slotMinutes <= close; minute += schedule.slotMinutes) {
        const start = instantOf(date, minute, schedule.timezone);
        if (!start) continue;
        const end = new Date(start.getTime() + schedule.slotMinutes * 60_000);
        if (start < notBefore || busy.some((b) => b.start < end && start < b.end)) continue;
        slots.push({ start, end });
      }
    }
  }
  return slots;
}

/** Why `[start, end)` cannot be booked on this schedule, or null when it lies within one opening. */
export function outsideScheduleReason(schedule: WeeklySchedule, start: Date, end: Date): string | null {
  const first = wallTimeAt(start, schedule.timezone);
  const last = wallTimeAt(new Date(end.getTime() - 1), schedule.timezone);
  const endMinutes = last.minutes + 1;
  const within = schedule.entries.some(
    (entry) =>
      entry.weekday === first.weekday &&
      last.date === first.date &&
      parseClock(entry.start) <= first.minutes &&
      endMinutes <= parseClock(entry.end),
  );
  return within ? null : `The doctor does not see patients at that time (schedule in ${schedule.timezone}).`;
}
