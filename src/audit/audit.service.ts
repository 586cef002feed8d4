import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { sql, type Sql } from '../core/database/sql';
import type { RequestOrigin } from '../core/http/request-origin';
import { Page } from '../core/pagination/pagination';
import { AuditEvent, AuditOutcome } from './audit-event.entity';
import { AuditEventDto, toAuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

export interface AuditEntry {
  actorId: number | null;
  /** The request it happened on; absent outside HTTP (the seed script). */
  origin?: RequestOrigin;
  action: string;
  entity: string;
  entityId?: number | null;
  changedFields?: string[];
  outcome: AuditOutcome;
}

type PendingEvent = Omit<AuditEvent, 'id'>;

const COLUMNS = sql`occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome`;
/** One event's values, in the order of COLUMNS. */
const tuple = (event: PendingEvent) =>
  sql`(${event.occurredAt}, ${event.actorId}, ${event.action}, ${event.entity}, ${event.entityId}, ${event.changedFields}, ${event.requestId}, ${event.clientIp}, ${event.outcome})`;

/** One multi-row INSERT of `rows` events (hand-written: TypeORM's insert builder cost more than the write). */
function insertSql(rows: PendingEvent[]): Sql {
  return sql`INSERT INTO audit_events (${COLUMNS}) VALUES ${sql.join(rows.map(tuple), ', ')}`;
}

const FLUSH_DELAY_MS = 50;
const FLUSH_BATCH = 500;
const MAX_PENDING = 50_000;

function pendingEvent({ origin, ...entry }: AuditEntry): PendingEvent {
  return {
    ...entry,
    entityId: entry.entityId ?? null,
    changedFields: entry.changedFields ?? [],
    requestId: origin?.requestId ?? null,
    clientIp: origin?.clientIp ?? null,
    occurredAt: new Date(),
  };
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_ROWS = Math.floor(65_535 / 9);

/** The events in slices of at most MAX_ROWS, one INSERT each. */
function* insertable(events: PendingEvent[]): Generator<PendingEvent[]> {
  for (let start = 0; start < events.length; start += MAX_ROWS) yield events.slice(start, start + MAX_ROWS);
}

function insert(manager: EntityManager, rows: PendingEvent[]): Promise<unknown> {
  const { text, values } = insertSql(rows).render();
  return manager.query(text, values);
}

/**
 * The entries of a change, written on the connection of the transaction `manager` belongs to, so
 * they commit or roll back with the change; an entry that cannot be written fails the change. For
 * code outside the application's modules (the create-admin script); services call `recordIn`.
 */
export async function recordChangesIn(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
  // Outside a transaction the entries would commit on their own, and the guarantee would be gone unnoticed.
  if (!manager.queryRunner?.isTransactionActive) throw new Error('recordIn needs the manager of an open transaction.');
  for (const rows of insertable(entries.map(pendingEvent))) await insert(manager, rows);
}

/**
 * The audit trail, written two ways. A change is recorded with `recordIn`, inside the
 * transaction that makes it: the entry commits with the change or not at all, so no crash can
 * keep a change and lose its record. Reads, refused attempts and sessions (login, logout) are
 * recorded with `record`: taken synchronously (with the request id and client IP of the request
 * they came on) and written in batches a few milliseconds later, so auditing every read costs one
 * multi-row INSERT per batch instead of one round trip per request; a graceful shutdown writes
 * what is pending before the pool closes, a crash loses at most the last ~50 ms of them.
 */
@Injectable()
export class AuditService implements OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private pending: PendingEvent[] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /** A read, a refused attempt or a session event: written with the next batch. */
  record(entry: AuditEntry): void {
    this.pending.push(pendingEvent(entry));
    if (this.pending.length >= FLUSH_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /**
   * A change: written now, on the connection of the transaction `manager` belongs to, so it
   * commits or rolls back with the change; an entry that cannot be written fails the change.
   */
  recordIn(manager: EntityManager, entry: AuditEntry): Promise<void> {
    return recordChangesIn(manager, [entry]);
  }

  /** Changes that come together (what a delete ends or cancels): like `recordIn`, in one multi-row INSERT. */
  recordAllIn(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
    return recordChangesIn(manager, entries);
  }

  /** Writes everything recorded so far; resolves once it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  async list(query: ListAuditEventsQuery): Promise<Page<AuditEventDto>> {
    await this.flush();
    const qb = this.events.createQueryBuilder('event').orderBy('event.occurredAt', 'DESC').addOrderBy('event.id', 'DESC');
    if (query.actor !== undefined) qb.andWhere('event.actorId = :actor', { actor: query.actor });
    if (query.entity !== undefined) qb.andWhere('event.entity = :entity', { entity: query.entity });
    if (query.entity_id !== undefined) qb.andWhere('event.entityId = :entityId', { entityId: query.entity_id });
    if (query.action !== undefined) qb.andWhere('event.action = :action', { action: query.action });
    if (query.from !== undefined) qb.andWhere('event.occurredAt >= :from', { from: query.from });
    if (query.to !== undefined) qb.andWhere('event.occurredAt < :to', { to: query.to });
    const [events, total] = await qb.offset(query.offset).limit(query.page_size).getManyAndCount();
    return new Page(events.map(toAuditEventDto), total, query);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(batch: PendingEvent[]): Promise<void> {
    // A backlog kept through an outage can outgrow one statement; each slice commits on its own.
    let written = 0;
    try {
      for (const rows of insertable(batch)) {
        await insert(this.events.manager, rows);
        written += rows.length;
      }
    } catch (error) {
      // Keep the entries not yet written for the next flush rather than lose them while the database is away.
      const unwritten = batch.slice(written);
      this.logger.error({ err: error }, `Could not write ${unwritten.length} audit events; will retry`);
      this.pending = [...unwritten, ...this.pending].slice(-MAX_PENDING);
      this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }
}
