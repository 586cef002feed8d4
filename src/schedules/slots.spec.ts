import { describe, expect, it } from 'vitest';
import { Busy, freeSlots, outsideScheduleReason, Slot, WeeklySchedule } from './slots';
import { wallTimeAt } from './zoned-time';

const MON = 0;
const WED = 2;
const SUN = 6;
const LONG_AGO = new Date('2000-01-01T00:00:00Z');

const span = (start: string, minutes: number): Busy => {
  const from = new Date(start);
  return { start: from, end: new Date(from.getTime() + minutes * 60_000) };
};
const starts = (slots: Slot[]) => slots.map((slot) => slot.start.toISOString());

/** Berlin, half-hour slots, Monday 09:00-12:00 and 13:00-17:00 (a lunch break), Wednesday 14:00-15:00. */
const berlin: WeeklySchedule = {
  timezone: 'Europe/Berlin',
  slotMinutes: 30,
  entries: [
    { weekday: MON, start: '13:00', end: '17:00' },
    { weekday: MON, start: '09:00', end: '12:00' },
    { weekday: WED, start: '14:00', end: '15:00' },
  ],
};

// Monday 2030-01-14 in Berlin (+01:00): 09:00 local is 08:00 UTC.
const MONDAY_SLOTS = [
  ...['08:00', '08:30', '09:00', '09:30', '10:00', '10:30'],
  ...['12:00', '12:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'],
].map((time) => `2030-01-14T${time}:00.000Z`);

