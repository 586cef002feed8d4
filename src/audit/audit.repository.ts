import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, sql, type Sql } from '../core/database/sql';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { AuditEvent } from './audit-event.entity';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

/** An entry as it is written: everything but the id the database gives it. */
export type PendingEvent = Omit<AuditEvent, 'id'>;

const COLUMNS = sql`occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome, clinic_id`;
/** One event's values, in the order of COLUMNS. */
const tuple = (event: PendingEvent) =>
  sql`(${event.occurredAt}, ${event.actorId}, ${event.action}, ${event.entity}, ${event.entityId}, ${event.changedFields}, ${event.requestId}, ${event.clientIp}, ${event.outcome}, ${event.clinicId})`;

/** One multi-row INSERT of `rows` events (hand-written: TypeORM's insert builder cost more than the write). */
function insertSql(rows: PendingEvent[]): Sql {
  return sql`INSERT INTO audit_events (${COLUMNS}) VALUES ${sql.join(rows.map(tuple), ', ')}`;
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_ROWS = Math.floor(65_535 / 10);

/**
 * Every statement on `audit_events`, hand-written (src/core/database/sql.ts): the entries are
 * written by a multi-row INSERT, a hot path of the benchmark where TypeORM's insert builder cost
 * more than the write (the figure is in the README), and the trail is read in the same style, so
 * the repository has one.
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Writes `events` on `manager` (a transaction's, or else the pool's: then each INSERT commits
   * on its own), one INSERT per slice of at most MAX_ROWS; `wrote` hears each slice's row count
   * once it is written, so that a caller knows what a failure left unwritten.
   */
  async insert(events: PendingEvent[], manager: EntityManager = this.db.manager, wrote?: (rows: number) => void): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ROWS) {
      const rows = events.slice(start, start + MAX_ROWS);
      const { text, values } = insertSql(rows).render();
      await manager.query(text, values);
      wrote?.(rows.length);
    }
  }

  /**
   * A page of the trail, newest first, and how many entries match the filters; with `clinicId`,
   * only the entries of that clinic's records (audit_events_clinic_idx).
   */
  findPage(query: ListAuditEventsQuery, clinicId?: number): Promise<Page<AuditEvent>> {
    const manager = this.db.manager;
    const where: Sql[] = [];
    if (clinicId !== undefined) where.push(sql`event.clinic_id = ${clinicId}`);
    if (query.actor !== undefined) where.push(sql`event.actor_id = ${query.actor}`);
    if (query.entity !== undefined) where.push(sql`event.entity = ${query.entity}`);
    if (query.entity_id !== undefined) where.push(sql`event.entity_id = ${query.entity_id}`);
    if (query.action !== undefined) where.push(sql`event.action = ${query.action}`);
    if (query.from !== undefined) where.push(sql`event.occurred_at >= ${query.from}`);
    if (query.to !== undefined) where.push(sql`event.occurred_at < ${query.to}`);
    const select = columnsOf(manager, AuditEvent, 'event');
    const orderBy = sql`event.occurred_at DESC, event.id DESC`;
    return selectPage<AuditEvent>(manager, { select, from: sql`audit_events event`, where, orderBy }, query);
  }
}
