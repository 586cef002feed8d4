import { describe, expect, it } from 'vitest';
import { booked, DOCTOR_BUSY, newDoctor, newPatient, scheduled } from './support/appointments';
import { useConsole } from './support/console';
import { uniqueName, useTestApp, type TestApp, type TestUser } from './support/test-app';

const ZONE = 'America/New_York';
const STALE_MESSAGE = 'Someone changed this record since you opened it';

/** `halfHours` half hours after the instant `iso`, as ISO. */
const halfHoursAfter = (iso: string, halfHours: number) => new Date(Date.parse(iso) + halfHours * 30 * 60_000).toISOString();

/** The next Monday-to-Friday date in ZONE at least two days ahead, as YYYY-MM-DD. */
function comingWeekday(): string {
  const day = new Date(Date.now() + 2 * 86_400_000);
  for (;;) {
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(day);
    const weekday = new Date(`${local}T12:00:00Z`).getUTCDay();
    if (weekday >= 1 && weekday <= 5) return local;
    day.setUTCDate(day.getUTCDate() + 1);
  }
}

/** A doctor account (it can sign in) with its own profile, open 09:00-12:00 New York time on weekdays, 30-minute slots. */
async function scheduledDoctor(t: TestApp) {
  const account = await t.newUser({ role: 'doctor' });
  const profile = await newDoctor(t, account, { name: uniqueName('Dr Day ') });
  expect(profile.user).toBe(account.id);
  const weekdays = [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '12:00' }));
  await scheduled(t, account, profile.id, ZONE, 30, weekdays);
  return { account, profile };
}

