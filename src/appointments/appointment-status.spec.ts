import { describe, expect, it } from 'vitest';
import { ACTIVE_STATUSES, APPOINTMENT_STATUSES, AppointmentStatus, canMove, CLINICIAN_ONLY, isFinal } from './appointment-status';

const { Scheduled, CheckedIn, Completed, Cancelled, NoShow } = AppointmentStatus;

/** The whole contract: every move not listed here is refused. */
const ALLOWED: Record<AppointmentStatus, AppointmentStatus[]> = {
  [Scheduled]: [CheckedIn, Completed, Cancelled, NoShow],
  [CheckedIn]: [Completed, Cancelled],
  [Completed]: [],
  [Cancelled]: [],
  [NoShow]: [],
};

describe('appointment status', () => {
  it('knows exactly the five statuses', () => {
    expect([...APPOINTMENT_STATUSES].sort()).toEqual(['CANCELLED', 'CHECKED_IN', 'COMPLETED', 'NO_SHOW', 'SCHEDULED']);
  });

  const pairs = APPOINTMENT_STATUSES.flatMap((from) => APPOINTMENT_STATUSES.map((to) => [from, to, ALLOWED[from].includes(to)] as const));

  it.each(pairs)('canMove(%s → %s) is %s', (from, to, allowed) => {
    expect(canMove(from, to)).toBe(allowed);
  });

  it('never allows staying in the same status or going back to SCHEDULED', () => {
    for (const status of APPOINTMENT_STATUSES) {
      expect(canMove(status, status)).toBe(false);
      expect(canMove(status, Scheduled)).toBe(false);
    }
  });

  it.each([
    [Scheduled, false],
    [CheckedIn, false],
    [Completed, true],
    [Cancelled, true],
    [NoShow, true],
  ] as const)('isFinal(%s) is %s', (status, final) => {
    expect(isFinal(status)).toBe(final);
  });

  it('holds time only while SCHEDULED or CHECKED_IN', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual([CheckedIn, Scheduled]);
    for (const status of ACTIVE_STATUSES) expect(isFinal(status)).toBe(false);
  });

  it("leaves COMPLETED and NO_SHOW to the doctor's side", () => {
    expect([...CLINICIAN_ONLY].sort()).toEqual([Completed, NoShow]);
  });
});
