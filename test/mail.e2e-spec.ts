import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { composeMail } from '../src/mail/mail';
import { Mailer } from '../src/mail/mailer';
import { cloneTemplate } from './support/database';
import { startAppOn } from './support/instances';
import { startSmtpServer, type TestSmtpServer } from './support/smtp';
import { startTestApp, type TestApp } from './support/test-app';

const mailTo = (to: string, subject = 'Hello') =>
  composeMail({
    to,
    subject,
    paragraphs: ['Someone asked for this <b>mail</b>.'],
    action: { label: 'Open it', url: 'http://localhost:8000/x?token=abc' },
  });

describe('outgoing mail over SMTP (e2e)', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let mailer: Mailer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Clinic <no-reply@clinic.example>', MAIL_RETRY_BASE_MS: '20' });
    mailer = t.app.get(Mailer);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('sends plain text and HTML from MAIL_FROM, with user text escaped in the HTML', async () => {
    mailer.send(mailTo('plain@clinic.example'));
    const mail = await smtp.waitForMail('plain@clinic.example');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Clinic', address: 'no-reply@clinic.example' });
    expect(mail.subject).toBe('Hello');
    expect(mail.text).toContain('Open it: http://localhost:8000/x?token=abc');
    expect(mail.html).toContain('Someone asked for this &lt;b&gt;mail&lt;/b&gt;.');
    expect(mail.html).toContain('<a href="http://localhost:8000/x?token=abc">Open it</a>');
  });

  it('sends a mail asked for in a transaction only once it commits, and never when it rolls back', async () => {
    await t.db.transaction(async (manager) => {
      mailer.sendAfterCommit(manager, mailTo('committed@clinic.example'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(smtp.mails.some((mail) => mail.to && JSON.stringify(mail.to).includes('committed@'))).toBe(false);
    });
    await smtp.waitForMail('committed@clinic.example');

    await expect(
      t.db.transaction((manager) => {
        mailer.sendAfterCommit(manager, mailTo('rolled-back@clinic.example'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    mailer.send(mailTo('after-rollback@clinic.example'));
    await smtp.waitForMail('after-rollback@clinic.example');
    expect(smtp.mails.some((mail) => JSON.stringify(mail.to).includes('rolled-back@'))).toBe(false);
  });

  it('retries a refused mail with backoff until the server takes it', async () => {
    const before = smtp.refused();
    smtp.refuseNext(2);
    mailer.send(mailTo('retried@clinic.example'));
    await smtp.waitForMail('retried@clinic.example');
    expect(smtp.refused() - before).toBe(2);
    expect(smtp.mails.filter((mail) => JSON.stringify(mail.to).includes('retried@'))).toHaveLength(1);
  });
});

/** An app on a database of its own whose log lines land in `lines`; stopped and dropped after `use`. */
async function withLoggingApp(env: Record<string, string>, lines: string[], use: (mailer: Mailer) => Promise<void>): Promise<void> {
  const database = await cloneTemplate(inject('serverUrl'), inject('templateDatabase'));
  const app = await startAppOn(
    database.url,
    { LOG_LEVEL: 'info', ...env },
    { logDestination: { write: (line: string) => void lines.push(line) } },
  );
  try {
    await use(app.app.get(Mailer));
  } finally {
    await app.close();
    await database.drop();
  }
}

describe('mail that cannot be sent (e2e)', () => {
  it('gives up after four attempts, logging each, without the caller seeing it fail', async () => {
    const lines: string[] = [];
    const smtp = await startSmtpServer();
    try {
      await withLoggingApp({ SMTP_URL: smtp.url, MAIL_RETRY_BASE_MS: '10' }, lines, async (mailer) => {
        smtp.refuseNext(10);
        expect(() => mailer.send(mailTo('never@clinic.example', 'Refused'))).not.toThrow();
        await expect.poll(() => lines.filter((line) => line.includes('giving up')).length, { timeout: 5_000 }).toBe(1);
      });
      expect(lines.filter((line) => line.includes('Mail not sent: retrying'))).toHaveLength(3);
      expect(smtp.refused()).toBe(4);
      // The log names the mail, not the whole address.
      expect(lines.join('\n')).toContain('n***@clinic.example');
      expect(lines.join('\n')).not.toContain('never@clinic.example');
    } finally {
      await smtp.close();
    }
  });

  it('writes the mail with its link to the log when SMTP_URL is not set (outside production)', async () => {
    const lines: string[] = [];
    await withLoggingApp({}, lines, async (mailer) => {
      mailer.send(mailTo('local@clinic.example', 'Reset your password'));
      await expect.poll(() => lines.find((line) => line.includes('no SMTP_URL')), { timeout: 5_000 }).toBeDefined();
    });
    const entry = JSON.parse(lines.find((line) => line.includes('no SMTP_URL'))!) as Record<string, string>;
    expect(entry).toMatchObject({ to: 'local@clinic.example', subject: 'Reset your password', link: 'http://localhost:8000/x?token=abc' });
  });
});
