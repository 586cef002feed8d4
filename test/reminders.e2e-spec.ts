import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../src/jobs/job-queue';
import { booked, expectProblem, newDoctor, newPatient, patch, type Body } from './support/appointments';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { startTestApp, uniqueName, type TestApp, type TestUser } from './support/test-app';

/** Polls `check` until it returns something other than undefined, failing after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A start `seconds` from now, on a whole second. */
const startIn = (seconds: number) => new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000);

/** An .ics date-time in UTC: 20261207T170311Z. */
const icsUtc = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const mailsTo = (smtp: TestSmtpServer, address: string) =>
  smtp.mails.filter((mail) =>
    JSON.stringify(mail.to ?? [])
      .toLowerCase()
      .includes(address.toLowerCase()),
  );

/** Sets up a clinic in `timezone` owned by `owner`, and answers a way to book with its doctors. */
async function clinicIn(t: TestApp, owner: TestUser, timezone: string) {
  const res = await t
    .as(owner)
    .post('/api/clinics/')
    .send({ name: uniqueName('Reminder clinic '), timezone });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

describe('appointment reminders (e2e)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let owner: TestUser;
  let clinic: number;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ SMTP_URL: smtp.url, REMINDER_LEAD: '4s', JOBS_POLL_INTERVAL_MS: '500' });
    owner = await t.newUser();
    clinic = await clinicIn(t, owner, 'America/New_York');
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const reminders = async (id: number, user = owner) => {
    const res = await t.as(user).get(`/api/appointments/${id}/reminders/`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Body[];
  };
  /** The states of the reminder's jobs in the queue. */
  const jobStates = async (reminder: unknown) =>
    (
      await t.db.query<{ state: string }[]>(
        `SELECT state FROM pgboss.job WHERE name = 'appointment-reminder' AND data->>'reminder' = $1 ORDER BY created_on`,
        [String(reminder)],
      )
    ).map((row) => row.state);
  const jobsDone = (reminder: unknown, count = 1) =>
    waitFor(`${count} completed job(s) of reminder ${String(reminder)}`, async () => {
      const states = await jobStates(reminder);
      return states.length === count && states.every((state) => state === 'completed') ? states : undefined;
    });
  const statusOf = (id: number, status: string) =>
    waitFor(`a ${status} reminder of appointment ${id}`, async () => {
      const list = await reminders(id);
      return list.every((reminder) => reminder.status === status) && list.length > 0 ? list : undefined;
    });

  /**
   * A patient with an email of its own, a doctor of the New York clinic, and an appointment
   * starting `seconds` after both exist (so a slow machine eats none of the time before the reminder).
   */
  async function bookWithEmail(seconds: number, fields: Body = {}) {
    const email = `${uniqueName('reminded')}@patients.example`;
    const patient = await newPatient(t, owner, { email });
    const doctor = await newDoctor(t, owner, { clinic, name: uniqueName('Dr Ada <Lovelace> ') });
    const start = startIn(seconds);
    const appointment = await booked(t, owner, {
      patient: patient.id,
      doctor: doctor.id,
      appointment_datetime: start.toISOString(),
      ...fields,
    });
    return { email, doctor, appointment, start };
  }

  it("mails the patient the doctor, the local time in the clinic's zone and an .ics; the route shows it planned, then sent", async () => {
    const { email, doctor, appointment, start } = await bookWithEmail(9, {
      duration_minutes: 45,
      reason: 'private-reason',
      notes: 'private-notes',
    });
    const [planned] = await reminders(appointment.id);
    expect(planned).toEqual({
      id: expect.any(Number),
      lead_seconds: 4,
      send_at: new Date(start.getTime() - 4000).toISOString(),
      status: 'planned',
      sent_at: null,
    });

    const mail: ParsedMail = await smtp.waitForMail(email, /Reminder/, 20_000);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(start);
    const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', day: 'numeric', month: 'long', year: 'numeric' }).format(
      start,
    );
    expect(mail.subject).toContain(String(doctor.name));
    expect(mail.text).toContain(`with ${String(doctor.name)}`);
    expect(mail.text).toContain(local);
    expect(mail.text).toContain(day);
    expect(mail.text).toContain('America/New_York');
    expect(mail.text).toContain('45 minutes');
    expect(mail.html).toContain('Dr Ada &lt;Lovelace&gt;');
    const ics = mail.attachments.find((attachment) => attachment.filename === 'appointment.ics');
    expect(ics?.contentType).toBe('text/calendar');
    const calendar = ics!.content.toString('utf8');
    expect(calendar).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(calendar).toContain('METHOD:PUBLISH');
    expect(calendar).toContain(`DTSTART:${icsUtc(start)}\r\n`);
    expect(calendar).toContain(`DTEND:${icsUtc(new Date(start.getTime() + 45 * 60_000))}\r\n`);
    expect(calendar).toMatch(new RegExp(`UID:appointment-${appointment.id}@`));
    expect(calendar).toContain(`SUMMARY:Appointment with ${String(doctor.name)}`);
    for (const secret of ['private-reason', 'private-notes']) {
      expect(`${mail.text} ${mail.html} ${calendar}`).not.toContain(secret);
    }

    const [sent] = await statusOf(appointment.id, 'sent');
    expect(sent.id).toBe(planned.id);
    expect(Date.parse(String(sent.sent_at))).toBeGreaterThanOrEqual(Date.parse(String(planned.send_at)));
    expect(mailsTo(smtp, email)).toHaveLength(1);
  });

  it("never sends a cancelled appointment's reminder; the route shows it cancelled", async () => {
    const { email, appointment } = await bookWithEmail(8);
    const [planned] = await reminders(appointment.id);
    expect(planned.status).toBe('planned');
    expect((await t.as(owner).delete(`/api/appointments/${appointment.id}/`)).status).toBe(204);
    expect(await reminders(appointment.id)).toEqual([{ ...planned, status: 'cancelled' }]);
    // Its job comes due, runs, and finds nothing to send.
    await jobsDone(planned.id);
    expect(mailsTo(smtp, email)).toHaveLength(0);
    expect(await reminders(appointment.id)).toEqual([{ ...planned, status: 'cancelled' }]);
  });

  it("sends a rescheduled appointment's reminder once, for the new time", async () => {
    const { email, appointment, start: first } = await bookWithEmail(8);
    const moved = new Date(first.getTime() + 4000);
    const res = await patch(t, owner, appointment.id, { appointment_datetime: moved.toISOString() });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [old, replanned] = await reminders(appointment.id);
    expect([old.status, replanned.status]).toEqual(['cancelled', 'planned']);
    expect(replanned.send_at).toBe(new Date(moved.getTime() - 4000).toISOString());

    const mail = await smtp.waitForMail(email, /Reminder/, 20_000);
    expect(mail.attachments[0].content.toString('utf8')).toContain(`DTSTART:${icsUtc(moved)}\r\n`);
    await jobsDone(old.id);
    await jobsDone(replanned.id);
    expect((await reminders(appointment.id)).map((reminder) => reminder.status)).toEqual(['cancelled', 'sent']);
    expect(mailsTo(smtp, email)).toHaveLength(1);
  });

  it('plans nothing for a patient without an email, nor a lead already past at booking', async () => {
    const doctor = await newDoctor(t, owner);
    const withoutEmail = await newPatient(t, owner);
    const far = await booked(t, owner, { patient: withoutEmail.id, doctor: doctor.id, appointment_datetime: startIn(3600).toISOString() });
    expect(await reminders(far.id)).toEqual([]);

    const withEmail = await newPatient(t, owner, { email: `${uniqueName('late')}@patients.example` });
    const soon = await booked(t, owner, { patient: withEmail.id, doctor: doctor.id, appointment_datetime: startIn(3).toISOString() });
    expect(await reminders(soon.id)).toEqual([]);
    const rows = await t.db.query<unknown[]>('SELECT 1 FROM appointment_reminders WHERE appointment_id = ANY($1)', [[far.id, soon.id]]);
    expect(rows).toHaveLength(0);
  });

  it("answers 404 for another account's appointment's reminders, as for a missing appointment", async () => {
    const { appointment } = await bookWithEmail(3600);
    expect(await reminders(appointment.id)).toHaveLength(1);
    const stranger = await t.newUser();
    expectProblem(await t.as(stranger).get(`/api/appointments/${appointment.id}/reminders/`), 404);
    expectProblem(await t.as(owner).get('/api/appointments/2000000000/reminders/'), 404);
    expect((await t.http().get(`/api/appointments/${appointment.id}/reminders/`)).status).toBe(401);
    // An admin sees every appointment, and so its reminders.
    expect(await reminders(appointment.id, await t.newAdmin())).toHaveLength(1);
  });

  it('sends a reminder once when its job runs several times at once', async () => {
    const { email, appointment } = await bookWithEmail(7);
    const [planned] = await reminders(appointment.id);
    // Two more jobs for the same reminder, due at the same time: the workers run them side by side.
    await t.db.transaction((manager) =>
      t.app.get(JobQueue).enqueue(manager, 'appointment-reminder', [
        { data: { reminder: planned.id }, startAfter: new Date(String(planned.send_at)) },
        { data: { reminder: planned.id }, startAfter: new Date(String(planned.send_at)) },
      ]),
    );
    await jobsDone(planned.id, 3);
    expect(mailsTo(smtp, email)).toHaveLength(1);
    expect((await reminders(appointment.id))[0].status).toBe('sent');
  });

  it('plans a reminder the mail server refused for now again, and its retry sends it', async () => {
    const { email, appointment } = await bookWithEmail(6);
    const [planned] = await reminders(appointment.id);
    smtp.refuseNext(1);
    const refusedBefore = smtp.refused();
    await waitFor('the retry of the refused reminder', async () => {
      const states = await jobStates(planned.id);
      return states[0] === 'retry' ? states : undefined;
    });
    expect(smtp.refused()).toBe(refusedBefore + 1);
    expect((await reminders(appointment.id))[0].status).toBe('planned');
    // The queue waits a minute before the retry; bring it forward rather than wait.
    await t.db.query(`UPDATE pgboss.job SET start_after = now() WHERE name = 'appointment-reminder' AND data->>'reminder' = $1`, [
      String(planned.id),
    ]);
    await smtp.waitForMail(email, /Reminder/, 20_000);
    await statusOf(appointment.id, 'sent');
    expect(mailsTo(smtp, email)).toHaveLength(1);
  });
});

