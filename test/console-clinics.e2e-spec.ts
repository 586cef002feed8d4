import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enableMfa, useConsole } from './support/console';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { uniqueName, useTestApp, type TestUser } from './support/test-app';

const LAST_MANAGER = 'A clinic keeps at least one manager';

/**
 * Clinics, accounts and the audit log in the console, in Chromium against the real service: a
 * manager makes a clinic and invites an account, which accepts it from its list of clinics; the
 * manager changes roles (the last manager's demotion is refused) and reads the clinic's trail; an
 * admin (with MFA) finds an account, mails it a reset link, deactivates it, and filters the trail.
 */
describe('clinics, accounts and the audit log in the console (e2e)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  const t = useTestApp(() => ({ SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '20' }));
  afterAll(() => smtp?.close());
  const browser = useConsole(t, 'clinics');
  const { field, screenshot, problems } = browser;

  const membersOf = async (manager: TestUser, clinic: number) =>
    (await t.as(manager).get(`/api/clinics/${clinic}/members/`)).body as { user: number; role: string; status: string }[];

  it('makes a clinic, invites an account that accepts, changes roles, refuses to demote the last manager, shows the trail', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const manager = await t.newUser();
    // A clinician is a doctor account.
    const staff = await t.newUser({ role: 'doctor' });

    // The manager makes a clinic through the form.
    await browser.signIn(manager);
    await page.getByRole('menuitem', { name: 'Clinics' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    const clinicName = `Riverside ${uniqueName('clinic')}`;
    await field('Name').fill(clinicName);
    await field('Time zone').fill('Europe/Berlin');
    await field('Address').fill('1 River Road, Springfield');
    await field('Phone').fill('+1 555 0100');
    await screenshot('clinic-create');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.url()).toMatch(/\/admin\/clinics\/\d+\/show$/);
    const clinic = Number(/\/clinics\/(\d+)\/show$/.exec(page.url())?.[1]);
    const made = await t.as(manager).get(`/api/clinics/${clinic}/`);
    expect(made.body).toMatchObject({
      name: clinicName,
      timezone: 'Europe/Berlin',
      address: '1 River Road, Springfield',
      created_by: manager.id,
    });
    expect(await membersOf(manager, clinic)).toEqual([expect.objectContaining({ user: manager.id, role: 'manager', status: 'active' })]);
    await page.getByText(clinicName).first().waitFor();
    await screenshot('clinic-show');

    // It edits it: the PATCH carries the version the form opened with.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => field('Phone').inputValue()).toBe('+1 555 0100');
    await field('Phone').fill('+1 555 0199');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Element updated').waitFor();
    expect((await t.as(manager).get(`/api/clinics/${clinic}/`)).body).toMatchObject({
      phone: '+1 555 0199',
      version: made.body.version + 1,
    });
    await page.goto(`${base}/admin/clinics/${clinic}/show`);

    // It invites the other account, by email, as staff.
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.getByLabel('Email or username').fill(staff.email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByRole('row').filter({ hasText: staff.username }).filter({ hasText: 'Invited' }).waitFor();
    await screenshot('member-invited');
    expect(await membersOf(manager, clinic)).toContainEqual(expect.objectContaining({ user: staff.id, role: 'staff', status: 'invited' }));

    // The invited account is mailed; signed in, it finds the invitation above its clinics, by the clinic's name and the role.
    const mail = await smtp.waitForMail(staff.email, new RegExp(`invited to join ${clinicName}`));
    expect(mail.text).toContain(`/api/clinics/${clinic}/membership/accept/`);
    await browser.signOut();
    await browser.signIn(staff);
    await page.getByRole('menuitem', { name: 'Clinics' }).click();
    const invitation = page.getByRole('row').filter({ hasText: clinicName });
    await invitation.filter({ hasText: 'Staff' }).waitFor();
    await screenshot('invitation');
    const pending = async () => (await t.as(staff).get('/api/clinics/invitations/')).body as { clinic: number }[];
    expect(await pending()).toEqual([expect.objectContaining({ clinic, clinic_name: clinicName, role: 'staff', invited_by: manager.id })]);
    // It accepts there, and is taken to the clinic.
    await invitation.getByRole('button', { name: `Accept the invitation to ${clinicName}` }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/clinics/${clinic}/show`);
    await page.getByText(clinicName).first().waitFor();
    expect(await membersOf(manager, clinic)).toContainEqual(expect.objectContaining({ user: staff.id, role: 'staff', status: 'active' }));
    expect(await pending()).toEqual([]);
    // Staff see the members but not the clinic's trail.
    await page.getByRole('tab', { name: 'Members' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Audit' }).count()).toBe(0);
    await screenshot('invitation-accepted');
    // Back on the list, it is a member and has nothing left to answer; the number page still takes a link from a mail.
    await page.getByRole('menuitem', { name: 'Clinics' }).click();
    await page.getByRole('cell', { name: clinicName }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: /^Accept the invitation/ }).count()).toBe(0);
    await page.goto(`${base}/admin/clinic-invitation?clinic=${clinic}`);
    await expect.poll(() => page.getByLabel('Clinic number').inputValue()).toBe(String(clinic));

    // As staff, the account registers a patient in the clinic (through the API).
    const patient = await t
      .as(staff)
      .post('/api/patients/')
      .send({ name: `Ada ${uniqueName('patient')}`, clinic });
    expect(patient.status).toBe(201);

    // The manager makes the staff member a clinician...
    await browser.signOut();
    await browser.signIn(manager);
    await page.goto(`${base}/admin/clinics/${clinic}/show/members`);
    await page.getByLabel(`Role of ${staff.username}`).selectOption('clinician');
    await page.getByText(`The role of ${staff.username} is changed.`).waitFor();
    await expect.poll(async () => (await membersOf(manager, clinic)).find((member) => member.user === staff.id)?.role).toBe('clinician');
    await screenshot('role-changed');

    // ...and cannot demote itself, the last manager: the API's 409, in words.
    await page.getByLabel(`Role of ${manager.username}`).selectOption('staff');
    await page.getByText(LAST_MANAGER).waitFor();
    await screenshot('last-manager');
    expect((await membersOf(manager, clinic)).find((member) => member.user === manager.id)?.role).toBe('manager');
    await expect.poll(() => page.getByLabel(`Role of ${manager.username}`).inputValue()).toBe('manager');

    // The clinic's trail shows the patient the staff member registered.
    await page.getByRole('tab', { name: 'Audit' }).click();
    await page.getByRole('row').filter({ hasText: 'invite' }).filter({ hasText: 'clinic_member' }).waitFor();
    await screenshot('clinic-audit');
    // Its filters: the patients' entries only, among them the registration by the staff member.
    await page.getByRole('combobox', { name: 'Entity' }).click();
    await page.getByRole('option', { name: 'patient', exact: true }).click();
    await page.getByRole('row').filter({ hasText: 'clinic_member' }).first().waitFor({ state: 'detached' });
    const created = page.getByRole('row').filter({ hasText: 'create' }).filter({ hasText: 'patient' });
    await created.waitFor();
    expect(await created.getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining([String(staff.id), 'create', 'patient', String(patient.body.id), 'Success']),
    );
    await screenshot('clinic-audit-patients');

    // The one error the browser logs is the 409.
    const unexpected = problems.filter((problem) => !/status of 409/.test(problem));
    expect(unexpected).toEqual([]);
    expect(problems.filter((problem) => /status of 409/.test(problem))).toHaveLength(1);
  }, 120_000);

  it('lets an admin find an account, mail it a reset link, end its sessions, deactivate it, make an account, and filter the audit log', async () => {
    browser.reportFailures();
    problems.length = 0;
    const { page, base } = browser;
    // A clinic's staff member with a patient, made through the API.
    const manager = await t.newUser();
    const staff = await t.newUser({ role: 'doctor' });
    const clinic = (
      await t
        .as(manager)
        .post('/api/clinics/')
        .send({ name: `Lakeside ${uniqueName('clinic')}`, timezone: 'UTC' })
    ).body.id as number;
    expect((await t.as(manager).post(`/api/clinics/${clinic}/members/`).send({ user: staff.id, role: 'staff' })).status).toBe(201);
    expect((await t.as(staff).post(`/api/clinics/${clinic}/membership/accept/`)).status).toBe(200);
    const patient = await t
      .as(staff)
      .post('/api/patients/')
      .send({ name: `Grace ${uniqueName('patient')}`, clinic });
    expect(patient.status).toBe(201);

    // The admin signs in with its second factor.
    const admin = await t.newAdmin();
    const secret = await enableMfa(t, admin);
    if (page.url().startsWith(base) && !page.url().endsWith('/login')) await browser.signOut();
    await browser.signIn(admin, secret);

    // Accounts: search finds the staff member.
    await page.getByRole('menuitem', { name: 'Accounts' }).click();
    // The list searches on the server (`search`).
    await page.getByRole('cell', { name: manager.email }).waitFor();
    await page.getByRole('textbox', { name: 'Search' }).fill(staff.username);
    await page.getByRole('cell', { name: staff.email }).waitFor();
    await page.getByRole('cell', { name: manager.email }).waitFor({ state: 'detached' });
    await screenshot('accounts-search');
    await page.getByRole('cell', { name: staff.username, exact: true }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/accounts/${staff.id}/show`);

    // A password reset mail, said first, then the API's 202.
    await page.getByRole('button', { name: 'Send password reset mail' }).click();
    await page.getByRole('dialog').getByText(`Mail ${staff.username} a password reset link?`).waitFor();
    await screenshot('reset-confirm');
    const answer = page.waitForResponse((response) => response.url().endsWith(`/api/users/${staff.id}/password-reset/`));
    await page.getByRole('button', { name: 'Confirm' }).click();
    expect((await answer).status()).toBe(202);
    await page.getByText(`The reset mail to ${staff.username} is on its way.`).waitFor();
    await smtp.waitForMail(staff.email, /Reset your password/);
    await screenshot('reset-sent');

    // End its sessions: its refresh token stops working.
    await page.getByRole('button', { name: 'End sessions' }).click();
    await page.getByRole('dialog').getByText(`End every session of ${staff.username}?`).waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(`Every session of ${staff.username} is over.`).waitFor();
    expect((await t.http().post('/api/auth/token/refresh/').send({ refresh: staff.refresh })).status).toBe(401);

    // Deactivate it: it can no longer log in.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Active').uncheck();
    await screenshot('account-deactivate');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Element updated').waitFor();
    expect((await t.as(admin).get(`/api/users/${staff.id}/`)).body).toMatchObject({ is_active: false, role: 'doctor' });
    expect((await t.http().post('/api/auth/login/').send({ email: staff.email, password: staff.password })).status).toBe(401);
    await screenshot('account-deactivated');

    // An account made through the form: its owner is mailed a link to choose a password.
    await page.getByRole('menuitem', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Create' }).click();
    const made = uniqueName('made');
    await field('Email').fill(`${made}@clinic.example`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Made By Admin');
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Doctor' }).click();
    await screenshot('account-create');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.url()).toMatch(/\/admin\/accounts\/\d+\/show$/);
    const madeId = Number(/\/accounts\/(\d+)\/show$/.exec(page.url())?.[1]);
    expect((await t.as(admin).get(`/api/users/${madeId}/`)).body).toMatchObject({
      email: `${made}@clinic.example`,
      name: 'Made By Admin',
      role: 'doctor',
      is_active: true,
    });
    await smtp.waitForMail(`${made}@clinic.example`, /account was made for you/);
    await screenshot('account-created');

    // The audit log, filtered to patients, shows the one the staff member registered.
    await page.getByRole('menuitem', { name: 'Audit log' }).click();
    await page.getByRole('combobox', { name: 'Entity' }).click();
    await page.getByRole('option', { name: 'patient', exact: true }).click();
    await expect.poll(() => page.url()).toContain('entity');
    await page.getByRole('row').filter({ hasText: 'clinic_member' }).first().waitFor({ state: 'detached' });
    const row = page
      .getByRole('row')
      .filter({ hasText: 'create' })
      .filter({ has: page.getByRole('cell', { name: String(patient.body.id), exact: true }) })
      .filter({ hasText: staff.username });
    await row.waitFor();
    expect(await row.getByRole('cell').allTextContents()).toEqual(
      expect.arrayContaining([staff.username, 'create', 'patient', String(patient.body.id), 'Success', String(clinic)]),
    );
    // Entries from an hour ago on (the picker's local time, sent as an instant) keep it; from an hour ahead, none.
    const local = (offsetMs: number) => {
      const at = new Date(Date.now() + offsetMs - new Date().getTimezoneOffset() * 60_000);
      return at.toISOString().slice(0, 16);
    };
    await page.getByLabel('From').fill(local(-3_600_000));
    await expect.poll(() => decodeURIComponent(page.url())).toMatch(/"from":"\d{4}-\d\d-\d\dT[\d:.]+Z"/);
    await row.waitFor();
    await screenshot('audit-log-patients');
    await page.getByLabel('From').fill(local(3_600_000));
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('From').fill(local(-3_600_000));
    await row.waitFor();
    // A row opens to its details: the names of the fields the registration set.
    await row.click();
    await page.getByText('Changed fields').waitFor();
    await page.getByText(/^(\w+, )*name(, \w+)*$/).waitFor();
    await screenshot('audit-entry');

    expect(problems).toEqual([]);
  }, 120_000);
});
