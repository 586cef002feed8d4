import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFailed } from 'vitest';
import type { TestApp, TestUser } from './test-app';

/** Debian's Chromium: no test downloads a browser (.ci/run installs the package). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CONSOLE_INDEX = join(__dirname, '..', '..', 'admin', 'dist', 'index.html');

/** The TOTP code of `secret`, `steps` periods of 30 s from now. */
export const totp = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** Turns two-factor authentication on for `user` through the API; returns its secret. The current period's code is left for the login. */
export async function enableMfa(t: TestApp, user: TestUser): Promise<string> {
  // The previous period's code is accepted for 30 s into the next: not so close to a period's end
  // that it is two periods old when it arrives.
  const intoPeriod = (Date.now() / 1000) % 30;
  if (intoPeriod > 25) await new Promise((resolve) => setTimeout(resolve, (30 - intoPeriod) * 1000 + 200));
  const setup = await t.as(user).post('/api/auth/mfa/totp/setup/');
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  const enabled = await t
    .as(user)
    .post('/api/auth/mfa/totp/enable/')
    .send({ code: await totp(secret, -1) });
  expect(enabled.status).toBe(200);
  return secret;
}

export interface ConsoleBrowser {
  /** The service's origin, e.g. http://127.0.0.1:41234. */
  readonly base: string;
  readonly page: Page;
  /** What the browser logged as errors, and the scripts' uncaught exceptions. */
  readonly problems: string[];
  /** Saves the page as the suite's next numbered screenshot. */
  screenshot: (name: string) => Promise<unknown>;
  /** A form's text field by its label. */
  field: (label: string) => ReturnType<Page['getByRole']>;
  /** Signs `user` in through the login form (and its MFA step when `secret` is given); waits for the first page after it. */
  signIn(user: TestUser, secret?: string): Promise<void>;
  /** Signs out through the user menu, back to the login form. */
  signOut(): Promise<void>;
  /** Call in a test: on its failure, a screenshot and the browser's errors so far. */
  reportFailures(): void;
}

/**
 * The console served by `t`'s app, in a fresh headless Chromium profile for the suite, with its
 * screenshots in `test-results/console/<folder>/`. Call it at the top of a describe block, after
 * useTestApp. On a failed test it saves a screenshot and prints what the browser logged.
 */
export function useConsole(t: TestApp, folder: string): ConsoleBrowser {
  const screenshots = join(__dirname, '..', '..', 'test-results', 'console', folder);
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let step = 0;
  const problems: string[] = [];
  const browser = {
    base: '',
    page: undefined as unknown as Page,
    problems,
    screenshot: (name: string) => browser.page.screenshot({ path: join(screenshots, `${String(++step).padStart(2, '0')}-${name}.png`) }),
    field: (label: string) => browser.page.getByRole('textbox', { name: label }),
    async signIn(user: TestUser, secret?: string) {
      const page = browser.page;
      await page.goto(`${browser.base}/admin/login`);
      // Whatever session an earlier test left (one that failed before signing out would send the
      // login page on to the dashboard): each test signs in on a clean slate.
      if (await page.evaluate('sessionStorage.length > 0')) {
        await page.evaluate('sessionStorage.clear()');
        await page.goto(`${browser.base}/admin/login`);
      }
      // The first load parses the whole bundle: seconds on a busy machine.
      await page.getByLabel('Username or email').fill(user.email, { timeout: 45_000 });
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      if (secret) {
        await page.getByLabel('Authentication code').fill(await totp(secret));
        await page.getByRole('button', { name: 'Verify' }).click();
      }
      await expect.poll(() => page.url()).not.toMatch(/\/admin\/login$/);
    },
    async signOut() {
      const page = browser.page;
      // The app bar, with the user menu, hides when the page is scrolled down.
      await page.evaluate('window.scrollTo(0, 0)');
      await page.getByRole('button', { name: 'Profile' }).click();
      await page.getByRole('menuitem', { name: 'Logout' }).click();
      await page.getByLabel('Username or email').waitFor();
    },
    reportFailures() {
      onTestFailed(async () => {
        await browser.page.screenshot({ path: join(screenshots, 'failure.png') });
        console.error(`The browser's errors so far:\n${problems.join('\n')}`);
      });
    },
  };

  beforeAll(async () => {
    if (!existsSync(CONSOLE_INDEX))
      throw new Error('admin/dist is missing: run `npm run build` (or `npm run build:admin`) before this test');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
    await t.app.listen(0, '127.0.0.1');
    browser.base = await t.app.getUrl();
    mkdirSync(screenshots, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'hc-console-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    browser.page = context.pages()[0] ?? (await context.newPage());
    browser.page.setDefaultTimeout(15_000);
    browser.page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    browser.page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}