describe('appointment reminders with two leads (e2e)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ SMTP_URL: smtp.url, REMINDER_LEAD: '3s,6s', JOBS_POLL_INTERVAL_MS: '500' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('plans and sends one reminder per lead, the longer lead first', async () => {
    const owner = await t.newUser();
    const email = `${uniqueName('twice')}@patients.example`;
    const patient = await newPatient(t, owner, { email });
    const doctor = await newDoctor(t, owner);
    const start = startIn(9);
    const appointment = await booked(t, owner, { patient: patient.id, doctor: doctor.id, appointment_datetime: start.toISOString() });
    const list = async () => (await t.as(owner).get(`/api/appointments/${appointment.id}/reminders/`)).body as Body[];
    expect((await list()).map(({ lead_seconds, send_at, status }) => [lead_seconds, send_at, status])).toEqual([
      [6, new Date(start.getTime() - 6000).toISOString(), 'planned'],
      [3, new Date(start.getTime() - 3000).toISOString(), 'planned'],
    ]);
    await waitFor('two reminders sent', async () => {
      const reminders = await list();
      return reminders.every((reminder) => reminder.status === 'sent') ? reminders : undefined;
    });
    const mails = mailsTo(smtp, email);
    expect(mails).toHaveLength(2);
    // No schedule and no clinic: the time is given in UTC, and says so.
    expect(mails[0].text).toContain('(UTC time)');
  });
});