describe('freeSlots', () => {
  it('cuts every opening into slots in order, leaving out the lunch break', () => {
    const slots = freeSlots(berlin, '2030-01-14', '2030-01-14', [], LONG_AGO);
    expect(starts(slots)).toEqual(MONDAY_SLOTS);
    for (const slot of slots) expect(slot.end.getTime() - slot.start.getTime()).toBe(30 * 60_000);
  });

  it('offers only the weekdays that have openings, across a range of dates', () => {
    const slots = freeSlots(berlin, '2030-01-14', '2030-01-20', [], LONG_AGO);
    expect(starts(slots)).toEqual([...MONDAY_SLOTS, '2030-01-16T13:00:00.000Z', '2030-01-16T13:30:00.000Z']);
  });

  it('offers nothing on a day without openings', () => {
    expect(freeSlots(berlin, '2030-01-15', '2030-01-15', [], LONG_AGO)).toEqual([]);
  });

  it('leaves out a slot that would run past the end of its opening', () => {
    const schedule: WeeklySchedule = { timezone: 'UTC', slotMinutes: 30, entries: [{ weekday: MON, start: '09:00', end: '10:45' }] };
    expect(starts(freeSlots(schedule, '2030-01-14', '2030-01-14', [], LONG_AGO))).toEqual([
      '2030-01-14T09:00:00.000Z',
      '2030-01-14T09:30:00.000Z',
      '2030-01-14T10:00:00.000Z',
    ]);
  });

  it('removes every slot a busy time overlaps, even partly', () => {
    // 10:15-10:45 local overlaps the 10:00 and the 10:30 slots.
    const slots = freeSlots(berlin, '2030-01-14', '2030-01-14', [span('2030-01-14T09:15:00Z', 30)], LONG_AGO);
    expect(starts(slots)).toEqual(
      MONDAY_SLOTS.filter((start) => !['2030-01-14T09:00:00.000Z', '2030-01-14T09:30:00.000Z'].includes(start)),
    );
  });

  it('keeps the slots that only touch a busy time (half-open ranges)', () => {
    // 09:30-10:00 local: the 09:00 slot ends as it starts, the 10:00 slot starts as it ends.
    const slots = freeSlots(berlin, '2030-01-14', '2030-01-14', [span('2030-01-14T08:30:00Z', 30)], LONG_AGO);
    expect(starts(slots)).toEqual(MONDAY_SLOTS.filter((start) => start !== '2030-01-14T08:30:00.000Z'));
  });

  it('leaves out slots that start before notBefore and keeps one starting exactly then', () => {
    const slots = freeSlots(berlin, '2030-01-14', '2030-01-14', [], new Date('2030-01-14T10:00:00Z'));
    expect(starts(slots)).toEqual(MONDAY_SLOTS.filter((start) => start >= '2030-01-14T10:00:00.000Z'));
    expect(starts(slots)[0]).toBe('2030-01-14T10:00:00.000Z');
  });

  it("reads the dates and weekdays in the doctor's zone (Pacific/Auckland Monday starts on Sunday UTC)", () => {
    const schedule: WeeklySchedule = {
      timezone: 'Pacific/Auckland',
      slotMinutes: 30,
      entries: [{ weekday: MON, start: '09:00', end: '10:00' }],
    };
    expect(starts(freeSlots(schedule, '2030-01-14', '2030-01-14', [], LONG_AGO))).toEqual([
      '2030-01-13T20:00:00.000Z',
      '2030-01-13T20:30:00.000Z',
    ]);
  });

  describe('on daylight-saving days (Europe/Berlin, Sunday 01:00-04:00 and 09:00-12:00, hourly)', () => {
    const sundays: WeeklySchedule = {
      timezone: 'Europe/Berlin',
      slotMinutes: 60,
      entries: [
        { weekday: SUN, start: '01:00', end: '04:00' },
        { weekday: SUN, start: '09:00', end: '12:00' },
      ],
    };

    it('skips the wall times that do not exist when clocks spring forward (2030-03-31)', () => {
      const slots = freeSlots(sundays, '2030-03-31', '2030-03-31', [], LONG_AGO);
      expect(starts(slots)).toEqual([
        '2030-03-31T00:00:00.000Z', // 01:00 CET
        '2030-03-31T01:00:00.000Z', // 03:00 CEST; 02:00 does not exist
        '2030-03-31T07:00:00.000Z', // 09:00 CEST
        '2030-03-31T08:00:00.000Z',
        '2030-03-31T09:00:00.000Z',
      ]);
    });

    it('offers each wall time once when clocks fall back (2030-10-27), the repeated 02:00 at its first occurrence', () => {
      const slots = freeSlots(sundays, '2030-10-27', '2030-10-27', [], LONG_AGO);
      expect(starts(slots)).toEqual([
        '2030-10-26T23:00:00.000Z', // 01:00 CEST
        '2030-10-27T00:00:00.000Z', // 02:00 CEST (first of two)
        '2030-10-27T02:00:00.000Z', // 03:00 CET
        '2030-10-27T08:00:00.000Z', // 09:00 CET
        '2030-10-27T09:00:00.000Z',
        '2030-10-27T10:00:00.000Z',
      ]);
    });

    it('keeps the same local wall-clock starts before and after each change', () => {
      for (const [from, to] of [
        ['2030-03-24', '2030-04-07'],
        ['2030-10-20', '2030-11-03'],
      ]) {
        const slots = freeSlots(sundays, from, to, [], LONG_AGO);
        const byDate = new Map<string, number[]>();
        for (const slot of slots) {
          const wall = wallTimeAt(slot.start, 'Europe/Berlin');
          byDate.set(wall.date, [...(byDate.get(wall.date) ?? []), wall.minutes / 60]);
        }
        const [before, change, after] = [...byDate.values()];
        expect(byDate.size).toBe(3);
        expect(before).toEqual([1, 2, 3, 9, 10, 11]);
        expect(after).toEqual([1, 2, 3, 9, 10, 11]);
        expect(change).toEqual(from === '2030-03-24' ? [1, 3, 9, 10, 11] : [1, 2, 3, 9, 10, 11]);
      }
    });

    it('gives slots of real length across the gap (an hour from 01:00 CET ends at 03:00 CEST)', () => {
      const [first] = freeSlots(sundays, '2030-03-31', '2030-03-31', [], LONG_AGO);
      expect(first.end.toISOString()).toBe('2030-03-31T01:00:00.000Z');
      expect(wallTimeAt(first.end, 'Europe/Berlin').minutes).toBe(3 * 60);
    });
  });

  it('skips the America/New_York gap (2030-03-10 02:00-02:59) in half-hour slots', () => {
    const schedule: WeeklySchedule = {
      timezone: 'America/New_York',
      slotMinutes: 30,
      entries: [{ weekday: SUN, start: '01:00', end: '04:00' }],
    };
    expect(starts(freeSlots(schedule, '2030-03-10', '2030-03-10', [], LONG_AGO))).toEqual([
      '2030-03-10T06:00:00.000Z',
      '2030-03-10T06:30:00.000Z',
      '2030-03-10T07:00:00.000Z',
      '2030-03-10T07:30:00.000Z',
    ]);
  });
});

