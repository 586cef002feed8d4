import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { sql, type Sql } from '../core/database/sql';
import { AuditEvent } from './audit-event.entity';
import { ListAuditEventsQuery } from './dto/list-audit-events.query';

/** An entry as it is written: everything but the id the database gives it. */
export type PendingEvent = Omit<AuditEvent, 'id'>;

const COLUMNS = sql`occurred_at, actor_id, action, entity, entity_id, changed_fields, request_id, client_ip, outcome`;
/** One event's values, in the order of COLUMNS. */
const tuple = (event: PendingEvent) =>
  sql`(${event.occurredAt}, ${event.actorId}, ${event.action}, ${event.entity}, ${event.entityId}, ${event.changedFields}, ${event.requestId}, ${event.clientIp}, ${event.outcome})`;

/** One multi-row INSERT of `rows` events (hand-written: TypeORM's insert builder cost more than the write). */
function insertSql(rows: PendingEvent[]): Sql {
  return sql`INSERT INTO audit_events (${COLUMNS}) VALUES ${sql.join(rows.map(tuple), ', ')}`;
}

/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_ROWS = Math.floor(65_535 / 9);

/**
 * Every statement on `audit_events`: the entries written by a hand-written multi-row INSERT (the
 * benchmark's figure is in the README), the trail read through TypeORM's query builder.
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  /**
   * Writes `events` on `manager` (a transaction's, or else the pool's: then each INSERT commits
   * on its own), one INSERT per slice of at most MAX_ROWS; `wrote` hears each slice's row count
   * once it is written, so that a caller knows what a failure left unwritten.
   */
  async insert(events: PendingEvent[], manager: EntityManager = this.events.manager, wrote?: (rows: number) => void): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ROWS) {
      const rows = events.slice(start, start + MAX_ROWS);
      const { text, values } = insertSql(rows).render();
      await manager.query(text, values);
      wrote?.(rows.length);
    }
  }

  /** A page of the trail, newest first, and how many entries match the filters. */
  findPage(query: ListAuditEventsQuery): Promise<[AuditEvent[], number]> {
    const qb = this.events.createQueryBuilder('event').orderBy('event.occurredAt', 'DESC').addOrderBy('event.id', 'DESC');
    if (query.actor !== undefined) qb.andWhere('event.actorId = :actor', { actor: query.actor });
    if (query.entity !== undefined) qb.andWhere('event.entity = :entity', { entity: query.entity });
    if (query.entity_id !== undefined) qb.andWhere('event.entityId = :entityId', { entityId: query.entity_id });
    if (query.action !== undefined) qb.andWhere('event.action = :action', { action: query.action });
    if (query.from !== undefined) qb.andWhere('event.occurredAt >= :from', { from: query.from });
    if (query.to !== undefined) qb.andWhere('event.occurredAt < :to', { to: query.to });
    return qb.offset(query.offset).limit(query.page_size).getManyAndCount();
  }
}
