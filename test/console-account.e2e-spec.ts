import { beforeEach, describe, expect, it } from 'vitest';
import { ACCESS, canAccess } from '../admin/src/access';
import { totp, useConsole } from './support/console';
import { newDoctor, newPatient } from './support/records';
import { uniqueName, useTestApp, type TestUser } from './support/test-app';

/** The machine is shared and slow at times: a poll waits up to 15 s, not vitest's 1 s. */
const POLL = { timeout: 15_000 };
const OTHER_DEVICE = 'other-device/1.0 (console-account test)';

/**
 * The caller's own account in the console, in Chromium against the real service: profile, two-factor
 * setup from the page's secret, the MFA step at the next sign-in, ending another session, a new
 * password; the dashboard's counts and today's appointments; and the menus by role.
 */
describe('the console: account page, dashboard and menus by role (e2e)', () => {
  const t = useTestApp();
  const browser = useConsole(t, 'account');
  const { screenshot, problems } = browser;

  // Each test starts signed out, even after one that failed half way: the session lives in sessionStorage.
  beforeEach(async () => {
    if (browser.page?.url().startsWith(browser.base)) await browser.page.evaluate('sessionStorage.clear()');
    problems.length = 0;
  });

  /** A login through the API, as another device would make it. */
  const apiLogin = (user: TestUser, password = user.password) =>
    t.http().post('/api/auth/login/').set('User-Agent', OTHER_DEVICE).send({ username: user.username, password });

  it('changes the profile, sets up two-factor authentication, signs in with it, ends another session and changes the password', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const user = await t.newUser();
    const other = await apiLogin(user);
    expect(other.status).toBe(200);

    await browser.signIn(user);
    // The dashboard is the first page.
    await expect.poll(() => page.url(), POLL).toMatch(/\/admin\/?$/);
    await page.getByRole('heading', { name: "Today's appointments" }).waitFor();
    await screenshot('dashboard-after-sign-in');

    // The side menu opens the account page.
    await page.getByRole('menuitem', { name: 'My account' }).click();
    await expect.poll(() => page.url(), POLL).toBe(`${base}/admin/account`);
    const section = (name: string) => page.getByRole('region', { name, exact: true });
    const profile = section('Profile');
    await expect.poll(() => profile.getByRole('textbox', { name: 'Email' }).inputValue(), POLL).toBe(user.email);
    await screenshot('account');

    // Profile: a new name, saved through PATCH /api/auth/me/; the app bar says it too.
    const name = `Ada ${uniqueName('me')}`;
    await profile.getByRole('textbox', { name: 'Name' }).fill(name);
    await profile.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    await expect.poll(async () => (await t.as(user).get('/api/auth/me/')).body.name, POLL).toBe(name);
    await page.getByRole('button', { name: 'Profile', exact: true }).getByText(name).waitFor();

    // Two-factor authentication: the QR code and the secret as text; a code of that secret turns it on.
    const twoFactor = section('Two-factor authentication');
    await twoFactor.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await twoFactor.getByRole('img', { name: /QR code/ }).waitFor();
    const secret = await twoFactor.getByRole('textbox', { name: 'Secret key' }).inputValue();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot('two-factor-setup');
    // The previous period's code (accepted as drift): the current one stays unused for the sign-in below.
    await twoFactor.getByRole('textbox', { name: 'Authentication code' }).fill(await totp(secret, -1));
    await twoFactor.getByRole('button', { name: 'Turn on' }).click();
    const recovery = page.getByRole('region', { name: 'Recovery codes' });
    await recovery.waitFor();
    await expect.poll(() => recovery.getByRole('listitem').count(), POLL).toBe(10);
    await twoFactor.getByText('Two-factor authentication is on').waitFor();
    await screenshot('two-factor-recovery-codes');
    // The account has it now: a password alone no longer signs in.
    const withPassword = await apiLogin(user);
    expect(withPassword.status).toBe(200);
    expect(withPassword.body).toMatchObject({ mfa_required: true });
    await recovery.getByRole('button', { name: 'I have kept them' }).click();
    await recovery.waitFor({ state: 'detached' });

    // Out, and in again with the code step. (The app bar hides while the page is scrolled down.)
    await page.evaluate('window.scrollTo(0, 0)');
    await browser.signOut();
    await browser.signIn(user, secret);
    await screenshot('signed-in-with-code');
    await page.goto(`${base}/admin/account`);
    await section('Two-factor authentication').getByText('Two-factor authentication is on').waitFor();

    // Sessions: this one, and the one the API login made; ending that one revokes its refresh token.
    const sessions = section('Sessions');
    const otherRow = sessions.getByRole('row').filter({ hasText: OTHER_DEVICE });
    await otherRow.waitFor();
    await sessions.getByRole('row').filter({ hasText: 'This session' }).waitFor();
    await screenshot('sessions');
    await otherRow.getByRole('button', { name: /^End session \d+$/ }).click();
    await page.getByText('The session is ended.').waitFor();
    await otherRow.waitFor({ state: 'detached' });
    expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: other.body.refresh })).status).toBe(401);
    await screenshot('session-ended');

    // A new password: it logs in (to the code step), the old one does not, and the console's session goes on.
    const password = section('Password');
    const newPassword = `${user.password}-${uniqueName('new')}`;
    await password.getByLabel('Current password').fill(user.password);
    await password.getByLabel(/^New password(?! again)/).fill(newPassword);
    await password.getByLabel('New password again').fill(newPassword);
    await password.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    const withNew = await apiLogin(user, newPassword);
    expect(withNew.status).toBe(200);
    expect(withNew.body).toMatchObject({ mfa_required: true });
    expect((await apiLogin(user)).status).toBe(401);
    // The registration's session is one of the others the change ended.
    expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: user.refresh })).status).toBe(401);
    // The console refreshed its revoked access token once and still lists its sessions: this one alone.
    await expect.poll(() => sessions.getByRole('button', { name: /^End session/ }).count(), POLL).toBe(0);
    await sessions.getByRole('row').filter({ hasText: 'This session' }).waitFor();
    expect(page.url()).toBe(`${base}/admin/account`);
    await screenshot('password-changed');

    // The only errors the browser logs: the 401s of the access token the new password revoked, each refreshed once.
    const unexpected = problems.filter((problem) => !/status of 401/.test(problem));
    expect(unexpected).toEqual([]);
    expect(problems.length).toBeLessThanOrEqual(2);
  }, 120_000);

  it("shows today's appointments and the counts of the caller's lists, each linking to its list", async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const user = await t.newUser();
    await newPatient(t, user);
    const patient = await newPatient(t, user);
    const doctor = await newDoctor(t, user);
    // One appointment later today when there is time left today (local time, as the browser's), one tomorrow.
    const soon = new Date(Date.now() + 10 * 60_000);
    soon.setSeconds(0, 0);
    const tomorrow = new Date(soon.getTime() + 24 * 3600_000);
    for (const start of [soon, tomorrow]) {
      const booked = await t
        .as(user)
        .post('/api/appointments/')
        .send({ patient: patient.id, doctor: doctor.id, appointment_datetime: start.toISOString(), duration_minutes: 15 });
      expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    }
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const nextMidnight = new Date(midnight);
    nextMidnight.setDate(nextMidnight.getDate() + 1);
    const today = await t.as(user).get(`/api/appointments/?from=${midnight.toISOString()}&to=${nextMidnight.toISOString()}`);
    expect(today.status).toBe(200);
    if (soon < nextMidnight) expect(today.body.map((a: { id: number }) => a.id)).toHaveLength(1);
    const total = async (path: string) => {
      const res = await t.as(user).get(path);
      expect(res.status).toBe(200);
      return res.headers['x-total-count'];
    };
    const expected = {
      patients: await total('/api/patients/?page_size=1'),
      doctors: await total('/api/doctors/?page_size=1'),
      appointments: await total(`/api/appointments/?page_size=1&status=SCHEDULED&from=${new Date().toISOString()}`),
    };
    expect(expected).toMatchObject({ patients: '2', appointments: '2' });

    await browser.signIn(user);
    await page.getByRole('heading', { name: "Today's appointments" }).waitFor();
    for (const [resource, count] of Object.entries(expected)) {
      await expect.poll(() => page.locator(`[data-count="${resource}"]`).textContent(), POLL).toBe(count);
    }
    const todayTable = page.getByRole('region', { name: "Today's appointments" });
    if (today.body.length === 0) await todayTable.getByText('No appointments today.').waitFor();
    for (const appointment of today.body as { id: number; patient_details: { name: string } }[]) {
      await todayTable.locator(`[data-appointment="${appointment.id}"]`).getByText(appointment.patient_details.name).waitFor();
    }
    expect(await todayTable.locator('[data-appointment]').count()).toBe(today.body.length);
    await screenshot('dashboard-counts');

    // Each count opens its list.
    await page.getByRole('link', { name: /^Patients/ }).click();
    await expect.poll(() => page.url(), POLL).toBe(`${base}/admin/patients`);
    await page.getByText(patient.name as string).waitFor();
    await screenshot('dashboard-to-patients');

    expect(problems).toEqual([]);
    await browser.signOut();
  }, 90_000);

  it('the access table: every role has the shared lists, the account page and the dashboard; only admins have accounts and the audit', () => {
    for (const role of ['patient', 'doctor', 'admin'] as const) {
      for (const resource of ['dashboard', 'account', 'patients', 'doctors', 'assignments', 'appointments', 'clinics']) {
        expect(canAccess(role, resource), `${role} ${resource}`).toBe(true);
      }
      expect(canAccess(role, 'accounts')).toBe(role === 'admin');
      expect(canAccess(role, 'audit-events')).toBe(role === 'admin');
      // Unknown resources are hidden from everyone; fields follow their resource.
      expect(canAccess(role, 'no-such-resource')).toBe(false);
      expect(canAccess(role, 'patients.name')).toBe(true);
    }
    expect(canAccess(undefined, 'patients')).toBe(false);
    expect(Object.keys(ACCESS).sort()).toEqual(
      ['account', 'accounts', 'appointments', 'assignments', 'audit-events', 'clinics', 'dashboard', 'doctors', 'patients'].sort(),
    );
  });

  it("shows a plain account no Accounts or Audit entry, and an admin the admins' entries where the console has them", async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const menuEntries = async () => {
      await page.getByRole('menuitem', { name: 'Patients' }).waitFor();
      return (await page.getByRole('menuitem').allTextContents()).map((text) => text.trim());
    };

    const plain = await t.newUser({ role: 'doctor' });
    await browser.signIn(plain);
    const plainMenu = await menuEntries();
    expect(plainMenu).toEqual(expect.arrayContaining(['Dashboard', 'Patients', 'Doctors']));
    expect(plainMenu.filter((entry) => /Accounts|Audit/i.test(entry))).toEqual([]);
    await screenshot('menu-plain');
    // Straight to the admins' list: the console says it is for admins (and the API would refuse).
    await page.goto(`${base}/admin/accounts`);
    await page.getByText('This page is for admins.').waitFor();
    await screenshot('accounts-as-plain');
    await browser.signOut();

    const admin = await t.newAdmin();
    await browser.signIn(admin);
    const adminMenu = await menuEntries();
    expect(adminMenu).toEqual(expect.arrayContaining(plainMenu));
    expect(adminMenu).toEqual(expect.arrayContaining(['Accounts', 'Audit log']));
    await screenshot('menu-admin');
    await browser.signOut();

    expect(problems).toEqual([]);
  }, 90_000);
});

