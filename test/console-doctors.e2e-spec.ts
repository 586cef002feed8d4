import { describe, expect, it } from 'vitest';
import { enableMfa, useConsole } from './support/console';
import { newDoctor } from './support/records';
import { uniqueName, useTestApp } from './support/test-app';

const STALE_MESSAGE = 'Someone changed this record since you opened it';
const ZONE = 'Europe/Berlin';

/** A date (YYYY-MM-DD) in `zone`, `days` days from now. */
const dateIn = (zone: string, days: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() + days * 86_400_000),
  );

/** The first Monday-to-Friday date in `zone` after today. */
function comingWeekday(zone: string): string {
  for (let days = 1; ; days++) {
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short' }).format(new Date(Date.now() + days * 86_400_000));
    if (weekday !== 'Sat' && weekday !== 'Sun') return dateIn(zone, days);
  }
}

/** "09:00–09:30": a slot of the API as the console shows it, in `zone`. */
const clock = (instant: string, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));

/**
 * The console's doctors, in Chromium against the real service: an admin signs in with the MFA
 * step, adds a doctor through the form, sets its week in the schedule editor (a field error from
 * the API on the way), sees a coming weekday's free slots as the API lists them, meets the 412
 * when another session changed the profile, and deletes it after the confirmation says what a
 * delete does.
 */
