import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { NotAllowedError, NotFoundError } from '../core/errors';
import type { RequestOrigin } from '../core/http/request-origin';
import { Page } from '../core/pagination/pagination';
import { AuditOutcome } from './audit-event.entity';
import { AuditRepository, insertForNewSql, PendingEvent } from './audit.repository';
import type { Sql } from '../core/database/sql';
import { AuditEventDto, toAuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

/** What the trail has entries about. */
export type AuditedEntity = 'patient' | 'doctor' | 'mapping' | 'appointment' | 'schedule' | 'user' | 'clinic' | 'clinic_member' | 'webhook';
/** What a change did to a record. */
/** What happens to an account's sessions and credentials outside a change of its record. */
export type SessionAction =
  | 'login'
  | 'logout'
  | 'logout_all'
  | 'session_end'
  | 'password_reset_request'
  // A lockout put on by failed logins, lifted by an admin.
  | 'lock'
  | 'unlock'
  // Two-factor authentication: set up, turned on and off, a login's password accepted (its second step asked), that second step.
  | 'mfa_setup'
  | 'mfa_enable'
  | 'mfa_disable'
  | 'mfa_challenge'
  | 'login_mfa';

export type ChangeAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'assign'
  | 'unassign'
  | 'cancel'
  | 'link'
  | 'unlink'
  // Clinic memberships: an invitation made, accepted, declined.
  | 'invite'
  | 'accept'
  | 'decline'
  // A webhook endpoint's signing secret replaced.
  | 'rotate';

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
  /** The clinic of the record; left out, it is taken from the record as the entry is written (see AuditRepository). */
  clinicId?: number | null;
}

const FLUSH_DELAY_MS = 50;
const FLUSH_BATCH = 500;
const MAX_PENDING = 50_000;

// Field by field rather than by rest and spread, which cost 1.3% of a patient read's CPU (profile): one entry per read.
function pendingEvent(entry: AuditEntry): PendingEvent {
  const { origin } = entry;
  return {
    actorId: entry.actorId,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    changedFields: entry.changedFields ?? [],
    outcome: entry.outcome,
    clinicId: entry.clinicId ?? null,
    requestId: origin?.requestId ?? null,
    clientIp: origin?.clientIp ?? null,
    occurredAt: new Date(),
  };
}

/**
 * The changes one actor makes to one kind of record, each written in the transaction that makes
 * it (`manager` must belong to an open transaction): the entry commits with the change or not at
 * all, and an entry that cannot be written fails the change. On its own (`changesOf`) for code
 * outside the application's modules (the create-admin script); services use `AuditService.of`.
 */
export class ChangeAudit {
  constructor(
    private readonly events: AuditRepository,
    protected readonly actor: AuditActor,
    protected readonly entity: AuditedEntity,
    protected readonly clinicId?: number,
  ) {}

  /** One change of record `id`, with the fields it changed by their API names. */
  changed(manager: EntityManager, action: ChangeAction, id: number, changedFields: string[] = []): Promise<void> {
    return this.changedAll(manager, action, [id], changedFields);
  }

  /** The same change of several records (what a delete ends or cancels), in one multi-row INSERT. */
  async changedAll(manager: EntityManager, action: ChangeAction, ids: number[], changedFields: string[] = []): Promise<void> {
    // Outside a transaction the entries would commit on their own, and the guarantee would be gone unnoticed.
    if (!manager.queryRunner?.isTransactionActive) throw new Error('A change is audited with the manager of an open transaction.');
    await this.events.insert(
      ids.map((id) => pendingEvent(this.entry(action, id, 'success', changedFields))),
      manager,
    );
  }

  /**
   * The entries of changes to a record that one statement makes, as the part of that statement
   * that writes them (see `insertForNewSql`): `record` names its data-modifying CTE, `clinicId` is
   * the record's clinic. One statement commits the record and its entries together.
   */
  changedBy(record: Sql, clinicId: number | null, changes: ReadonlyArray<readonly [ChangeAction, string[]]>): Sql {
    return insertForNewSql(
      changes.map(([action, fields]) => pendingEvent(this.entry(action, null, 'success', fields))),
      record,
      clinicId,
    );
  }

  protected entry(action: string, id: number | null, outcome: AuditOutcome, changedFields: string[] = []): AuditEntry {
    const { id: actorId, origin } = this.actor;
    return { actorId, origin, action, entity: this.entity, entityId: id, changedFields, outcome, clinicId: this.clinicId };
  }
}

export const changesOf = (events: AuditRepository, actor: AuditActor, entity: AuditedEntity): ChangeAudit =>
  new ChangeAudit(events, actor, entity);

/** One actor's entries about one kind of record: its changes (`ChangeAudit`), and its reads, refusals and sessions, batched. */
export class EntityAudit extends ChangeAudit {
  constructor(
    private readonly trail: AuditService,
    events: AuditRepository,
    actor: AuditActor,
    entity: AuditedEntity,
    clinicId?: number,
  ) {
    super(events, actor, entity, clinicId);
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

  /** A login (which can fail), a logout or another step of account `id`'s sessions and credentials. */
  session(action: SessionAction, id: number | null, outcome: 'success' | 'failure' = 'success'): void {
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

  constructor(private readonly events: AuditRepository) {}

  /** A read, a refused attempt or a session event: written with the next batch. */
  record(entry: AuditEntry): void {
    this.pending.push(pendingEvent(entry));
    if (this.pending.length >= FLUSH_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /**
   * The entries `actor` makes about records of kind `entity`, e.g. `audit.of(user, 'patient').read(id)`;
   * with `clinicId`, about records of that clinic (needed only where the record is gone when the entry is written).
   */
  of(actor: AuditActor, entity: AuditedEntity, clinicId?: number): EntityAudit {
    return new EntityAudit(this, this.events, actor, entity, clinicId);
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

  /** The trail (with `clinicId`, the entries of that clinic's records), once what is pending is written. */
  async list(query: ListAuditEventsQuery, clinicId?: number): Promise<Page<AuditEventDto>> {
    await this.flush();
    return (await this.events.findPage(query, clinicId)).map(toAuditEventDto);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(batch: PendingEvent[]): Promise<void> {
    // A backlog kept through an outage can outgrow one statement; each slice commits on its own.
    let written = 0;
    try {
      await this.events.insert(batch, undefined, (rows) => (written += rows));
    } catch (error) {
      // Keep the entries not yet written for the next flush rather than lose them while the database is away.
      const unwritten = batch.slice(written);
      this.logger.error({ err: error }, `Could not write ${unwritten.length} audit events; will retry`);
      this.pending = [...unwritten, ...this.pending].slice(-MAX_PENDING);
      this.timer ??= setTimeout(() => void this.flush(), 1000);
    }
  }
}
