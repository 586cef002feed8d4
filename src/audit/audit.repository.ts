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
/**
 * One event's values after its place in the batch, in the order of COLUMNS, each typed: values in
 * a FROM clause get no types from the table they go into.
 */
const tuple = (event: PendingEvent, ordinal: number) =>
  sql`(${sql.integer(ordinal)}, ${event.occurredAt}::timestamptz, ${event.actorId}::integer, ${event.action}::varchar, ${event.entity}::varchar,
       ${event.entityId}::integer, ${event.changedFields}::text[], ${event.requestId}::varchar, ${event.clientIp}::inet, ${event.outcome}::audit_outcome,
       ${event.clinicId}::integer)`;

/**
 * One multi-row INSERT of `rows` events (hand-written: TypeORM's insert builder cost more than the
 * write). An entry that names no clinic gets the clinic of its record, looked up by primary key in
 * the same statement: every write path goes through here, so none can forget it, and a batch costs
 * one join rather than a lookup per row (a trigger doing the same more than doubled the insert's cost).
 */
function insertSql(rows: PendingEvent[]): Sql {
  return sql`INSERT INTO audit_events (${COLUMNS})
    SELECT e.occurred_at, e.actor_id, e.action, e.entity, e.entity_id, e.changed_fields, e.request_id, e.client_ip, e.outcome,
           coalesce(e.clinic_id, patient.clinic_id, owner.clinic_id, doctor.clinic_id, member.clinic_id, CASE WHEN e.entity = 'clinic' THEN e.entity_id END)
    FROM (VALUES ${sql.join(
      rows.map((row, i) => tuple(row, i)),
      ', ',
    )}) AS e (ordinal, ${COLUMNS})
    LEFT JOIN patients patient ON e.entity = 'patient' AND patient.id = e.entity_id
    LEFT JOIN patient_doctor_mappings mapping ON e.entity = 'mapping' AND mapping.id = e.entity_id
    LEFT JOIN appointments appointment ON e.entity = 'appointment' AND appointment.id = e.entity_id
    LEFT JOIN patients owner ON owner.id = coalesce(mapping.patient_id, appointment.patient_id)
    LEFT JOIN doctors doctor ON e.entity IN ('doctor', 'schedule') AND doctor.id = e.entity_id
    LEFT JOIN clinic_members member ON e.entity = 'clinic_member' AND member.id = e.entity_id
    ORDER BY e.ordinal`;
}

/**
 * The INSERT of `events` about a record the same statement makes, for a data-modifying CTE of it:
 * `record` names the CTE (its rows have `id`), `clinicId` is the record's clinic. The entries take the record's id, and commit with it or not at all, as in a transaction,
 * but without one: a new doctor and its entry are one statement, one round trip instead of four
 * (BEGIN, the insert, the entry, COMMIT). Rows of a CTE are not in their table for the rest of the
 * statement, so the caller names the clinic (`clinicId`, known before the insert) rather than insertSql's joins.
 */
export function insertForNewSql(events: PendingEvent[], record: Sql, clinicId: number | null): Sql {
  return sql`INSERT INTO audit_events (${COLUMNS})
    SELECT e.occurred_at, e.actor_id, e.action, e.entity, ${record}.id, e.changed_fields, e.request_id, e.client_ip, e.outcome,
           coalesce(e.clinic_id, ${clinicId}::integer)
    FROM (VALUES ${sql.join(
      events.map((row, i) => tuple(row, i)),
      ', ',
    )}) AS e (ordinal, ${COLUMNS})
    CROSS JOIN ${record}
    ORDER BY e.ordinal`;
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
