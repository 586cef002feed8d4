import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, selectOne, sql, type Sql } from '../core/database/sql';
import { DoctorSchedule } from './doctor-schedule.entity';

/**
 * Every statement on doctors' schedules, hand-written (core/database/sql.ts): the read that every
 * booking makes is a hot path of the benchmark, where the ORM cost more than the rest of the
 * request, and the writes are in the same style, so the repository has one. A write sets the
 * version and the timestamps itself, as the entity declares them.
 */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new, unsaved schedule. */
  create(values: Partial<DoctorSchedule>): DoctorSchedule {
    return this.db.manager.create(DoctorSchedule, values);
  }

  /** Hot path (read on every booking): the doctor's schedule, if it has one, with the time zone in effect. */
  find(manager: EntityManager, doctorId: number): Promise<ZonedSchedule | null> {
    return selectOne<ZonedSchedule>(
      manager,
      sql`SELECT ${columnsOf(manager, DoctorSchedule, 'schedule')}, ${effectiveTimezone} AS "effectiveTimezone"
          FROM doctor_schedules schedule WHERE schedule.doctor_id = ${doctorId}`,
    );
  }

  /** The time zone of the doctor's clinic; null when it belongs to none. */
  async clinicTimezone(manager: EntityManager, doctorId: number): Promise<string | null> {
    const row = await selectOne<{ timezone: string | null }>(manager, sql`SELECT (${clinicTimezone(sql`${doctorId}`)}) AS timezone`);
    return row?.timezone ?? null;
  }

  /** Inserts a new schedule; it takes the version and timestamps the row was given. */
  async insert(manager: EntityManager, s: DoctorSchedule): Promise<void> {
    const row = await selectOne<Generated>(
      manager,
      sql`INSERT INTO doctor_schedules AS schedule (doctor_id, timezone, slot_minutes, entries)
          VALUES (${s.doctorId}, ${s.timezone}, ${s.slotMinutes}, ${jsonb(s.entries)}) RETURNING ${GENERATED}`,
    );
    Object.assign(s, row);
  }

  /** Writes the schedule's fields, one version on; it takes the new version and `updated_at`. */
  async update(manager: EntityManager, s: DoctorSchedule): Promise<void> {
    const row = await selectOne<Generated>(
      manager,
      sql`UPDATE doctor_schedules schedule SET timezone = ${s.timezone}, slot_minutes = ${s.slotMinutes}, entries = ${jsonb(s.entries)},
            version = version + 1, updated_at = now()
          WHERE doctor_id = ${s.doctorId} RETURNING ${GENERATED}`,
    );
    Object.assign(s, row);
  }
}

/** A stored schedule and the time zone its openings are in: its own, or else its doctor's clinic's (null: neither). */
export type ZonedSchedule = DoctorSchedule & { effectiveTimezone: string | null };

const clinicTimezone = (doctorId: Sql) =>
  sql`SELECT clinic.timezone FROM doctors doctor JOIN clinics clinic ON clinic.id = doctor.clinic_id WHERE doctor.id = ${doctorId}`;

/** The time zone a schedule (over `schedule`) is read in: its own, else its doctor's clinic's. */
export const effectiveTimezone = sql`coalesce(schedule.timezone, (${clinicTimezone(sql`schedule.doctor_id`)}))`;

/**
 * What the database sets on a write. Only these are read back: the entries stay as written, in
 * their own key order (jsonb hands its keys back in an order of its own), as the response shows them.
 */
type Generated = Pick<DoctorSchedule, 'createdAt' | 'updatedAt' | 'version'>;
const GENERATED = sql`schedule.created_at AS "createdAt", schedule.updated_at AS "updatedAt", schedule.version AS "version"`;

/** A jsonb value as a parameter: pg would send an array as a PostgreSQL array, not as JSON. */
function jsonb(value: unknown): Sql {
  return sql`${JSON.stringify(value)}::jsonb`;
}
