import { composeMail, Mail } from '../mail/mail';

/** What a reminder mail says: the appointment as its patient needs it, nothing more (no reason, no notes). */
export interface ReminderContent {
  to: string;
  appointmentId: number;
  /** The appointment's version: the calendar entry's SEQUENCE, so a moved appointment's entry replaces the old one. */
  version: number;
  doctorName: string;
  start: Date;
  durationMinutes: number;
  /** The doctor's schedule's zone, else its clinic's; null: neither, and the mail says UTC. */
  timezone: string | null;
}

/**
 * The reminder: the doctor, the local date and time in the zone it names, the duration, and an
 * `.ics` calendar entry (UID stable per appointment, times in UTC) the patient's calendar can add.
 */
export function reminderMail(content: ReminderContent, publicUrl: string): Mail {
  const zone = content.timezone ?? 'UTC';
  const when = localDateTime(content.start, zone);
  const mail = composeMail({
    to: content.to,
    subject: `Reminder: your appointment with ${content.doctorName} on ${when}`,
    paragraphs: [
      `This is a reminder of your appointment with ${content.doctorName}.`,
      `When: ${when} (${zone} time), for ${content.durationMinutes} minutes.`,
      'The attached calendar entry adds it to your calendar. To cancel or move it, use the service you booked it with.',
    ],
  });
  return {
    ...mail,
    attachments: [
      {
        filename: 'appointment.ics',
        contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
        content: calendarEntry(content, publicUrl),
      },
    ],
  };
}

/** E.g. `Tuesday 8 December 2026 at 14:30`, as a wall clock in `timeZone` shows it. */
export function localDateTime(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short', hourCycle: 'h23' }).format(instant);
}

function calendarEntry(content: ReminderContent, publicUrl: string): string {
  // Loaded at the first reminder rather than at start: the job worker is the only one to need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: ical, ICalCalendarMethod } = require('ical-generator') as typeof import('ical-generator');
  const calendar = ical({ prodId: { company: 'Healthcare backend', product: 'Appointments' }, method: ICalCalendarMethod.PUBLISH });
  calendar.createEvent({
    id: `appointment-${content.appointmentId}@${new URL(publicUrl).hostname}`,
    sequence: content.version,
    start: content.start,
    end: new Date(content.start.getTime() + content.durationMinutes * 60_000),
    summary: `Appointment with ${content.doctorName}`,
  });
  return calendar.toString();
}
