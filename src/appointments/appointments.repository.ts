import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, joinedColumnsOf, nestJoined, query, selectOne, sql, type Sql } from '../core/database/sql';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import type { RemovedRecord } from '../core/records/record-removal';
import { LOCK_CLAUSES } from '../core/records/row-lock';
import { Doctor } from '../doctors/doctor.entity';
import { WRITTEN_EVENT, type WrittenEvent } from '../events/events.repository';
import { Patient } from '../patients/patient.entity';
import { DoctorSchedule } from '../schedules/doctor-schedule.entity';
import { effectiveTimezone, type ZonedSchedule } from '../schedules/schedules.repository';
import { ACTIVE_STATUSES, AppointmentStatus } from './appointment-status';
import { AppointmentStatusChange } from './appointment-status-change.entity';
import { Appointment } from './appointment.entity';

/** What a booking writes; the database adds the id, timestamps and version. */
export type NewAppointment = Pick<
  Appointment,
  'doctorId' | 'patientId' | 'appointmentDatetime' | 'durationMinutes' | 'endsAt' | 'reason' | 'notes' | 'status' | 'createdById'
>;

/** A list's filters, already read as instants (`to` exclusive). */
export interface AppointmentFilter {
  doctor?: number;
  patient?: number;
  /** The clinic of the appointment's patient. */
  clinic?: number;
  status?: AppointmentStatus;
  from?: Date;
  to?: Date;
}

/**
 * Every statement on appointments and their status history, hand-written (core/database/sql.ts):
 * the booking's statements are a hot path of the benchmark, where building and hydrating through
 * TypeORM cost more than the rest of the request, and the cancellation of a removed record's
 * future appointments with its history is one statement a query builder cannot say
 * (data-modifying CTEs); the other statements are in the same style, so the repository has one.
 * The reads join the doctor and the patient (live ones only) and take the access predicate of
 * access.policy.ts as it is, over the aliases it names. A write sets the version and `updated_at` itself.
 */
