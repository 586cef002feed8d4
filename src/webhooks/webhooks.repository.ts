import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, query, selectOne, sql, type Sql } from '../core/database/sql';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { enqueueSql } from '../jobs/enqueue-sql';
import { DeliveryStatus, WebhookDelivery } from './webhook-delivery.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';

/** A delivery as its log shows it: the delivery and the event it carries. */
export interface DeliveryRow extends WebhookDelivery {
  eventType: string;
  eventClinicId: number | null;
  eventData: Record<string, unknown>;
  eventOccurredAt: Date;
}

/** What an attempt needs: the delivery's event and its endpoint's address and secrets. */
export interface ClaimedDelivery {
  id: string;
  endpointId: number;
  url: string;
  isActive: boolean;
  secret: string;
  previousSecret: string | null;
  eventType: string;
  eventClinicId: number | null;
  eventData: Record<string, unknown>;
  eventOccurredAt: Date;
}

/** The fields of an endpoint a write sets. */
export type EndpointFields = Pick<WebhookEndpoint, 'url' | 'events' | 'clinicId' | 'description' | 'secret' | 'createdById'>;

const EVENT_COLUMNS = sql`event.type AS "eventType", event.clinic_id AS "eventClinicId", event.data AS "eventData", event.occurred_at AS "eventOccurredAt"`;