describe('outsideScheduleReason', () => {
  const check = (start: string, minutes: number, schedule = berlin) => {
    const { start: from, end } = span(start, minutes);
    return outsideScheduleReason(schedule, from, end);
  };

  it('accepts a booking inside an opening', () => {
    expect(check('2030-01-14T08:00:00Z', 30)).toBeNull(); // 09:00-09:30
    expect(check('2030-01-14T09:10:00Z', 45)).toBeNull(); // 10:10-10:55
  });

  it('accepts a booking that fills an opening exactly or ends at its end', () => {
    expect(check('2030-01-14T08:00:00Z', 180)).toBeNull(); // 09:00-12:00
    expect(check('2030-01-14T10:30:00Z', 30)).toBeNull(); // 11:30-12:00
  });

  it('refuses a booking before the opening, naming the zone', () => {
    expect(check('2030-01-14T07:30:00Z', 30)).toBe('The doctor does not see patients at that time (schedule in Europe/Berlin).');
    expect(check('2030-01-14T07:45:00Z', 30)).not.toBeNull(); // 08:45-09:15 starts early
  });

  it('refuses a booking that runs past the end of its opening', () => {
    expect(check('2030-01-14T10:45:00Z', 30)).not.toBeNull(); // 11:45-12:15
    expect(check('2030-01-14T15:45:00Z', 30)).not.toBeNull(); // 16:45-17:15
  });

  it('refuses a booking over the lunch break even though it starts and ends in openings', () => {
    expect(check('2030-01-14T10:30:00Z', 120)).not.toBeNull(); // 11:30-13:30
    expect(check('2030-01-14T11:00:00Z', 30)).not.toBeNull(); // 12:00-12:30
  });

  it('refuses a booking on a weekday without that opening', () => {
    expect(check('2030-01-15T08:00:00Z', 30)).not.toBeNull(); // Tuesday 09:00
    expect(check('2030-01-16T13:00:00Z', 30)).toBeNull(); // Wednesday 14:00
  });

  it('refuses a booking that crosses midnight, even between openings that meet there', () => {
    const night: WeeklySchedule = {
      timezone: 'Europe/Berlin',
      slotMinutes: 30,
      entries: [
        { weekday: SUN, start: '22:00', end: '24:00' },
        { weekday: MON, start: '00:00', end: '01:00' },
      ],
    };
    expect(check('2030-01-13T22:30:00Z', 30, night)).toBeNull(); // Sunday 23:30-24:00
    expect(check('2030-01-13T23:00:00Z', 30, night)).toBeNull(); // Monday 00:00-00:30
    expect(check('2030-01-13T22:30:00Z', 60, night)).not.toBeNull(); // Sunday 23:30 to Monday 00:30
  });

  it("reads the booking in the doctor's zone (Asia/Kolkata, +05:30)", () => {
    const kolkata: WeeklySchedule = {
      timezone: 'Asia/Kolkata',
      slotMinutes: 30,
      entries: [{ weekday: MON, start: '09:00', end: '17:00' }],
    };
    expect(check('2030-01-14T03:30:00Z', 30, kolkata)).toBeNull(); // 09:00 IST
    expect(check('2030-01-14T03:00:00Z', 30, kolkata)).toContain('Asia/Kolkata'); // 08:30 IST
    expect(check('2030-01-14T11:00:00Z', 30, kolkata)).toBeNull(); // 16:30-17:00 IST
    expect(check('2030-01-14T11:15:00Z', 30, kolkata)).not.toBeNull(); // 16:45-17:15 IST
  });

  it('accepts a booking inside an opening on a daylight-saving day, by its wall-clock times', () => {
    const sunday: WeeklySchedule = {
      timezone: 'Europe/Berlin',
      slotMinutes: 60,
      entries: [{ weekday: SUN, start: '03:00', end: '04:00' }],
    };
    expect(check('2030-03-31T01:00:00Z', 60, sunday)).toBeNull(); // 03:00-04:00 CEST
    expect(check('2030-03-31T00:30:00Z', 60, sunday)).not.toBeNull(); // 01:30 CET, before the opening
    expect(check('2030-10-27T02:00:00Z', 60, sunday)).toBeNull(); // 03:00-04:00 CET
  });
});
