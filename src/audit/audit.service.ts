import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { sql, type Sql } from '../core/database/sql';
import { NotAllowedError, NotFoundError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { Page } from '../core/pagination/pagination';
import { AuditEvent, AuditOutcome } from './audit-event.entity';
import { AuditEventDto, toAuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

/** What the trail has entries about. */
export type AuditedEntity = 'patient' | 'doctor' | 'mapping' | 'appointment' | 'schedule' | 'user';
/** What a change did to a record. */
export type ChangeAction = 'create' | 'update' | 'delete' | 'assign' | 'unassign' | 'cancel' | 'link' | 'unlink';

/**
 * Who acted: a caller (an `AuthUser` is one), or nobody (`id: null`: a failed login with an
 * unknown name, the create-admin script), with the request it came on (absent outside HTTP).
 */
export interface AuditActor {
  id: number | null;
  origin?: RequestOrigin;
}

export interface AuditEntry {
  actorId: number | null;
  /** The request it happened on; absent outside HTTP (the seed script). */
  origin?: RequestOrigin;
  action: string;
  entity: AuditedEntity;
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

/** The entries of a change, written on the connection of the transaction `manager` belongs to. */
async function recordChangesIn(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
  // Outside a transaction the entries would commit on their own, and the guarantee would be gone unnoticed.
  if (!manager.queryRunner?.isTransactionActive) throw new Error('A change is audited with the manager of an open transaction.');
  for (const rows of insertable(entries.map(pendingEvent))) await insert(manager, rows);
}

/**
 * The changes one actor makes to one kind of record, each written in the transaction that makes
 * it (`manager` must belong to an open transaction): the entry commits with the change or not at
 * all, and an entry that cannot be written fails the change. On its own (`changesOf`) for code
 * outside the application's modules (the create-admin script); services use `AuditService.of`.
 */
export class ChangeAudit {
  constructor(
    protected readonly actor: AuditActor,
    protected readonly entity: AuditedEntity,
  ) {}

  /** One change of record `id`, with the fields it changed by their API names. */
  changed(manager: EntityManager, action: ChangeAction, id: number, changedFields: string[] = []): Promise<void> {
    return recordChangesIn(manager, [this.entry(action, id, 'success', changedFields)]);
  }

  /** The same change of several records (what a delete ends or cancels), in one multi-row INSERT. */
  changedAll(manager: EntityManager, action: ChangeAction, ids: number[], changedFields: string[] = []): Promise<void> {
    return recordChangesIn(
      manager,
      ids.map((id) => this.entry(action, id, 'success', changedFields)),
    );
  }

  protected entry(action: string, id: number | null, outcome: AuditOutcome, changedFields: string[] = []): AuditEntry {
    const { id: actorId, origin } = this.actor;
    return { actorId, origin, action, entity: this.entity, entityId: id, changedFields, outcome };
  }
}

export const changesOf = (actor: AuditActor, entity: AuditedEntity): ChangeAudit => new ChangeAudit(actor, entity);

/** One actor's entries about one kind of record: its changes (`ChangeAudit`), and its reads, refusals and sessions, batched. */
export class EntityAudit extends ChangeAudit {
  constructor(
    private readonly trail: AuditService,
    actor: AuditActor,
    entity: AuditedEntity,
  ) {
    super(actor, entity);
  }

  read(id: number): void {
    this.trail.record(this.entry('read', id, 'success'));
  }

  listed(): void {
    this.trail.record(this.entry('list', null, 'success'));
  }

  /** A refused attempt (`action` on record `id`), with the fields it tried to change, if they tell something. */
  denied(action: string, id: number | null, changedFields: string[] = []): void {
    this.trail.record(this.entry(action, id, 'denied', changedFields));
  }

  /** A login (which can fail) or a logout, of account `id`. */
  session(action: 'login' | 'logout', id: number | null, outcome: 'success' | 'failure' = 'success'): void {
    this.trail.record(this.entry(action, id, outcome));
  }

  /** Runs a write on record `id`; when it is refused (404 or 403), the attempt is audited as denied. */
  async deniedAudited<T>(action: ChangeAction, id: number, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof NotAllowedError) this.denied(action, id);
      throw error;
    }
  }
}

/**
 * The audit trail, written two ways, each in one line through `of(actor, entity)`. A change is
 * recorded with `changed`, inside the transaction that makes it: the entry commits with the change
 * or not at all, so no crash can keep a change and lose its record. Reads, refused attempts and
 * sessions (login, logout) are recorded with `record`: taken synchronously (with the request id and client IP of the request
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

  /** The entries `actor` makes about records of kind `entity`, e.g. `audit.of(user, 'patient').read(id)`. */
  of(actor: AuditActor, entity: AuditedEntity): EntityAudit {
    return new EntityAudit(this, actor, entity);
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
