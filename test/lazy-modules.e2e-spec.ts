import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase } from './support/database';
import { ServiceProcess } from './support/service-process';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { TEST_PASSWORD, uniqueName } from './support/test-app';

/**
 * Preloaded into the service: whenever the test drops the `ask` file, it writes the files of
 * every CommonJS module loaded so far (require.cache) to the `answer` file.
 */
const PROBE = `
const { existsSync, unlinkSync, writeFileSync } = require('node:fs');
const { MODULES_ASK: ask, MODULES_ANSWER: answer } = process.env;
setInterval(() => {
  if (!existsSync(ask)) return;
  unlinkSync(ask);
  writeFileSync(answer + '.tmp', JSON.stringify(Object.keys(require.cache)));
  require('node:fs').renameSync(answer + '.tmp', answer);
}, 20).unref();
`;

/** Packages only some requests need, so a start does not load (and compile) them. */
const LAZY = {
  nodemailer: '/node_modules/nodemailer/',
  otplib: '/node_modules/otplib/',
  'ical-generator': '/node_modules/ical-generator/',
  bcryptjs: '/node_modules/bcryptjs/',
  "unhomoglyph's table": '/node_modules/unhomoglyph/data.json',
  // Never in the service's own thread: a registration's strength check runs in a thread of its own.
  zxcvbn: '/node_modules/@zxcvbn-ts/',
};

describe('packages loaded at their first use, not at start (e2e)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-lazy-modules-'));
  const probe = join(dir, 'probe.cjs');
  const ask = join(dir, 'ask');
  const answer = join(dir, 'answer.json');
  writeFileSync(probe, PROBE);
  let database: TestDatabase;
  let smtp: TestSmtpServer;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await service?.stop('SIGTERM');
    await smtp?.close();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Which of LAZY the service has loaded by now. */
  async function loaded(): Promise<string[]> {
    rmSync(answer, { force: true });
    writeFileSync(ask, '');
    const deadline = Date.now() + 5_000;
    while (!existsSync(answer)) {
      if (Date.now() > deadline) throw new Error(`the service did not list its modules:\n${service?.log}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const files = JSON.parse(readFileSync(answer, 'utf8')) as string[];
    return Object.entries(LAZY)
      .filter(([, path]) => files.some((file) => file.replaceAll('\\', '/').includes(path)))
      .map(([name]) => name);
  }

  it('starts without them, and loads the mail transport and the confusables table at the first registration', async () => {
    service = await ServiceProcess.start(database.url, { SMTP_URL: smtp.url, MODULES_ASK: ask, MODULES_ANSWER: answer }, ['-r', probe]);
    expect(await loaded()).toEqual([]);

    const username = uniqueName('lazy');
    const email = `${username}@clinic.example`;
    const registered = await service.send('POST', '/api/auth/register/', { body: { username, email, password: TEST_PASSWORD } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    // The mail still goes out: the transport is made when it is first needed.
    await smtp.waitForMail(email, /Confirm your e-mail/);
    expect(await loaded()).toEqual(['nodemailer', "unhomoglyph's table"]);
  });
});