async function slotsOf(t: TestApp, user: TestUser, doctor: number, date: string): Promise<{ start: string; end: string }[]> {
  const res = await t.as(user).get(`/api/doctors/${doctor}/slots/?date=${date}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function appointmentsOf(t: TestApp, user: TestUser, doctor: number): Promise<Record<string, unknown>[]> {
  const res = await t.as(user).get(`/api/appointments/?doctor=${doctor}&page_size=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/**
 * Assignments, appointments and the day view in a real browser: a staff member books a doctor's
 * first free slot from the day view, sees the 409 when a slot was taken meanwhile, checks the
 * appointment in with a button; the doctor sees only its own appointments and completes one.
 */
describe('the console: appointments and the day view, in Chromium (e2e)', () => {
  const t = useTestApp();
  const browser = useConsole(t, 'appointments');
  const { field, screenshot, problems } = browser;

  it('books the first free slot from the day view, shows the 409 of a slot taken meanwhile, and checks the appointment in', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const { profile: doctor } = await scheduledDoctor(t);
    const staff = await t.newUser();
    const other = await newPatient(t, staff, { name: uniqueName('Other ') });
    const date = comingWeekday();
    const free = await slotsOf(t, staff, doctor.id, date);
    expect(free.length).toBe(6);

    await browser.signIn(staff);
    // Register the patient through the form (the console opens on the dashboard).
    const name = `Lin ${uniqueName('day')}`;
    await page.getByRole('menuitem', { name: 'Patients' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    await field('Name').fill(name);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Edit' }).waitFor();
    const patientId = Number(/\/admin\/patients\/(\d+)\/show$/.exec(page.url())?.[1]);
    expect(patientId).toBeGreaterThan(0);
    await screenshot('patient-registered');

    // The day view, from the menu: the doctor, the day, the patient, by their autocompletes.
    await page.getByRole('menuitem', { name: 'Day view' }).click();
    await page.getByText('Choose a doctor to see the day.').waitFor();
    await page.getByRole('combobox', { name: 'Doctor' }).fill(String(doctor.name).split(' ').pop()!);
    await page.getByRole('option', { name: String(doctor.name) }).click();
    await page.getByLabel('Date', { exact: true }).fill(date);
    await page.getByRole('combobox', { name: 'Patient to book' }).fill(name.split(' ')[1]);
    await page.getByRole('option', { name }).click();
    await page.getByText(`Times in the doctor's time zone, ${ZONE}.`).waitFor();
    // Nine o'clock in New York, whatever the browser's zone: every slot is a button named by its time.
    const first = page.getByRole('button', { name: 'Book 09:00' });
    await first.waitFor();
    await expect.poll(() => page.getByRole('button', { name: /^Book \d\d:\d\d$/ }).count()).toBe(6);
    await expect.poll(() => page.url()).toContain(`doctor=${doctor.id}`);
    await screenshot('day-view');

    // Book the first free slot by keyboard: Enter on the focused button.
    await first.focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Booked 09:00 for ${name}.`).waitFor();
    await first.waitFor({ state: 'detached' });
    const made = await appointmentsOf(t, staff, doctor.id);
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ patient: patientId, appointment_datetime: free[0].start, status: 'SCHEDULED', duration_minutes: 30 });
    await page.getByRole('link', { name: new RegExp(`^09:00–09:30 ${name}`) }).waitFor();
    await screenshot('day-view-booked');

    // Someone else takes 09:30 meanwhile; the view still offers it, and the click gets the 409, said in words.
    const taken = await booked(t, staff, { doctor: doctor.id, patient: other.id, appointment_datetime: free[1].start });
    await page.getByRole('button', { name: 'Book 09:30' }).click();
    await page.getByText(`Not booked: ${DOCTOR_BUSY}`).waitFor();
    // The view reloads the day: 09:30 is no longer offered and shows as the other patient's.
    await page.getByRole('button', { name: 'Book 09:30' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: new RegExp(`^09:30–10:00 ${String(other.name)}`) }).waitFor();
    const after = await appointmentsOf(t, staff, doctor.id);
    expect(after.map((appointment) => appointment.id).sort()).toEqual([made[0].id, taken.id].sort());
    await screenshot('day-view-conflict');

    // The appointment's page: the patient side may check in or cancel, not complete or mark a no-show.
    await page.getByRole('link', { name: new RegExp(`^09:00–09:30 ${name}`) }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/appointments/${String(made[0].id)}/show`);
    const checkIn = page.getByRole('button', { name: 'Check in' });
    await checkIn.waitFor();
    await page.getByRole('button', { name: 'Cancel appointment' }).waitFor();
    expect(await page.getByRole('button', { name: 'Complete' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'No show' }).count()).toBe(0);
    await screenshot('appointment-show');
    await checkIn.click();
    await page.getByText('The appointment is now Checked in.').waitFor();
    await expect.poll(async () => (await t.as(staff).get(`/api/appointments/${String(made[0].id)}/`)).body.status).toBe('CHECKED_IN');
    // The history shows the booking and the check-in; nothing is left for the patient side to do.
    await page.getByText('No further status change is yours to make.').waitFor();
    const history = page.getByRole('table', { name: 'History' });
    await expect.poll(() => history.getByRole('row').count()).toBe(3);
    await screenshot('appointment-checked-in');

    // Back to the doctor's day from the appointment: its day in the doctor's zone.
    await page.getByRole('link', { name: 'Day view' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/day?doctor=${doctor.id}&date=${date}`);
    await page.getByRole('link', { name: new RegExp(`^09:00–09:30 ${name}`) }).waitFor();
    // Exactly: the snackbar says "The appointment is now Checked in." for a while too.
    await page.getByText('Checked in', { exact: true }).waitFor();

    // The one error the browser logs is the 409 of the slot taken meanwhile.
    expect(problems.filter((problem) => !/status of 409/.test(problem))).toEqual([]);
    expect(problems.filter((problem) => /status of 409/.test(problem))).toHaveLength(1);
    await browser.signOut();
  }, 90_000);

  it('shows a doctor only its own appointments, and lets it complete one the patient side may not', async () => {
    browser.reportFailures();
    problems.length = 0;
    const { page, base } = browser;
    const { account, profile: mine } = await scheduledDoctor(t);
    const staff = await t.newUser();
    const elsewhere = await newDoctor(t, staff, { name: uniqueName('Dr Else ') });
    const patient = await newPatient(t, staff, { name: uniqueName('Mira ') });
    const date = comingWeekday();
    const [slot] = await slotsOf(t, staff, mine.id, date);
    const own = await booked(t, staff, { doctor: mine.id, patient: patient.id, appointment_datetime: slot.start, reason: 'Own visit' });
    const later = new Date(Date.parse(slot.start) + 86_400_000).toISOString();
    const foreign = await booked(t, staff, {
      doctor: elsewhere.id,
      patient: patient.id,
      appointment_datetime: later,
      reason: 'Foreign visit',
    });
    // The staff member, who booked both, lists both.
    expect((await t.as(staff).get('/api/appointments/')).body).toHaveLength(2);

    await browser.signIn(account);
    await page.getByRole('menuitem', { name: 'Appointments' }).click();
    await page.getByText('Own visit').waitFor();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.getByText('Foreign visit').count()).toBe(0);
    expect(await page.getByText(String(elsewhere.name)).count()).toBe(0);
    await screenshot('doctor-list');
    // The other doctor's appointment is not there to open either: the API answers 404.
    expect((await t.as(account).get(`/api/appointments/${foreign.id}/`)).status).toBe(404);

    // Its own appointment: the doctor may complete it or mark a no-show.
    await page.getByText('Own visit').click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/appointments/${own.id}/show`);
    await page.getByRole('button', { name: 'No show' }).waitFor();
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.getByText('The appointment is now Completed.').waitFor();
    await expect.poll(async () => (await t.as(account).get(`/api/appointments/${own.id}/`)).body.status).toBe('COMPLETED');
    await page.getByText('No further status change is yours to make.').waitFor();
    await screenshot('doctor-completed');

    // A second one, cancelled in another session while its page is open: the click gets the 412, said in words.
    const next = await booked(t, staff, { doctor: mine.id, patient: patient.id, appointment_datetime: halfHoursAfter(slot.start, 2) });
    await page.goto(`${base}/admin/appointments/${next.id}/show`);
    const noShow = page.getByRole('button', { name: 'No show' });
    await noShow.waitFor();
    expect((await t.as(staff).patch(`/api/appointments/${next.id}/`).send({ status: 'CANCELLED' })).status).toBe(200);
    await noShow.click();
    await page.getByText(STALE_MESSAGE).waitFor();
    expect((await t.as(account).get(`/api/appointments/${next.id}/`)).body.status).toBe('CANCELLED');
    await screenshot('doctor-stale-status');

    expect(problems.filter((problem) => !/status of 412/.test(problem))).toEqual([]);
    expect(problems.filter((problem) => /status of 412/.test(problem))).toHaveLength(1);
    await browser.signOut();
  }, 60_000);

  it("assigns a doctor to a patient through the form, refuses the same pair again with the API's words, and ends it", async () => {
    browser.reportFailures();
    problems.length = 0;
    const { page } = browser;
    const staff = await t.newUser();
    const patient = await newPatient(t, staff, { name: uniqueName('Noor ') });
    const doctor = await newDoctor(t, staff, { name: uniqueName('Dr Assign ') });
    const last = (name: unknown) => String(name).split(' ').pop()!;

    await browser.signIn(staff);
    await page.getByRole('menuitem', { name: 'Assignments' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    const assignThem = async () => {
      await page.getByRole('combobox', { name: 'Patient' }).fill(last(patient.name));
      await page.getByRole('option', { name: String(patient.name) }).click();
      await page.getByRole('combobox', { name: 'Doctor' }).fill(last(doctor.name));
      await page.getByRole('option', { name: String(doctor.name) }).click();
      await field('Notes').fill('Referral for a check-up');
    };
    await assignThem();
    await screenshot('assignment-create');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: String(patient.name) }).waitFor();
    const listed = await t.as(staff).get(`/api/mappings/?patient=${patient.id}`);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({ doctor: doctor.id, notes: 'Referral for a check-up', is_active: true });
    await screenshot('assignment-list');

    // The same pair again: the 409's detail, and still one assignment.
    await page.getByRole('link', { name: 'Create' }).click();
    await assignThem();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('This doctor is already assigned to this patient.').waitFor();
    expect((await t.as(staff).get(`/api/mappings/?patient=${patient.id}`)).body).toHaveLength(1);
    await screenshot('assignment-conflict');

    // End it, after the confirmation: kept as history, no longer active.
    await page.getByRole('menuitem', { name: 'Assignments' }).click();
    await page.getByRole('button', { name: 'End' }).click();
    // The row leaves the list before the server answers; the check below waits for the answer itself.
    const endedOnServer = page.waitForResponse((res) => res.request().method() === 'DELETE' && res.url().includes('/api/mappings/'));
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await endedOnServer).status()).toBe(204);
    await page.getByRole('cell', { name: String(patient.name) }).waitFor({ state: 'detached' });
    const ended = await t.as(staff).get(`/api/mappings/?patient=${patient.id}`);
    expect(ended.body).toHaveLength(1);
    expect(ended.body[0]).toMatchObject({ is_active: false, ended_at: expect.any(String) });
    await screenshot('assignment-ended');

    expect(problems.filter((problem) => !/status of 409/.test(problem))).toEqual([]);
    expect(problems.filter((problem) => /status of 409/.test(problem))).toHaveLength(1);
  }, 60_000);
});
