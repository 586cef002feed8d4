import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { mayManageWebhook, webhooksListed } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import type { SecretBox } from '../auth/mfa/secret-box';
import { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { ConflictError, InvalidFieldError, NotFoundError } from '../core/errors';
import { assertIfMatch } from '../core/http/etag';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import {
  ListWebhookDeliveriesQuery,
  ReplayResultDto,
  ReplayWebhookDto,
  toWebhookDeliveryDto,
  WebhookDeliveryDto,
} from './dto/delivery.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { toWebhookDto, WebhookDto, WebhookWithSecretDto } from './dto/webhook.dto';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { newWebhookSecret, webhookSecretBox } from './webhook-signer';
import { checkWebhookUrl } from './webhook-url';
import { WebhooksRepository } from './webhooks.repository';

const NOT_FOUND = 'Webhook not found.';
const NOT_YOUR_CLINIC = 'No clinic where you are a manager has this id.';
const NOT_ACTIVE = 'The webhook is not active: turn it on (PATCH `active`) first.';
/** The most deliveries one replay makes: a wider window is split into several. */
export const MAX_REPLAY = 10_000;

/** Webhook endpoints and their delivery log; who may do what is for access/access.policy.ts to say. */
@Injectable()
export class WebhooksService {
  private readonly box: SecretBox;

  constructor(
    // Only for transactions and the manager outside one: every statement is in WebhooksRepository.
    @InjectDataSource() private readonly db: DataSource,
    @InjectAppConfig() private readonly config: AppConfig,
    private readonly webhooks: WebhooksRepository,
    private readonly dispatcher: WebhookDispatcher,
    private readonly audit: AuditService,
  ) {
    this.box = webhookSecretBox(config.mfa.encryptionKey);
  }

  async create(dto: CreateWebhookDto, user: AuthUser): Promise<WebhookWithSecretDto> {
    const clinicId = dto.clinic ?? null;
    if (!mayManageWebhook(user, { clinicId })) {
      throw InvalidFieldError.of(
        'clinic',
        clinicId === null ? 'Name the clinic whose events the webhook gets (`clinic`).' : NOT_YOUR_CLINIC,
      );
    }
    const url = await checkWebhookUrl(dto.url, this.config.webhooks.allowPrivate);
    const secret = newWebhookSecret();
    const endpoint = await this.db.transaction(async (manager) => {
      // An admin may name any clinic: one that exists.
      if (clinicId !== null && !(await this.webhooks.clinicExists(manager, clinicId))) {
        throw InvalidFieldError.of('clinic', 'No clinic has this id.');
      }
      const id = await this.webhooks.nextEndpointId(manager);
      const endpoint = await this.webhooks.insertEndpoint(manager, id, {
        url,
        events: dto.events,
        clinicId,
        description: dto.description ?? '',
        secret: this.box.seal(secret, id),
        createdById: user.id,
      });
      const changed = ['url', 'events', ...(clinicId !== null ? ['clinic'] : []), ...(dto.description ? ['description'] : [])];
      await this.audit.of(user, 'webhook', clinicId ?? undefined).changed(manager, 'create', id, changed);
      return endpoint;
    });
    return { ...toWebhookDto(endpoint), secret };
  }

  async list(query: PageQueryDto, user: AuthUser): Promise<Page<WebhookDto>> {
    const page = await this.webhooks.findEndpointsPage(query, webhooksListed(user));
    return page.map(toWebhookDto);
  }

  async get(id: number, user: AuthUser): Promise<WebhookDto> {
    return toWebhookDto(await this.seen(this.db.manager, id, user));
  }

  async update(id: number, dto: UpdateWebhookDto, user: AuthUser, ifMatch?: string): Promise<WebhookDto> {
    const url = dto.url === undefined ? undefined : await checkWebhookUrl(dto.url, this.config.webhooks.allowPrivate);
    const endpoint = await this.db.transaction(async (manager) => {
      const endpoint = await this.seen(manager, id, user, true);
      assertIfMatch(ifMatch, endpoint.version);
      const changed: string[] = [];
      if (url !== undefined && url !== endpoint.url) {
        endpoint.url = url;
        changed.push('url');
      }
      if (dto.events !== undefined && !sameSet(dto.events, endpoint.events)) {
        endpoint.events = dto.events;
        changed.push('events');
      }
      if (dto.description !== undefined && dto.description !== endpoint.description) {
        endpoint.description = dto.description;
        changed.push('description');
      }
      if (dto.active !== undefined && dto.active !== endpoint.isActive) {
        endpoint.isActive = dto.active;
        // Turned on again: it starts afresh; the failures that disabled it stay in the delivery log.
        if (dto.active) Object.assign(endpoint, { consecutiveFailures: 0, disabledAt: null });
        changed.push('active');
      }
      if (changed.length === 0) return endpoint;
      const saved = await this.webhooks.updateEndpoint(manager, endpoint);
      await this.audit.of(user, 'webhook', endpoint.clinicId ?? undefined).changed(manager, 'update', id, changed);
      return saved;
    });
    return toWebhookDto(endpoint);
  }

  /** Deletes an endpoint: no more deliveries; its row and its deliveries stay on record, out of every answer. */
  async remove(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const endpoint = await this.seen(manager, id, user, true);
      Object.assign(endpoint, { isActive: false, deletedAt: new Date() });
      await this.webhooks.updateEndpoint(manager, endpoint);
      await this.audit.of(user, 'webhook', endpoint.clinicId ?? undefined).changed(manager, 'delete', id);
    });
  }

  /** A new secret; the current one keeps signing beside it for WEBHOOK_SECRET_OVERLAP (an older one stops now). */
  async rotate(id: number, user: AuthUser): Promise<WebhookWithSecretDto> {
    const secret = newWebhookSecret();
    const endpoint = await this.db.transaction(async (manager) => {
      const endpoint = await this.seen(manager, id, user, true);
      const overlap = this.config.webhooks.secretOverlapSeconds;
      Object.assign(endpoint, {
        previousSecret: overlap > 0 ? endpoint.secret : null,
        previousSecretExpiresAt: overlap > 0 ? new Date(Date.now() + overlap * 1000) : null,
        secret: this.box.seal(secret, id),
      });
      const saved = await this.webhooks.updateEndpoint(manager, endpoint);
      await this.audit.of(user, 'webhook', endpoint.clinicId ?? undefined).changed(manager, 'rotate', id, ['secret']);
      return saved;
    });
    return { ...toWebhookDto(endpoint), secret };
  }

  async deliveries(id: number, query: ListWebhookDeliveriesQuery, user: AuthUser): Promise<Page<WebhookDeliveryDto>> {
    await this.seen(this.db.manager, id, user);
    const page = await this.webhooks.findDeliveriesPage(id, query, query.status);
    return page.map(toWebhookDeliveryDto);
  }

  /** Sends a delivery again (same `webhook-id`), with a fresh retry window, whatever became of it. */
  async retry(id: number, deliveryId: string, user: AuthUser): Promise<WebhookDeliveryDto> {
    const row = await this.db.transaction(async (manager) => {
      const endpoint = await this.seen(manager, id, user);
      if (!endpoint.isActive) throw new ConflictError(NOT_ACTIVE);
      const row = await this.webhooks.resetDelivery(manager, id, deliveryId, this.config.webhooks.retryForSeconds);
      if (!row) throw new NotFoundError('No such delivery of this webhook.');
      await this.dispatcher.enqueue(manager, [row.id]);
      return row;
    });
    return toWebhookDeliveryDto(row);
  }

  /** New deliveries (new `webhook-id`s) of the events in [from, to) the endpoint takes. */
  async replay(id: number, dto: ReplayWebhookDto, user: AuthUser): Promise<ReplayResultDto> {
    const from = new Date(dto.from);
    const to = new Date(dto.to);
    if (!(from < to)) throw InvalidFieldError.of('to', 'to must be later than from');
    const ids = await this.db.transaction(async (manager) => {
      const endpoint = await this.seen(manager, id, user);
      if (!endpoint.isActive) throw new ConflictError(NOT_ACTIVE);
      const count = await this.webhooks.countReplayable(manager, endpoint, from, to);
      if (count > MAX_REPLAY) {
        throw InvalidFieldError.of('from', `The window holds ${count} events; replay at most ${MAX_REPLAY} at once (a narrower window).`);
      }
      const ids = await this.webhooks.insertReplay(manager, endpoint, from, to, this.config.webhooks.retryForSeconds, MAX_REPLAY);
      await this.dispatcher.enqueue(manager, ids);
      return ids;
    });
    return { deliveries: ids.length };
  }

  /** The endpoint if the caller may see it (and so manage it), else 404 as for a missing one. */
  private async seen(manager: EntityManager, id: number, user: AuthUser, lock = false): Promise<WebhookEndpoint> {
    const endpoint = await this.webhooks.findEndpoint(manager, id, lock);
    if (!endpoint || !mayManageWebhook(user, endpoint)) throw new NotFoundError(NOT_FOUND);
    return endpoint;
  }
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));
