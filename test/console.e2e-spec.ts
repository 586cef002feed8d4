import { expect, it, describe } from 'vitest';
import { CONSOLE_CSP } from '../src/core/http/console';
import { enableMfa, totp, useConsole } from './support/console';
import { uniqueName, useTestApp, type TestUser } from './support/test-app';

const STALE_MESSAGE = 'Someone changed this record since you opened it';

/**
 * The console served at /admin, driven in a real browser against the real service: a staff member
 * logs in through the form (with the MFA step), finds a patient made through the API, registers one, edits it, and
 * sees the 412 message when another session changed it meanwhile; the browser logs no error and
 * no CSP violation on the way.
 */
describe('the console at /admin, in Chromium (e2e)', () => {
  const t = useTestApp();
  const browser = useConsole(t, 'foundation');
  const { field, screenshot, problems } = browser;

  it('serves the app with its own CSP, index.html for client-side routes, and a 404 for a missing file', async () => {
    const redirect = await t.http().get('/admin');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/admin/');

    const route = await t.http().get('/admin/patients/42/show');
    expect(route.status).toBe(200);
    expect(route.headers['content-type']).toMatch(/^text\/html/);
    expect(route.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(route.text).toContain('<div id="root"></div>');
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(route.text)?.[1];
    expect(script).toBeDefined();

    const asset = await t.http().get(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');

    const missing = await t.http().get('/admin/assets/missing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);

    // The files are public; the API behind them is not.
    expect((await t.http().get('/api/patients/')).status).toBe(401);
  });

  it('logs in, lists, creates and edits a patient, and shows the 412 when another session changed it', async () => {
    browser.reportFailures();
    const { page, base } = browser;
    const staff: TestUser = await t.newUser();
    const secret = await enableMfa(t, staff);
    const apiName = `Ada ${uniqueName('api')}`;
    const made = await t.as(staff).post('/api/patients/').send({ name: apiName, phone: '+15550100' });
    expect(made.status).toBe(201);

    // Not signed in: the console shows its login form. Sign in by email, then the code.
    let navigations = 0;
    const countNavigation = () => navigations++;
    page.on('framenavigated', countNavigation);
    await page.goto(`${base}/admin`);
    // The first load parses the whole bundle: seconds on a busy machine.
    await page.getByLabel('Username or email').fill(staff.email, { timeout: 45_000 });
    page.off('framenavigated', countNavigation);
    // /admin/, then the login page: not the redirect loop a silent checkAuth failure once caused.
    expect(navigations).toBeLessThan(10);
    await page.getByLabel('Password').fill(staff.password);
    await screenshot('login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Authentication code').fill(await totp(secret));
    await screenshot('login-code');
    await page.getByRole('button', { name: 'Verify' }).click();

    // The dashboard first, then the patients list, with the one made through the API.
    await expect.poll(() => page.url()).toMatch(new RegExp(`^${base}/admin/?$`));
    await page.getByRole('menuitem', { name: 'Patients' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/patients`);
    await page.getByText(apiName).waitFor();
    await screenshot('patients-list');

    // Register a patient through the form.
    const formName = `Grace ${uniqueName('form')}`;
    await page.getByRole('link', { name: 'Create' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/patients/create`);
    await field('Name').fill(formName);
    await field('Email').fill('grace@clinic.example');
    await field('Phone').fill('+15550111');
    await screenshot('patient-create');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Edit' }).waitFor();
    const id = Number(/\/admin\/patients\/(\d+)\/show$/.exec(page.url())?.[1]);
    expect(id).toBeGreaterThan(0);
    const created = await t.as(staff).get(`/api/patients/${id}/`);
    expect(created.body).toMatchObject({ name: formName, email: 'grace@clinic.example', phone: '+15550111', created_by: staff.id });
    await screenshot('patient-show');

    // The list's search (`q`, the API's `search`) finds it and leaves the other out.
    await page.getByRole('menuitem', { name: 'Patients' }).click();
    await page.getByText(apiName).waitFor();
    await page.getByRole('textbox', { name: 'Search' }).fill(formName.split(' ')[1]);
    await page.getByText(apiName).waitFor({ state: 'detached' });
    await page.getByText(formName).waitFor();
    await screenshot('patients-search');
    await page.getByText(formName).click();

    // Edit it: the PATCH carries If-Match from the version the form opened with.
    await page.getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.url()).toBe(`${base}/admin/patients/${id}`);
    await field('Phone').fill('+15550122');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Element updated').waitFor();
    const edited = await t.as(staff).get(`/api/patients/${id}/`);
    expect(edited.body).toMatchObject({ name: formName, phone: '+15550122', version: created.body.version + 1 });
    await screenshot('patient-edited');

    // Open the form, let another session change the record, then save: 412, said in words.
    await page.goto(`${base}/admin/patients/${id}`);
    await expect.poll(() => field('Phone').inputValue()).toBe('+15550122');
    // The other session: the one registration opened.
    const meanwhile = await t.as(staff).patch(`/api/patients/${id}/`).send({ medical_history: 'Changed in another session' });
    expect(meanwhile.status).toBe(200);
    await field('Phone').fill('+15550133');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(STALE_MESSAGE).waitFor();
    await screenshot('patient-stale-version');
    const after = await t.as(staff).get(`/api/patients/${id}/`);
    expect(after.body).toMatchObject({ phone: '+15550122', medical_history: 'Changed in another session' });

    // The one error the browser logs is that 412 response; no script error, no CSP violation.
    const unexpected = problems.filter((problem) => !/status of 412/.test(problem));
    expect(unexpected).toEqual([]);
    expect(problems.filter((problem) => /status of 412/.test(problem))).toHaveLength(1);
  }, 120_000);
});