/**
 * Where a role must use two-factor authentication (MFA_REQUIRED_ROLES, admins by default), an
 * account without it can use nothing else: the dashboard says so and leads to the account page,
 * where setting it up opens the rest.
 */
describe('the console for an admin who must set up two-factor authentication first (e2e)', () => {
  const t = useTestApp({ MFA_REQUIRED_ROLES: 'admin' });
  const browser = useConsole(t, 'account-mfa-required');
  const { screenshot, problems } = browser;

  it('shows the API’s reason on the dashboard, leads to the account page, and opens the lists once it is on', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const admin = await t.newAdmin();
    expect((await t.as(admin).get('/api/patients/')).status).toBe(403);

    await browser.signIn(admin);
    const reason = page.getByText('Set up two-factor authentication first.');
    await expect.poll(() => reason.count(), POLL).toBeGreaterThan(0);
    await screenshot('dashboard-mfa-first');
    await page.getByRole('link', { name: 'My account' }).first().click();
    await expect.poll(() => page.url(), POLL).toBe(`${base}/admin/account`);

    const twoFactor = page.getByRole('region', { name: 'Two-factor authentication', exact: true });
    await twoFactor.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = await twoFactor.getByRole('textbox', { name: 'Secret key' }).inputValue();
    await twoFactor.getByRole('textbox', { name: 'Authentication code' }).fill(await totp(secret, -1));
    await twoFactor.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('region', { name: 'Recovery codes' }).waitFor();
    // The sessions, refused before, are listed now.
    await page.getByRole('region', { name: 'Sessions' }).getByText('This session').waitFor();
    await screenshot('account-mfa-on');
    expect((await t.as(admin).get('/api/patients/')).status).toBe(200);

    await page.getByRole('menuitem', { name: 'Dashboard' }).click();
    await expect.poll(() => page.locator('[data-count="patients"]').textContent(), POLL).toMatch(/^\d+$/);
    await expect.poll(() => reason.count(), POLL).toBe(0);
    await screenshot('dashboard-after-mfa');

    // The refusals before it was on: the dashboard's three counts and today's appointments, and the sessions.
    const refused = problems.filter((problem) => /status of 403/.test(problem));
    expect(problems.filter((problem) => !refused.includes(problem))).toEqual([]);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused.length).toBeLessThanOrEqual(6);
  }, 90_000);
});