@Injectable()
export class AppointmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page of the appointments `visible` lets through, by time, with doctor and patient joined. */
  async list(visible: Sql | null, filter: AppointmentFilter, page: PageQueryDto): Promise<Page<Appointment>> {
    const where = visible !== null ? [visible] : [];
    if (filter.doctor !== undefined) where.push(sql`appointment.doctor_id = ${filter.doctor}`);
    if (filter.patient !== undefined) where.push(sql`appointment.patient_id = ${filter.patient}`);
    if (filter.clinic !== undefined) where.push(sql`patient.clinic_id = ${filter.clinic}`);
    if (filter.status !== undefined) where.push(sql`appointment.status = ${filter.status}`);
    if (filter.from !== undefined) where.push(sql`appointment.appointment_datetime >= ${filter.from}`);
    if (filter.to !== undefined) where.push(sql`appointment.appointment_datetime < ${filter.to}`);
    const manager = this.db.manager;
    const rows = await selectPage<Appointment>(
      manager,
      { select: withParties(manager), from: WITH_PARTIES, where, orderBy: sql`appointment.appointment_datetime ASC, appointment.id ASC` },
      page,
    );
    return rows.map(nestParties);
  }

  /**
   * The appointment if `visible` lets it through, with doctor and patient; its row (only its own)
   * locked for update if asked.
   */
  async findVisible(manager: EntityManager, id: number, visible: Sql | null, lock = false): Promise<Appointment | null> {
    const row = await selectOne<Appointment>(
      manager,
      sql`SELECT ${withParties(manager)} FROM ${WITH_PARTIES}
       WHERE appointment.id = ${id}${visible !== null ? sql` AND ${visible}` : sql.empty}${lock ? sql` ${LOCK_CLAUSES.update} OF appointment` : sql.empty}`,
    );
    return row && nestParties(row);
  }

  /** An appointment's status changes, oldest first. */
  history(appointmentId: number): Promise<AppointmentStatusChange[]> {
    const manager = this.db.manager;
    return query<AppointmentStatusChange>(
      manager,
      sql`SELECT ${columnsOf(manager, AppointmentStatusChange, 'change')} FROM appointment_status_changes change
       WHERE change.appointment_id = ${appointmentId} ORDER BY change.id ASC`,
    );
  }

  /** Active appointments of a doctor that overlap [from, to), for free-slot search. */
  async busyTimes(doctorId: number, from: Date, to: Date): Promise<{ start: Date; end: Date }[]> {
    const active = sql.join(
      ACTIVE_STATUSES.map((status) => sql`${status}`),
      ', ',
    );
    return query<{ start: Date; end: Date }>(
      this.db.manager,
      sql`SELECT appointment_datetime AS start, ends_at AS "end" FROM appointments
       WHERE doctor_id = ${doctorId} AND status IN (${active}) AND appointment_datetime < ${to} AND ends_at > ${from}`,
    );
  }

  /**
   * Writes the fields a change may touch, one version on; `appointment` takes the row as stored
   * (its version and `updated_at` are what its ETag and response show), keeping its doctor and patient.
   */
  async update(manager: EntityManager, a: Appointment): Promise<void> {
    const row = await selectOne<Appointment>(
      manager,
      sql`UPDATE appointments appointment SET status = ${a.status}, appointment_datetime = ${a.appointmentDatetime},
            duration_minutes = ${a.durationMinutes}, ends_at = ${a.endsAt}, reason = ${a.reason}, notes = ${a.notes},
            version = version + 1, updated_at = now()
          WHERE id = ${a.id} RETURNING ${columnsOf(manager, Appointment, 'appointment')}`,
    );
    Object.assign(a, row);
  }

  async insertStatusChange(
    manager: EntityManager,
    appointmentId: number,
    from: AppointmentStatus | null,
    to: AppointmentStatus,
    actorId: number,
  ): Promise<void> {
    await query(
      manager,
      sql`INSERT INTO appointment_status_changes (appointment_id, from_status, to_status, changed_by_id)
       VALUES (${appointmentId}, ${from}, ${to}, ${actorId})`,
    );
  }

  /**
   * A booking's parties in one statement (booking hot path): the live patient, locked for `turns`
   * (its bookings take turns, so the cap counts what the one before committed), with whether
   * `readable` (over `patient`) lets the caller see it; the live doctor, locked for `share`; and
   * the doctor's schedule, if any, with its time zone in effect. Both locks mean a patient or
   * doctor deleted concurrently either is gone here or cancels this booking.
   */
  async lockParties(manager: EntityManager, patientId: number, doctorId: number, readable: Sql): Promise<BookingParties> {
    const row = await selectOne<Record<'patient' | 'doctor' | 'schedule', Record<string, unknown>> & { effectiveTimezone: string | null }>(
      manager,
      sql`WITH patient AS (
         SELECT patient.*, ${readable} AS readable FROM patients patient
         WHERE patient.id = ${patientId} AND patient.deleted_at IS NULL ${LOCK_CLAUSES.turns}
       ), doctor AS (
         SELECT doctor.* FROM doctors doctor WHERE doctor.id = ${doctorId} AND doctor.deleted_at IS NULL ${LOCK_CLAUSES.share}
       )
       SELECT ${joinedColumnsOf(manager, Patient, 'patient')}, patient.readable AS "patient.readable",
         ${joinedColumnsOf(manager, Doctor, 'doctor')}, ${joinedColumnsOf(manager, DoctorSchedule, 'schedule')},
         CASE WHEN schedule.doctor_id IS NOT NULL THEN ${effectiveTimezone} END AS "effectiveTimezone"
       FROM (SELECT) one LEFT JOIN patient ON TRUE LEFT JOIN doctor ON TRUE
         LEFT JOIN doctor_schedules schedule ON schedule.doctor_id = doctor.id`,
      { prepared: true },
    );
    for (const alias of ['patient', 'doctor', 'schedule'] as const) nestJoined(row!, alias);
    const { patient, doctor, schedule, effectiveTimezone: timezone } = row!;
    const readableFlag = patient.readable === true;
    delete patient.readable;
    return {
      patient: patient.id === null ? null : { patient: patient as unknown as Patient, readable: readableFlag },
      doctor: doctor.id === null ? null : (doctor as unknown as Doctor),
      schedule: schedule.doctorId === null ? null : Object.assign(schedule as unknown as DoctorSchedule, { effectiveTimezone: timezone }),
    };
  }

  /**
   * The patient's upcoming appointments (except one being moved). Run it under the patient's
   * `turns` lock for the count to hold until commit.
   */
  async countUpcoming(manager: EntityManager, patientId: number, except?: number): Promise<number> {
    const [{ count }] = await query<{ count: number }>(manager, upcomingCount(patientId, except));
    return count;
  }

  /**
   * Booking hot path, hand-written SQL: the appointment and its first status change, in one
   * statement, unless the patient already has `cap` upcoming appointments (null then; run it
   * under the patient's `turns` lock, as `countUpcoming`). Given the CTE that holds the new
   * appointment, `audited` gives the audit entries and `emitted` the event CTEs
   * (EventsService.emittedWith) that the same statement writes; the written event comes back with
   * the appointment.
   */
  async insertWithHistory(
    manager: EntityManager,
    booking: NewAppointment,
    cap: number,
    also: { audited?: (record: Sql) => Sql; emitted?: (record: Sql) => Sql } = {},
  ): Promise<{ appointment: Appointment; event: WrittenEvent | null } | null> {
    const { audited, emitted } = also;
    const row = await selectOne<Appointment & { event?: WrittenEvent }>(
      manager,
      sql`WITH upcoming AS (${upcomingCount(booking.patientId)}), appointment AS (
         INSERT INTO appointments (doctor_id, patient_id, appointment_datetime, duration_minutes, ends_at, reason, notes, status, created_by_id)
         SELECT ${booking.doctorId}, ${booking.patientId}, ${booking.appointmentDatetime}, ${booking.durationMinutes}, ${booking.endsAt}, ${booking.reason}, ${booking.notes}, ${booking.status}, ${booking.createdById}
         FROM upcoming WHERE upcoming.count < ${cap} RETURNING *
       ), history AS (
         INSERT INTO appointment_status_changes (appointment_id, to_status, changed_by_id)
         SELECT id, status, created_by_id FROM appointment
       )${audited ? sql`, audit AS (${audited(sql`appointment`)})` : sql.empty}${emitted ? sql`, ${emitted(sql`appointment`)}` : sql.empty}
       SELECT ${columnsOf(manager, Appointment, 'appointment')}${emitted ? WRITTEN_EVENT.columns : sql.empty}
       FROM appointment${emitted ? WRITTEN_EVENT.join : sql.empty}`,
      { prepared: true },
    );
    if (!row) return null;
    if (!emitted) return { appointment: row, event: null };
    nestJoined(row, 'event');
    const { event, ...appointment } = row;
    return { appointment, event: event ?? null };
  }

  /**
   * Cancels the future active appointments of a patient or doctor and records each change, in
   * one statement; the ids of the cancelled appointments.
   */
  async cancelFutureOf(manager: EntityManager, record: RemovedRecord, id: number, actorId: number): Promise<CancelledAppointment[]> {
    const column = sql.raw(record === 'patient' ? 'patient_id' : 'doctor_id');
    return query<CancelledAppointment>(
      manager,
      sql`WITH target AS (
         SELECT id, status, patient_id, doctor_id FROM appointments
         WHERE ${column} = ${id} AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now()
         FOR UPDATE
       ), cancelled AS (
         UPDATE appointments a SET status = 'CANCELLED', version = a.version + 1, updated_at = now()
         FROM target WHERE a.id = target.id
       ), history AS (
         INSERT INTO appointment_status_changes (appointment_id, from_status, to_status, changed_by_id)
         SELECT id, status, 'CANCELLED', ${actorId} FROM target
       )
       SELECT id, patient_id AS "patientId", doctor_id AS "doctorId" FROM target ORDER BY id`,
    );
  }
}