/**
 * Every statement on webhook endpoints and deliveries, hand-written: the fan-out runs in every
 * booking's transaction (one statement when no endpoint matches), and the rest follow its style.
 * A write of an endpoint sets its version and `updated_at` itself, as the entity declares them.
 */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---- endpoints ----

  /** An id for a new endpoint, taken before its row is written so its secret can be sealed bound to it. */
  async nextEndpointId(manager: EntityManager): Promise<number> {
    const [{ id }] = await query<{ id: string }>(manager, sql`SELECT nextval(pg_get_serial_sequence('webhook_endpoints', 'id')) AS id`);
    return Number(id);
  }

  async insertEndpoint(manager: EntityManager, id: number, fields: EndpointFields): Promise<WebhookEndpoint> {
    const { url, events, clinicId, description, secret, createdById } = fields;
    const row = await selectOne<WebhookEndpoint>(
      manager,
      sql`INSERT INTO webhook_endpoints AS endpoint (id, url, events, clinic_id, description, secret, created_by_id)
          OVERRIDING SYSTEM VALUE
          VALUES (${id}, ${url}, ${events}::varchar[], ${clinicId}, ${description}, ${secret}, ${createdById})
          RETURNING ${columnsOf(manager, WebhookEndpoint, 'endpoint')}`,
    );
    return row!;
  }

  /** A live (not deleted) endpoint; with `lock`, its row locked for the caller's transaction. */
  findEndpoint(manager: EntityManager, id: number, lock = false): Promise<WebhookEndpoint | null> {
    return selectOne<WebhookEndpoint>(
      manager,
      sql`SELECT ${columnsOf(manager, WebhookEndpoint, 'endpoint')} FROM webhook_endpoints endpoint
          WHERE endpoint.id = ${id} AND endpoint.deleted_at IS NULL${lock ? sql` FOR UPDATE` : sql.empty}`,
    );
  }

  /** Writes the changeable fields of `endpoint` back, with a new version. */
  async updateEndpoint(manager: EntityManager, endpoint: WebhookEndpoint): Promise<WebhookEndpoint> {
    const e = endpoint;
    const row = await selectOne<WebhookEndpoint>(
      manager,
      sql`UPDATE webhook_endpoints endpoint SET url = ${e.url}, events = ${e.events}::varchar[], description = ${e.description},
            is_active = ${e.isActive}, secret = ${e.secret}, previous_secret = ${e.previousSecret},
            previous_secret_expires_at = ${e.previousSecretExpiresAt}, consecutive_failures = ${e.consecutiveFailures},
            disabled_at = ${e.disabledAt}, deleted_at = ${e.deletedAt}, version = endpoint.version + 1, updated_at = now()
          WHERE endpoint.id = ${e.id}
          RETURNING ${columnsOf(manager, WebhookEndpoint, 'endpoint')}`,
    );
    return row!;
  }

  /** One page of the live endpoints `visible` admits (over `endpoint`; all, when null), oldest first. */
  findEndpointsPage(page: PageQueryDto, visible: Sql | null): Promise<Page<WebhookEndpoint>> {
    const manager = this.db.manager;
    return selectPage<WebhookEndpoint>(
      manager,
      {
        select: columnsOf(manager, WebhookEndpoint, 'endpoint'),
        from: sql`webhook_endpoints endpoint`,
        where: [sql`endpoint.deleted_at IS NULL`, ...(visible ? [visible] : [])],
        orderBy: sql`endpoint.id ASC`,
      },
      page,
    );
  }

  async clinicExists(manager: EntityManager, id: number): Promise<boolean> {
    return (await selectOne(manager, sql`SELECT 1 FROM clinics WHERE id = ${id}`)) !== null;
  }

  // ---- deliveries ----

  /**
   * On the path of every event, as CTEs of the events' own INSERT (see EventsService.onWritten): a
   * delivery per active endpoint that takes an event (its type subscribed; its clinic's, or any
   * for an endpoint of no clinic), in the events' order, and a job for each. With no endpoint
   * matching, a join that finds nothing.
   */
  fanOutSql(retryForSeconds: number, retryBaseSeconds: number, expireInSeconds: number): Sql {
    return sql`event_deliveries AS (
        INSERT INTO webhook_deliveries (endpoint_id, event_id, retry_until)
        SELECT endpoint.id, emitted.id, now() + make_interval(secs => ${retryForSeconds})
        FROM emitted
        JOIN webhook_endpoints endpoint ON endpoint.is_active AND emitted.type = ANY (endpoint.events)
          AND (endpoint.clinic_id IS NULL OR endpoint.clinic_id = emitted.clinic_id)
        ORDER BY emitted.id, endpoint.id
        RETURNING id
      ), event_delivery_jobs AS (
        ${enqueueSql(
          'webhook-delivery',
          sql`SELECT jsonb_build_object('delivery', id::text), now(), ${retryBaseSeconds}::int, ${expireInSeconds}::int FROM event_deliveries`,
        )}
      )`;
  }

  /** How many events in [from, to) the endpoint takes. */
  async countReplayable(manager: EntityManager, endpoint: WebhookEndpoint, from: Date, to: Date): Promise<number> {
    const [{ count }] = await query<{ count: string }>(
      manager,
      sql`SELECT count(*) AS count FROM events event WHERE ${this.replayable(endpoint, from, to)}`,
    );
    return Number(count);
  }

  /** New deliveries to the endpoint of the events in [from, to) it takes, oldest first (at most `limit`); their ids. */
  async insertReplay(manager: EntityManager, endpoint: WebhookEndpoint, from: Date, to: Date, retryForSeconds: number, limit: number) {
    const rows = await query<{ id: string }>(
      manager,
      sql`INSERT INTO webhook_deliveries (endpoint_id, event_id, retry_until)
          SELECT ${endpoint.id}::integer, event.id, now() + make_interval(secs => ${retryForSeconds})
          FROM events event WHERE ${this.replayable(endpoint, from, to)}
          ORDER BY event.occurred_at, event.id LIMIT ${sql.integer(limit)}
          RETURNING id`,
    );
    return rows.map(({ id }) => String(id));
  }

  private replayable(endpoint: WebhookEndpoint, from: Date, to: Date): Sql {
    const clinic = endpoint.clinicId === null ? sql.empty : sql` AND event.clinic_id = ${endpoint.clinicId}`;
    return sql`event.occurred_at >= ${from} AND event.occurred_at < ${to} AND event.type = ANY (${endpoint.events}::varchar[])${clinic}`;
  }

  /** One page of an endpoint's deliveries, newest first, with their events; `status` filters. */
  findDeliveriesPage(endpointId: number, page: PageQueryDto, status?: DeliveryStatus): Promise<Page<DeliveryRow>> {
    const manager = this.db.manager;
    return selectPage<DeliveryRow>(
      manager,
      {
        select: sql`${columnsOf(manager, WebhookDelivery, 'delivery')}, ${EVENT_COLUMNS}`,
        from: sql`webhook_deliveries delivery JOIN events event ON event.id = delivery.event_id`,
        where: [sql`delivery.endpoint_id = ${endpointId}`, ...(status ? [sql`delivery.status = ${status}`] : [])],
        orderBy: sql`delivery.id DESC`,
        count: sql`SELECT count(*) FROM webhook_deliveries delivery WHERE delivery.endpoint_id = ${endpointId}${
          status ? sql` AND delivery.status = ${status}` : sql.empty
        }`,
      },
      page,
    );
  }

  /**
   * Makes a delivery of the endpoint pending again with a fresh retry window (its id, the
   * `webhook-id`, stays); null when the endpoint has no such delivery.
   */
  resetDelivery(manager: EntityManager, endpointId: number, id: string, retryForSeconds: number): Promise<DeliveryRow | null> {
    return selectOne<DeliveryRow>(
      manager,
      sql`UPDATE webhook_deliveries delivery SET status = 'pending', retry_until = now() + make_interval(secs => ${retryForSeconds})
          FROM events event
          WHERE delivery.id = ${id}::bigint AND delivery.endpoint_id = ${endpointId} AND event.id = delivery.event_id
          RETURNING ${columnsOf(manager, WebhookDelivery, 'delivery')}, ${EVENT_COLUMNS}`,
    );
  }

  /**
   * Takes a pending delivery for one attempt: leases it for `leaseMs` unless another attempt holds
   * it, and reads what the attempt needs. Null when it is not pending or is leased.
   */
  claim(id: string, leaseMs: number): Promise<ClaimedDelivery | null> {
    return selectOne<ClaimedDelivery>(
      this.db.manager,
      sql`UPDATE webhook_deliveries delivery SET attempting_until = now() + make_interval(secs => ${leaseMs / 1000})
          FROM webhook_endpoints endpoint, events event
          WHERE delivery.id = ${id}::bigint AND delivery.status = 'pending'
            AND (delivery.attempting_until IS NULL OR delivery.attempting_until < now())
            AND endpoint.id = delivery.endpoint_id AND event.id = delivery.event_id
          RETURNING delivery.id, endpoint.id AS "endpointId", endpoint.url, endpoint.is_active AS "isActive", endpoint.secret,
            CASE WHEN endpoint.previous_secret_expires_at > now() THEN endpoint.previous_secret END AS "previousSecret", ${EVENT_COLUMNS}`,
    );
  }

  /** The status of a delivery (null when there is none). */
  async findStatus(id: string): Promise<DeliveryStatus | null> {
    const row = await selectOne<{ status: DeliveryStatus }>(
      this.db.manager,
      sql`SELECT status FROM webhook_deliveries WHERE id = ${id}::bigint`,
    );
    return row?.status ?? null;
  }

  /**
   * Records an attempt and releases the lease: succeeded on a 2xx; on a failure, failed once
   * `retry_until` has passed (or `giveUp`), else still pending. The delivery's new status.
   */
  async recordAttempt(
    manager: EntityManager,
    id: string,
    attempt: { ok: boolean; statusCode: number | null; error: string | null; counts: boolean; giveUp?: boolean },
  ): Promise<DeliveryStatus> {
    const [{ status }] = await query<{ status: DeliveryStatus }>(
      manager,
      sql`UPDATE webhook_deliveries SET
            attempts = attempts + ${attempt.counts ? 1 : 0},
            last_status_code = ${attempt.statusCode}, last_error = ${attempt.error},
            last_attempt_at = ${attempt.counts ? sql`now()` : sql`last_attempt_at`},
            attempting_until = NULL,
            status = CASE WHEN ${attempt.ok}::boolean THEN 'succeeded'
                          WHEN ${attempt.giveUp ?? false}::boolean OR retry_until <= now() THEN 'failed' ELSE 'pending' END
          WHERE id = ${id}::bigint
          RETURNING status`,
    );
    return status;
  }

  /** A delivery to the endpoint succeeded: its count of failures in a row starts again. */
  async endpointSucceeded(manager: EntityManager, endpointId: number): Promise<void> {
    await query(
      manager,
      sql`UPDATE webhook_endpoints SET consecutive_failures = 0, version = version + 1, updated_at = now()
          WHERE id = ${endpointId} AND consecutive_failures > 0`,
    );
  }

  /**
   * A delivery to the endpoint failed for good: one more failure in a row, and at `disableAfter`
   * the endpoint is disabled. When this disabled it: its URL and the e-mail address of its creator.
   */
  async endpointFailed(manager: EntityManager, endpointId: number, disableAfter: number): Promise<{ url: string; email: string } | null> {
    const [row] = await query<{ disabled: boolean; url: string; email: string }>(
      manager,
      sql`UPDATE webhook_endpoints endpoint SET consecutive_failures = endpoint.consecutive_failures + 1,
            is_active = endpoint.is_active AND endpoint.consecutive_failures + 1 < ${disableAfter},
            disabled_at = CASE WHEN endpoint.is_active AND endpoint.consecutive_failures + 1 >= ${disableAfter} THEN now() ELSE endpoint.disabled_at END,
            version = endpoint.version + 1, updated_at = now()
          FROM users owner
          WHERE endpoint.id = ${endpointId} AND owner.id = endpoint.created_by_id
          RETURNING (endpoint.disabled_at = now() AND NOT endpoint.is_active) AS disabled, endpoint.url, owner.email`,
    );
    return row?.disabled ? { url: row.url, email: row.email } : null;
  }
}
