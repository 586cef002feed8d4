import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, query, selectOne, sql, type Sql } from '../core/database/sql';
import { enqueueSql } from '../jobs/enqueue-sql';
import { AppointmentReminder } from './appointment-reminder.entity';

/** A reminder just planned: what its job needs. */
export interface PlannedReminder {
  id: number;
  sendAt: Date;
}

/** A reminder a worker claimed: what its mail says, or why it goes unsent. */
export interface ClaimedReminder {
  id: number;
  /** `sending` when it is to be sent now; `skipped` when its time passed unusable (see the entity). */
  status: 'sending' | 'skipped';
  email: string | null;
  appointmentId: number;
  version: number;
  doctorName: string;
  start: Date;
  durationMinutes: number;
  timezone: string | null;
}

/**
 * One planned reminder per lead for each booked appointment that is SCHEDULED, whose patient has
 * an email and whose send time is still ahead. `booked` names the appointments by id, read through
 * the primary key (not through an event's jsonb, whose join PostgreSQL cannot estimate: it scanned
 * the whole table), or is the CTE that inserts them in the same statement. Their status is
 * compared as text so that no partial index on it (the no-overlap constraints') matches: while the
 * table's statistics lagged behind its growth, the prepared plan read the whole index of SCHEDULED
 * appointments (23,408 entries, 1.8 ms) to intersect it with the key.
 */
function insertPlanned(booked: number[] | Sql, leads: number[]): Sql {
  const [from, which] = Array.isArray(booked)
    ? [sql`appointments`, sql`appointment.id = ANY (${booked}::int[]) AND `]
    : [booked, sql.empty];
  return sql`INSERT INTO appointment_reminders (appointment_id, lead_seconds, send_at)
    SELECT appointment.id, lead.seconds, appointment.appointment_datetime - make_interval(secs => lead.seconds)
    FROM ${from} appointment
    JOIN patients patient ON patient.id = appointment.patient_id AND patient.email IS NOT NULL
    CROSS JOIN unnest(${leads}::int[]) AS lead (seconds)
    WHERE ${which}appointment.status::text = 'SCHEDULED'
      AND appointment.appointment_datetime - make_interval(secs => lead.seconds) > now()`;
}

/**
 * Every statement on appointment reminders, hand-written (core/database/sql.ts): planning is on
 * the path of every booking, where it must cost one statement (see the README's benchmark
 * figures); the others are in the same style, so the repository has one.
 */
@Injectable()
export class RemindersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Booking hot path: plans one reminder per lead (seconds) for each of `appointmentIds` that is
   * SCHEDULED, whose patient has an email and whose send time is still ahead, in one statement
   * (a patient without email costs no lookup of its own); their ids and send times.
   */
  plan(manager: EntityManager, appointmentIds: number[], leads: number[]): Promise<PlannedReminder[]> {
    return query<PlannedReminder>(manager, sql`${insertPlanned(appointmentIds, leads)} RETURNING id, send_at AS "sendAt"`);
  }

  /**
   * Booking hot path, as CTEs of the booking event's own INSERT (see EventsService.onWritten): the
   * reminders of the booked appointments (by id, or the CTE that inserts them; see insertPlanned),
   * and a job for each, due at its send time. No round trip of its own.
   */
  planForBookings(booked: number[] | Sql, leads: number[]): Sql {
    return sql`booked_reminders AS (${insertPlanned(booked, leads)} RETURNING id, send_at), booked_reminder_jobs AS (
        ${enqueueSql('appointment-reminder', sql`SELECT jsonb_build_object('reminder', id), send_at, NULL::int, NULL::int FROM booked_reminders`)}
      )`;
  }

  /** Cancels the planned reminders of `appointmentIds` (their jobs then find nothing to send). */
  async cancelPlanned(manager: EntityManager, appointmentIds: number[]): Promise<void> {
    await query(
      manager,
      sql`UPDATE appointment_reminders SET status = 'cancelled'
       WHERE appointment_id = ANY (${appointmentIds}::int[]) AND status = 'planned'`,
    );
  }

  /**
   * Claims a planned reminder, in one statement, so that of two runs of its job (a retry, a
   * worker that stalled, two instances) one at most sends it: it becomes `sending` while its
   * appointment is still SCHEDULED at the time it was planned for, yet to start, and its patient
   * has an email, else `skipped`. Null when it was not planned any more (cancelled, replaced,
   * claimed before). With it, what the mail says: the doctor, the time, the zone in effect.
   */
  claim(id: number): Promise<ClaimedReminder | null> {
    const due = sql`appointment.status = 'SCHEDULED' AND appointment.appointment_datetime > now()
         AND appointment.appointment_datetime = reminder.send_at + make_interval(secs => reminder.lead_seconds)
         AND patient.email IS NOT NULL AND patient.deleted_at IS NULL`;
    return selectOne<ClaimedReminder>(
      this.db.manager,
      sql`UPDATE appointment_reminders reminder
         SET status = CASE WHEN ${due} THEN 'sending' ELSE 'skipped' END::appointment_reminder_status
       FROM appointments appointment
       JOIN patients patient ON patient.id = appointment.patient_id
       JOIN doctors doctor ON doctor.id = appointment.doctor_id
       LEFT JOIN doctor_schedules schedule ON schedule.doctor_id = doctor.id
       LEFT JOIN clinics clinic ON clinic.id = doctor.clinic_id
       WHERE reminder.id = ${id} AND reminder.status = 'planned' AND appointment.id = reminder.appointment_id
       RETURNING reminder.id, reminder.status, patient.email::text AS email, appointment.id AS "appointmentId",
         appointment.version, doctor.name AS "doctorName", appointment.appointment_datetime AS start,
         appointment.duration_minutes AS "durationMinutes", coalesce(schedule.timezone, clinic.timezone) AS timezone`,
    );
  }

  /** A claimed reminder's outcome: `sent` (now) or `failed`. */
  async settle(id: number, status: 'sent' | 'failed'): Promise<void> {
    await query(
      this.db.manager,
      sql`UPDATE appointment_reminders SET status = ${status}::appointment_reminder_status,
         sent_at = CASE WHEN ${status} = 'sent' THEN now() END
       WHERE id = ${id} AND status = 'sending'`,
    );
  }

  /**
   * A claimed reminder the SMTP server did not take is planned again, for its job's retry; or
   * cancelled, when a reschedule planned another for the same lead meanwhile.
   */
  async unclaim(id: number): Promise<void> {
    await query(
      this.db.manager,
      sql`UPDATE appointment_reminders reminder SET status = CASE WHEN EXISTS (
           SELECT 1 FROM appointment_reminders other WHERE other.appointment_id = reminder.appointment_id
             AND other.lead_seconds = reminder.lead_seconds AND other.status = 'planned'
         ) THEN 'cancelled' ELSE 'planned' END::appointment_reminder_status
       WHERE reminder.id = ${id} AND reminder.status = 'sending'`,
    );
  }

  /** An appointment's reminders, in the order they were planned. */
  list(appointmentId: number): Promise<AppointmentReminder[]> {
    const manager = this.db.manager;
    return query<AppointmentReminder>(
      manager,
      sql`SELECT ${columnsOf(manager, AppointmentReminder, 'reminder')} FROM appointment_reminders reminder
       WHERE reminder.appointment_id = ${appointmentId} ORDER BY reminder.id ASC`,
    );
  }
}
