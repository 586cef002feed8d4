import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Transporter } from 'nodemailer';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import type { Mail } from './mail';

/** Sends in all: the first try and three retries, waiting 1, 2 and 4 times the base in between. */
const ATTEMPTS = 4;
/** How long a shutdown waits for the mails still being sent. */
const SHUTDOWN_WAIT_MS = 5_000;

/** A recipient as the log shows it: enough to find the mail, not the whole address. */
const masked = (address: string) => address.replace(/^(.)[^@]*/, '$1***');

/**
 * Sends the service's mails. A mail asked for inside a transaction leaves only once that
 * transaction commits (a rolled-back reset sends nothing, a retried transaction sends once); a
 * failed send is logged and retried with backoff, and never fails the request that asked for it.
 * Without SMTP_URL (outside production only: the configuration insists on it there), a mail is
 * written to the log instead, so a newcomer can follow a reset link locally.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private smtp: Transporter | undefined;
  private readonly waiting = new WeakMap<QueryRunner, Mail[]>();
  private readonly sending = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    @InjectAppConfig() private readonly config: AppConfig,
    @InjectDataSource() db: DataSource,
  ) {
    db.subscribers.push(new MailsOnCommit(this.waiting, (mail) => this.send(mail)));
  }

  /** Sends `mail` once the transaction of `manager` commits; at once when there is none. */
  sendAfterCommit(manager: EntityManager, mail: Mail): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) return this.send(mail);
    const mails = this.waiting.get(runner) ?? [];
    mails.push(mail);
    this.waiting.set(runner, mails);
  }

  /** Sends `mail` in the background, retrying; the caller never waits for it nor sees it fail. */
  send(mail: Mail): void {
    if (this.stopped) {
      this.logger.warn({ subject: mail.subject, to: masked(mail.to) }, 'Mail not sent: the service is stopping');
      return;
    }
    const delivery = this.deliver(mail).finally(() => this.sending.delete(delivery));
    this.sending.add(delivery);
  }

  /**
   * Sends `mail` once and resolves when the SMTP server accepted it; rejects with the server's
   * answer (see `refusedForNow`) or the connection's failure, for a caller that keeps its own
   * record of what was sent (a reminder). Without SMTP_URL the mail is logged, and counts as sent.
   */
  async sendNow(mail: Mail): Promise<void> {
    const transport = this.transport();
    if (!transport) {
      this.logger.log({ to: mail.to, subject: mail.subject, link: mail.link }, 'Mail not sent (no SMTP_URL): written here instead');
      return;
    }
    await transport.sendMail(this.message(mail));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    const all = Promise.allSettled([...this.sending]);
    await Promise.race([all, sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false })]);
    this.smtp?.close();
  }

  /**
   * The SMTP transport, made at the first mail: nodemailer is some 36 modules that a service
   * start would otherwise load and compile before it is ready (it connects only to send anyway).
   * Null without SMTP_URL.
   */
  private transport(): Transporter | null {
    if (!this.config.mail.smtpUrl) return null;
    if (!this.smtp) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
      const { createTransport } = require('nodemailer') as typeof import('nodemailer');
      this.smtp = createTransport(this.config.mail.smtpUrl);
    }
    return this.smtp;
  }

  private message({ to, subject, text, html, attachments }: Mail) {
    return { from: this.config.mail.from, to, subject, text, html, attachments };
  }

  private async deliver(mail: Mail): Promise<void> {
    const { to, subject, link } = mail;
    const transport = this.transport();
    if (!transport) {
      this.logger.log({ to, subject, link }, 'Mail not sent (no SMTP_URL): written here instead');
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.sendMail(this.message(mail));
        return;
      } catch (error) {
        const failure = { subject, to: masked(to), attempt, error: (error as Error).message };
        if (attempt >= ATTEMPTS || this.stopped) {
          this.logger.error(failure, 'Mail not sent: giving up');
          return;
        }
        this.logger.warn(failure, 'Mail not sent: retrying');
        await sleep(this.config.mail.retryBaseMs * 2 ** (attempt - 1), undefined, { ref: false });
      }
    }
  }
}

/**
 * Whether a failed send was the SMTP server's temporary refusal (a 4xx answer, e.g. 451 "try
 * again later"): then it certainly did not take the mail, and sending it again cannot deliver it twice.
 */
export function refusedForNow(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 400 && code < 500;
}

/**
 * Hands the mails of a committed transaction over, and forgets those of a rolled-back one. They
 * wait for the outermost commit; a rollback at any depth drops them all, which is exact as long as
 * the service uses no savepoints (it does not), and errs on the side of not sending.
 */
export class MailsOnCommit implements EntitySubscriberInterface {
  constructor(
    private readonly waiting: WeakMap<QueryRunner, Mail[]>,
    private readonly send: (mail: Mail) => void,
  ) {}

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    if (queryRunner.isTransactionActive) return;
    const mails = this.waiting.get(queryRunner);
    this.waiting.delete(queryRunner);
    for (const mail of mails ?? []) this.send(mail);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    this.waiting.delete(queryRunner);
  }
}
