import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { query, sql, type Sql } from '../core/database/sql';
import type { DomainEvent, EventType, PendingAppointmentEvent } from './event-types';

export interface WrittenEvent {
  id: string;
  clinic_id: number | null;
  occurred_at: Date;
}

/** Every statement on `events`, hand-written as the audit trail's are: it is on the path of every booking. */
@Injectable()
export class EventsRepository {
  /**
   * Writes `events` with one multi-row INSERT on the transaction of `manager`, each with the
   * clinic of its patient looked up in the same statement; their ids, clinics and times in order.
   * `followUps` are data-modifying CTEs of the same statement that read the written events from
   * `emitted` (its columns: id, type, clinic_id, occurred_at, data): what follows from an event
   * is written in the event's own round trip.
   */
  async insert(
    manager: EntityManager,
    events: { type: EventType; patient: number; data: object }[],
    followUps: Sql[] = [],
  ): Promise<WrittenEvent[]> {
    const rows = events.map(
      (event, i) => sql`(${sql.integer(i)}, ${event.type}::varchar, ${event.patient}::integer, ${JSON.stringify(event.data)}::jsonb)`,
    );
    return query<WrittenEvent>(
      manager,
      sql`WITH ${emittedCtes(
        sql`SELECT e.type, patient.clinic_id, e.data
        FROM (VALUES ${sql.join(rows, ', ')}) AS e (ordinal, type, patient_id, data)
        LEFT JOIN patients patient ON patient.id = e.patient_id
        ORDER BY e.ordinal`,
        followUps,
      )}
      SELECT id, clinic_id, occurred_at FROM emitted ORDER BY id`,
      // One event (a booking's, a change's) is a statement of a few shapes, planned once per
      // connection; many (a deletion's cancellations) are one of a shape each time.
      { prepared: events.length === 1 },
    );
  }

  /**
   * CTEs for a statement that also inserts the event's record (a booking): `event` written with
   * `followUps`, the record's id taken into its data, under `idField`, from the row that the CTE
   * `inserted` returns. Nothing is written when `inserted` returns no row. The statement reads the
   * written event from `emitted` (see `insert`).
   */
  insertedWith(event: { type: EventType; patient: number; data: object }, inserted: Sql, idField: string, followUps: Sql[]): Sql {
    return emittedCtes(
      sql`SELECT ${event.type}::varchar, patient.clinic_id, ${JSON.stringify(event.data)}::jsonb || jsonb_build_object(${idField}::text, record.id)
        FROM ${inserted} record LEFT JOIN patients patient ON patient.id = ${event.patient}::integer`,
      followUps,
    );
  }
}

/**
 * In the statement of `insertedWith`: the written event's columns (`event.id`, `event.clinic_id`,
 * `event.occurred_at`, for `nestJoined(row, 'event')`) and the join that adds them to its rows.
 */
export const WRITTEN_EVENT = {
  columns: sql`, emitted.id AS "event.id", emitted.clinic_id AS "event.clinic_id", emitted.occurred_at AS "event.occurred_at"`,
  join: sql` LEFT JOIN emitted ON TRUE`,
};

/** `emitted`, the events that `source` selects (type, clinic_id, data) as written, then `followUps` over it. */
function emittedCtes(source: Sql, followUps: Sql[]): Sql {
  return sql`emitted AS (
        INSERT INTO events (type, clinic_id, data)
        ${source}
        RETURNING id, type, clinic_id, occurred_at, data
      )${sql.join(
        followUps.map((followUp) => sql`, ${followUp}`),
        '',
      )}`;
}

/** The payload's `data` of an event: its ids, changed fields and status in the API's snake_case. */
export function dataOf(event: DomainEvent | PendingAppointmentEvent): object {
  const { changedFields, ...rest } = event as DomainEvent & { changedFields?: string[] };
  const ids: Record<string, unknown> = { ...rest };
  delete ids.type;
  return changedFields === undefined ? ids : { ...ids, changed_fields: changedFields };
}
