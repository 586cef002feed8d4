import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SecretBox } from '../auth/mfa/secret-box';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { EventsService } from '../events/events.service';
import { Job, JobQueue } from '../jobs/job-queue';
import { Mailer } from '../mail/mailer';
import { payloadOf, webhookIdOf } from './dto/delivery.dto';
import { webhookDisabledMail } from './webhook-mails';
import { sendDelivery, type AttemptResult } from './webhook-sender';
import { signatureOf, webhookSecretBox } from './webhook-signer';
import { ClaimedDelivery, WebhooksRepository } from './webhooks.repository';

export interface DeliveryJob {
  delivery: string;
}

/** How much longer than the receiver's timeout an attempt's lease lasts: its statements before and after. */
const LEASE_MARGIN_MS = 2_000;
/** How much longer than that a job may run before the queue takes its process for dead and runs it again. */
const EXPIRY_MARGIN_SECONDS = 5;

/** A failed attempt, thrown so the queue retries the delivery on its timetable. */
class AttemptFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttemptFailed';
  }
}

/**
 * Webhook deliveries, from the event to the receiver. In the transaction that emits events, the
 * fan-out writes a delivery per matching endpoint and a job per delivery, so both commit with the
 * change (a crash after the commit loses nothing: the job runs when a worker is back). A job is
 * one attempt: a failure throws, and the queue runs it again with exponential backoff and jitter
 * until the delivery's retry window closes. The delivery's row, not the job, says what happened:
 * an attempt leases it (no two workers send one delivery at once), a succeeded or failed delivery
 * is not sent again when a job of it runs again.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit {
  private readonly logger = new Logger('Webhooks');
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly webhooks: WebhooksRepository,
    private readonly events: EventsService,
    private readonly jobs: JobQueue,
    private readonly mailer: Mailer,
  ) {
    this.box = webhookSecretBox(config.mfa.encryptionKey);
  }

  onModuleInit(): void {
    // Every event's deliveries and their jobs are written by the event's own INSERT: no round trip of their own.
    const { retryForSeconds, retryBaseSeconds } = this.config.webhooks;
    const fanOut = this.webhooks.fanOutSql(retryForSeconds, retryBaseSeconds, this.expireInSeconds);
    this.events.onWritten(() => fanOut);
    this.jobs.work<DeliveryJob>('webhook-delivery', (job) => this.attempt(job));
  }

  /** How long an attempt's job may run before the queue takes its process for dead and runs it again. */
  private get expireInSeconds(): number {
    return Math.ceil(this.config.webhooks.timeoutMs / 1000) + EXPIRY_MARGIN_SECONDS;
  }

  /** A job for each delivery, in the transaction of `manager`. */
  async enqueue(manager: EntityManager, deliveryIds: string[]): Promise<void> {
    await this.jobs.enqueue<DeliveryJob>(
      manager,
      'webhook-delivery',
      deliveryIds.map((delivery) => ({
        data: { delivery },
        retryDelaySeconds: this.config.webhooks.retryBaseSeconds,
        expireInSeconds: this.expireInSeconds,
      })),
    );
  }

  /** One attempt of one delivery. */
  private async attempt(job: Job<DeliveryJob>): Promise<void> {
    const id = job.data.delivery;
    const { timeoutMs, allowPrivate } = this.config.webhooks;
    const claimed = await this.webhooks.claim(id, timeoutMs + LEASE_MARGIN_MS);
    if (!claimed) {
      // Another attempt holds it: this job tries again later, and finds it settled or free.
      if ((await this.webhooks.findStatus(id)) === 'pending') throw new AttemptFailed(`delivery ${id} is being attempted elsewhere`);
      return; // succeeded, failed or gone: nothing to send
    }
    if (!claimed.isActive) {
      await this.record(claimed, { ok: false, statusCode: null, error: 'the webhook is not active' }, { counts: false, giveUp: true });
      return;
    }
    const secrets = this.secretsOf(claimed);
    if (secrets.length === 0) {
      // A changed MFA_ENCRYPTION_KEY: nothing to sign with until the key is put back or the secret rotated.
      await this.record(claimed, { ok: false, statusCode: null, error: 'the signing secret does not open' }, { counts: false });
      throw new AttemptFailed(`delivery ${id}: the signing secret does not open`);
    }
    const webhookId = webhookIdOf(claimed.id);
    const body = JSON.stringify(payloadOf(claimed));
    const at = new Date();
    const result = await sendDelivery({
      url: claimed.url,
      body,
      timeoutMs,
      allowPrivate,
      headers: {
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signatureOf(secrets, webhookId, at, body),
      },
    });
    const status = await this.record(claimed, result, { counts: true });
    if (status === 'pending') throw new AttemptFailed(`delivery ${id}: ${result.error}`);
  }

  /** Writes the attempt's outcome and what follows for the endpoint, in one transaction; the delivery's status. */
  private async record(claimed: ClaimedDelivery, result: AttemptResult, how: { counts: boolean; giveUp?: boolean }) {
    return this.db.transaction(async (manager) => {
      const status = await this.webhooks.recordAttempt(manager, claimed.id, { ...result, ...how });
      if (status === 'succeeded') await this.webhooks.endpointSucceeded(manager, claimed.endpointId);
      if (status === 'failed' && how.counts) {
        const { disableAfterFailures } = this.config.webhooks;
        const disabled = await this.webhooks.endpointFailed(manager, claimed.endpointId, disableAfterFailures);
        this.logger.warn(
          { endpoint: claimed.endpointId, delivery: claimed.id, disabled: disabled !== null },
          'Webhook delivery failed for good',
        );
        if (disabled) {
          this.mailer.sendAfterCommit(
            manager,
            webhookDisabledMail(disabled.email, claimed.endpointId, disableAfterFailures, this.config.mail.publicUrl),
          );
        }
      }
      return status;
    });
  }

  /** The secrets that sign: the current one and, during a rotation's overlap, the previous one. */
  private secretsOf(claimed: ClaimedDelivery): string[] {
    return [claimed.secret, claimed.previousSecret]
      .filter((sealed): sealed is string => sealed !== null)
      .map((sealed) => this.box.open(sealed, claimed.endpointId))
      .filter((secret): secret is string => secret !== null);
  }
}