describe('the console: doctors, schedules and free slots, in Chromium (e2e)', () => {
  const t = useTestApp();
  const browser = useConsole(t, 'doctors');
  const { field, screenshot, problems } = browser;

  it('creates a doctor, sets its week, lists its free slots, shows the 412 and deletes it', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const admin = await t.newAdmin();
    const secret = await enableMfa(t, admin);
    // Someone's clinic: an admin sees every clinic, so the form offers the clinic select.
    const clinic = await t
      .as(await t.newUser())
      .post('/api/clinics/')
      .send({ name: uniqueName('Clinic '), timezone: 'Europe/Berlin' });
    expect(clinic.status).toBe(201);
    await browser.signIn(admin, secret);

    // Add a doctor through the form.
    const name = `Dr. Lise ${uniqueName('form')}`;
    await page.getByRole('menuitem', { name: 'Doctors' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors/create`);
    await field('Name').fill(name);
    await page.getByRole('combobox', { name: 'Specialization' }).fill('Neurology');
    await field('Email').fill(`${uniqueName('lise')}@clinic.example`);
    await field('Phone').fill('+49 30 1234567');
    await field('License number').fill(uniqueName('MD-'));
    await page.getByRole('spinbutton', { name: 'Years of experience' }).fill('12');
    await field('Consultation fee').fill('1500.5');
    await field('Hospital').fill('Charité');
    await screenshot('doctor-create');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Schedule' }).waitFor();
    const id = Number(/\/admin\/doctors\/(\d+)\/show$/.exec(page.url())?.[1]);
    expect(id).toBeGreaterThan(0);
    const created = await t.as(admin).get(`/api/doctors/${id}/`);
    expect(created.body).toMatchObject({
      name,
      specialization: 'Neurology',
      phone: '+49 30 1234567',
      experience_years: 12,
      consultation_fee: '1500.50',
      hospital: 'Charité',
      created_by: admin.id,
      user: null,
    });
    await page.getByText('No weekly schedule').waitFor();
    await screenshot('doctor-show-no-schedule');

    // The schedule editor: Monday to Friday 09:00-12:00, 30-minute slots, in Berlin.
    await page.getByRole('link', { name: 'Schedule' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors/${id}/schedule`);
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await zone.fill(ZONE);
    await zone.press('Escape');
    await page.getByRole('spinbutton', { name: 'Slot length (minutes)' }).fill('30');
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday']) {
      await page.getByRole('button', { name: `Add an opening on ${day}` }).click();
      await field(`${day}, opening 1: start`).fill('09:00');
      await field(`${day}, opening 1: end`).fill('12:00');
    }
    // Friday by keyboard: Enter on the button, the new opening's start takes the focus, Tab to its end.
    await page.getByRole('button', { name: 'Add an opening on Friday' }).press('Enter');
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Friday, opening 1: start');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('12:00');
    expect(await field('Friday, opening 1: end').inputValue()).toBe('12:00');
    // A second Monday opening that ends before it starts: the API names it, the editor shows it there.
    await page.getByRole('button', { name: 'Add an opening on Monday' }).click();
    await expect.poll(() => field('Monday, opening 2: start').inputValue()).toBe('12:00');
    await field('Monday, opening 2: end').fill('10:00');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('end must be after start').waitFor();
    await page.getByText('The schedule is not valid.').waitFor();
    await screenshot('schedule-field-error');
    expect((await t.as(admin).get(`/api/doctors/${id}/schedule/`)).status).toBe(404);

    await page.getByRole('button', { name: 'Monday, remove opening 2' }).click();
    await screenshot('schedule-week');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Schedule saved').waitFor();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors/${id}/show`);
    const stored = await t.as(admin).get(`/api/doctors/${id}/schedule/`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ timezone: ZONE, effective_timezone: ZONE, slot_minutes: 30 });
    expect(stored.body.entries).toEqual([0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: '09:00', end: '12:00' })));

    // The profile's page: the week, and today's free slots (in Berlin) by default.
    await page.getByText(`Times in ${ZONE}; slots of 30 minutes.`).waitFor();
    const day = page.getByLabel('Day', { exact: true });
    expect(await day.inputValue()).toBe(dateIn(ZONE, 0));
    // A coming weekday: six slots of 30 minutes from 09:00, as the API lists them.
    const date = comingWeekday(ZONE);
    await day.fill(date);
    const slots = page.getByRole('list', { name: `Free slots on ${date}` }).getByRole('listitem');
    await expect.poll(() => slots.count()).toBe(6);
    const api = await t.as(admin).get(`/api/doctors/${id}/slots/?date=${date}`);
    expect(api.status).toBe(200);
    const expected = (api.body as { start: string; end: string }[]).map(({ start, end }) => `${clock(start, ZONE)}–${clock(end, ZONE)}`);
    expect(expected[0]).toBe('09:00–09:30');
    expect(await slots.allTextContents()).toEqual(expected);
    await screenshot('doctor-show-slots');

    // Edit while another session changes the profile: the 412, said in words; nothing overwritten.
    const reread = page.waitForResponse((res) => res.url().endsWith(`/api/doctors/${id}/`) && res.request().method() === 'GET');
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors/${id}`);
    await expect.poll(() => field('Phone').inputValue()).toBe('+49 30 1234567');
    // The form shows the show page's copy at once and reads the record again: let that read
    // finish, so that the change below comes after the version the form holds.
    await reread;
    const meanwhile = await t.as(admin).patch(`/api/doctors/${id}/`).send({ availability: 'Changed in another session' });
    expect(meanwhile.status).toBe(200);
    await field('Phone').fill('+49 30 7654321');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(STALE_MESSAGE).waitFor();
    await screenshot('doctor-stale-version');
    const after = await t.as(admin).get(`/api/doctors/${id}/`);
    expect(after.body).toMatchObject({ phone: '+49 30 1234567', availability: 'Changed in another session' });

    // The notice's Reload loads the current version; the delete says what it does first.
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Availability' }).inputValue()).toBe('Changed in another session');
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Delete doctor "${name}"?`).waitFor();
    await dialog.getByText('its future appointments are cancelled').waitFor();
    await screenshot('doctor-delete-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors`);
    expect((await t.as(admin).get(`/api/doctors/${id}/`)).status).toBe(404);
    await screenshot('doctors-list-after-delete');

    // The errors the browser logged are the ones provoked: the 404s of "no schedule yet", the 400 and the 412.
    const unexpected = problems.filter((problem) => !/status of (400|404|412)/.test(problem));
    expect(unexpected).toEqual([]);
    expect(problems.filter((problem) => /status of 400/.test(problem))).toHaveLength(1);
    expect(problems.filter((problem) => /status of 412/.test(problem))).toHaveLength(1);
    const notFound = problems.filter((problem) => /status of 404/.test(problem));
    expect(notFound.length).toBeGreaterThan(0);
    expect(notFound.every((problem) => problem.includes(`/api/doctors/${id}/schedule/`))).toBe(true);
    await browser.signOut();
  }, 120_000);

  it("filters the directory by search and specialization, and hides the changes of another's profile", async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const creator = await t.newUser();
    const reader = await t.newUser();
    const tag = uniqueName('dir');
    const cardiologist = await newDoctor(t, creator, { name: `Dr. Heart ${tag}`, specialization: 'Cardiology' });
    await newDoctor(t, creator, { name: `Dr. Skin ${tag}`, specialization: 'Dermatology' });
    const problemsBefore = problems.length;

    await browser.signIn(reader);
    await page.goto(`${base}/admin/doctors`);
    await page.getByRole('textbox', { name: 'Search' }).fill(tag);
    await page.getByText(`Dr. Skin ${tag}`).waitFor();
    await page.getByText(`Dr. Heart ${tag}`).waitFor();
    await page.getByRole('combobox', { name: 'Specialization' }).fill('cardiology');
    await page.getByText(`Dr. Skin ${tag}`).waitFor({ state: 'detached' });
    await page.getByText(`Dr. Heart ${tag}`).waitFor();
    expect(page.url()).toContain('specialization');
    await screenshot('doctors-filtered');

    // Another account's unlinked profile: readable, with its week, but no Edit, Delete or Schedule here.
    await page.getByText(`Dr. Heart ${tag}`).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/doctors/${cardiologist.id}/show`);
    await page.getByText('No weekly schedule').waitFor();
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Schedule' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await screenshot('doctor-show-reader');

    // A clinic's profile: its managers may change it, so the console offers Edit and lets the API
    // decide; the reader is no manager and reads the API's 403 in the notification. The week is in
    // the clinic's time zone (the schedule names none).
    const clinic = await t
      .as(creator)
      .post('/api/clinics/')
      .send({ name: `Clinic ${tag}`, timezone: 'America/New_York' });
    expect(clinic.status).toBe(201);
    const clinical = await newDoctor(t, creator, {
      name: `Dr. Bone ${tag}`,
      specialization: 'Orthopedics',
      clinic: clinic.body.id,
      phone: '+1 555 0101',
    });
    const week = await t
      .as(creator)
      .put(`/api/doctors/${clinical.id}/schedule/`)
      .send({ slot_minutes: 20, entries: [{ weekday: 2, start: '14:00', end: '16:00' }] });
    expect(week.status).toBe(200);
    const refused = await t.as(reader).patch(`/api/doctors/${clinical.id}/`).send({ phone: '+1 555 0102' });
    expect(refused.status).toBe(403);
    await page.goto(`${base}/admin/doctors/${clinical.id}/show`);
    await page.getByText('Times in America/New_York; slots of 20 minutes.').waitFor();
    await page.getByText('14:00–16:00').waitFor();
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => field('Phone').inputValue()).toBe('+1 555 0101');
    await field('Phone').fill('+1 555 0102');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(refused.body.detail as string).waitFor();
    await screenshot('doctor-edit-forbidden');
    expect((await t.as(reader).get(`/api/doctors/${clinical.id}/`)).body).toMatchObject({ phone: '+1 555 0101' });

    // Logged: the 404 of the profile without a schedule, and the 403.
    const unexpected = problems
      .slice(problemsBefore)
      .filter((problem) => !problem.includes(`/api/doctors/${cardiologist.id}/schedule/`) && !/status of 403/.test(problem));
    expect(unexpected).toEqual([]);
    expect(problems.slice(problemsBefore).filter((problem) => /status of 403/.test(problem))).toHaveLength(1);
    // The app bar hides while the page is scrolled down; its user menu is where signing out is.
    await page.evaluate('window.scrollTo(0, 0)');
    await browser.signOut();
  }, 90_000);
});