/** A booking's parties as `lockParties` finds them: null for a missing one. */
export interface BookingParties {
  /** The live patient, and whether the caller may read it. */
  patient: { patient: Patient; readable: boolean } | null;
  doctor: Doctor | null;
  schedule: ZonedSchedule | null;
}

/** The number (`count`) of a patient's upcoming appointments, but `except`. */
function upcomingCount(patientId: number, except?: number): Sql {
  return sql`SELECT count(*)::int AS count FROM appointments
       WHERE patient_id = ${patientId} AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now() AND id <> ${except ?? 0}`;
}

/** An appointment a deletion cancelled, with its parties' ids (for its event). */
export interface CancelledAppointment {
  id: number;
  patientId: number;
  doctorId: number;
}

/** An appointment with its doctor and patient, as TypeORM's inner joins had them: live ones only. */
const WITH_PARTIES = sql`appointments appointment
       JOIN doctors doctor ON doctor.id = appointment.doctor_id AND doctor.deleted_at IS NULL
       JOIN patients patient ON patient.id = appointment.patient_id AND patient.deleted_at IS NULL`;

/** The select list over WITH_PARTIES: the appointment's columns, then the doctor's and the patient's. */
function withParties(manager: EntityManager): Sql {
  return sql`${columnsOf(manager, Appointment, 'appointment')}, ${joinedColumnsOf(manager, Doctor, 'doctor')}, ${joinedColumnsOf(manager, Patient, 'patient')}`;
}

/** A row selected by `withParties`, its doctor and patient gathered as `appointment.doctor` and `.patient`. */
function nestParties(row: Appointment): Appointment {
  nestJoined(row, 'doctor');
  nestJoined(row, 'patient');
  return row;
}
