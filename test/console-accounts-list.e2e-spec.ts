import { beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../src/core/auth/role';
import { User } from '../src/users/user.entity';
import { useConsole } from './support/console';
import { uniqueName, useTestApp } from './support/test-app';

/** The console's Accounts page, in Chromium: the API searches, filters, orders and pages the accounts. */
describe('the Accounts page asks the API for one page at a time (e2e)', () => {
  const t = useTestApp();
  const browser = useConsole(t, 'users-list');
  const tag = uniqueName('acc');

  beforeAll(async () => {
    // 30 tagged accounts, one deactivated doctor in every three: more than a page of 25. The names
    // are shuffled, so that no order by username is one by id.
    for (let i = 0; i < 30; i++) {
      const username = `${tag}n${String((i * 7 + 5) % 30).padStart(2, '0')}`;
      await t.db.getRepository(User).save({
        username,
        email: `${username}@clinic.example`,
        passwordHash: 'not-a-hash',
        role: i % 3 === 0 ? Role.Doctor : Role.Patient,
        isActive: i % 3 !== 0,
      });
    }
  });

  it('pages, searches, filters and sorts on the server', async () => {
    browser.reportFailures();
    const { page } = browser;
    const asked: URLSearchParams[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/users/') asked.push(url.searchParams);
    });
    const lastAsked = () => Object.fromEntries(asked.at(-1) ?? []);
    const admin = await t.newAdmin();
    await browser.signIn(admin);

    // The newest accounts first, one page of 25.
    await page.getByRole('menuitem', { name: 'Accounts' }).click();
    await page.getByRole('cell', { name: admin.email }).waitFor();
    expect(lastAsked()).toEqual({ page: '1', page_size: '25', ordering: '-id' });
    const total = await t.db.getRepository(User).count();
    await page.getByText(`1-25 of ${total}`).waitFor();

    // The search is the API's: 30 accounts match, 25 on the page.
    await page.getByRole('textbox', { name: 'Search' }).fill(tag);
    await page.getByText('1-25 of 30').waitFor();
    expect(lastAsked()).toMatchObject({ search: tag, ordering: '-id' });
    await page.getByRole('cell', { name: `${tag}n29`, exact: true }).waitFor();

    // A role and the deactivated ones: n05, n26, n17, … n14 (newest).
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Doctor' }).click();
    await page.getByText('1-10 of 10').waitFor();
    expect(lastAsked()).toMatchObject({ search: tag, role: 'doctor' });
    await page.getByRole('combobox', { name: 'Active' }).click();
    await page.getByRole('option', { name: 'No' }).click();
    await expect.poll(lastAsked).toMatchObject({ search: tag, role: 'doctor', is_active: 'false' });
    await page.getByText('1-10 of 10').waitFor();
    await expect.poll(async () => (await page.getByRole('row').nth(1).getByRole('cell').nth(1).textContent())?.trim()).toBe(`${tag}n14`);

    // Sorted by username, by the API.
    await page.getByRole('columnheader', { name: 'Username' }).getByRole('button').click();
    await expect.poll(() => lastAsked().ordering).toBe('username');
    await expect.poll(async () => (await page.getByRole('row').nth(1).getByRole('cell').nth(1).textContent())?.trim()).toBe(`${tag}n02`);
    await page.getByRole('columnheader', { name: 'Username' }).getByRole('button').click();
    await expect.poll(() => lastAsked().ordering).toBe('-username');
    await expect.poll(async () => (await page.getByRole('row').nth(1).getByRole('cell').nth(1).textContent())?.trim()).toBe(`${tag}n29`);
    await browser.screenshot('accounts-filtered-sorted');
    expect(asked.every((query) => query.get('page_size') === '25')).toBe(true);
    expect(browser.problems).toEqual([]);
  });
});
