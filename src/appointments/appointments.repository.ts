import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { whereVisible } from '../access/access.policy';
import { columnsOf, query, sql, type Sql } from '../core/database/sql';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import type { RemovedRecord } from '../core/records/record-removal';
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
  status?: AppointmentStatus;
  from?: Date;
  to?: Date;
}

/**
 * Every statement on appointments and their status history, through TypeORM's query builder:
 * the reads join the doctor and patient and take the access predicate (access.policy.ts), which
 * a query builder says plainly. Hand-written SQL in two places only: the booking's statements, a
 * hot path the benchmark names (see core/database/sql.ts for what the ORM cost there), and the
 * cancellation of a removed record's future appointments, one statement with its history, which
 * a query builder cannot say (data-modifying CTEs).
 */
@Injectable()
export class AppointmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One page of the appointments `visible` lets through, by time, with doctor and patient joined. */
  async list(visible: Sql | null, filter: AppointmentFilter, page: PageQueryDto): Promise<Page<Appointment>> {
    const qb = this.visible(this.db.manager, visible);
    if (filter.doctor !== undefined) qb.andWhere('appointment.doctorId = :doctor', { doctor: filter.doctor });
    if (filter.patient !== undefined) qb.andWhere('appointment.patientId = :patient', { patient: filter.patient });
    if (filter.status !== undefined) qb.andWhere('appointment.status = :status', { status: filter.status });
    if (filter.from !== undefined) qb.andWhere('appointment.appointmentDatetime >= :from', { from: filter.from });
    if (filter.to !== undefined) qb.andWhere('appointment.appointmentDatetime < :to', { to: filter.to });
    const [appointments, total] = await qb
      .orderBy('appointment.appointmentDatetime', 'ASC')
      .addOrderBy('appointment.id', 'ASC')
      .offset(page.offset)
      .limit(page.page_size)
      .getManyAndCount();
    return new Page(appointments, total, page);
  }

  /** The appointment if `visible` lets it through, with doctor and patient; locked for update if asked. */
  findVisible(manager: EntityManager, id: number, visible: Sql | null, lock = false): Promise<Appointment | null> {
    const qb = this.visible(manager, visible).andWhere('appointment.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write', undefined, ['appointment']);
    return qb.getOne();
  }

  /** An appointment's status changes, oldest first. */
  history(appointmentId: number): Promise<AppointmentStatusChange[]> {
    return this.db.manager
      .createQueryBuilder(AppointmentStatusChange, 'change')
      .where('change.appointmentId = :appointmentId', { appointmentId })
      .orderBy('change.id', 'ASC')
      .getMany();
  }

  /** Active appointments of a doctor that overlap [from, to), for free-slot search. */
  async busyTimes(doctorId: number, from: Date, to: Date): Promise<{ start: Date; end: Date }[]> {
    const rows = await this.db.manager
      .createQueryBuilder(Appointment, 'appointment')
      .select(['appointment.appointmentDatetime', 'appointment.endsAt'])
      .where('appointment.doctorId = :doctorId', { doctorId })
      .andWhere('appointment.status IN (:...active)', { active: ACTIVE_STATUSES })
      .andWhere('appointment.appointmentDatetime < :to AND appointment.endsAt > :from', { from, to })
      .getMany();
    return rows.map((row) => ({ start: row.appointmentDatetime, end: row.endsAt }));
  }

  /**
   * Writes the fields a change may touch; the version goes up and `updated_at` moves (both read
   * back into `appointment`, which its ETag and response show).
   */
  async update(manager: EntityManager, appointment: Appointment): Promise<void> {
    const { status, appointmentDatetime, durationMinutes, endsAt, reason, notes } = appointment;
    const result = await manager
      .createQueryBuilder()
      .update(Appointment)
      .set({ status, appointmentDatetime, durationMinutes, endsAt, reason, notes })
      .where('id = :id', { id: appointment.id })
      .returning(['version', 'updatedAt'])
      .updateEntity(false)
      .execute();
    const [row] = result.raw as { version: number; updated_at: Date }[];
    appointment.version = row.version;
    appointment.updatedAt = row.updated_at;
  }

  async insertStatusChange(
    manager: EntityManager,
    appointmentId: number,
    from: AppointmentStatus | null,
    to: AppointmentStatus,
    actorId: number,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(AppointmentStatusChange)
      .values({ appointmentId, fromStatus: from, toStatus: to, changedById: actorId })
      .execute();
  }

  /**
   * Booking hot path, hand-written SQL: the patient's upcoming appointments (except one being
   * moved). Run it under the patient's `turns` lock for the count to hold until commit.
   */
  async countUpcoming(manager: EntityManager, patientId: number, except?: number): Promise<number> {
    const [{ count }] = await query<{ count: number }>(
      manager,
      sql`SELECT count(*)::int AS count FROM appointments
       WHERE patient_id = ${patientId} AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now() AND id <> ${except ?? 0}`,
    );
    return count;
  }

  /** Booking hot path, hand-written SQL: the appointment and its first status change, in one statement. */
  async insertWithHistory(manager: EntityManager, booking: NewAppointment): Promise<Appointment> {
    const rows = await query<Appointment>(
      manager,
      sql`WITH appointment AS (
         INSERT INTO appointments (doctor_id, patient_id, appointment_datetime, duration_minutes, ends_at, reason, notes, status, created_by_id)
         VALUES (${booking.doctorId}, ${booking.patientId}, ${booking.appointmentDatetime}, ${booking.durationMinutes}, ${booking.endsAt}, ${booking.reason}, ${booking.notes}, ${booking.status}, ${booking.createdById}) RETURNING *
       ), history AS (
         INSERT INTO appointment_status_changes (appointment_id, to_status, changed_by_id)
         SELECT id, status, created_by_id FROM appointment
       )
       SELECT ${columnsOf(manager, Appointment, 'appointment')} FROM appointment`,
    );
    return rows[0];
  }

  /**
   * Cancels the future active appointments of a patient or doctor and records each change, in
   * one statement; the ids of the cancelled appointments.
   */
  async cancelFutureOf(manager: EntityManager, record: RemovedRecord, id: number, actorId: number): Promise<number[]> {
    const column = sql.raw(record === 'patient' ? 'patient_id' : 'doctor_id');
    const cancelled = await query<{ appointment_id: number }>(
      manager,
      sql`WITH target AS (
         SELECT id, status FROM appointments
         WHERE ${column} = ${id} AND status IN ('SCHEDULED', 'CHECKED_IN') AND appointment_datetime > now()
         FOR UPDATE
       ), cancelled AS (
         UPDATE appointments a SET status = 'CANCELLED', version = a.version + 1, updated_at = now()
         FROM target WHERE a.id = target.id
       )
       INSERT INTO appointment_status_changes (appointment_id, from_status, to_status, changed_by_id)
       SELECT id, status, 'CANCELLED', ${actorId} FROM target
       RETURNING appointment_id`,
    );
    return cancelled.map(({ appointment_id }) => appointment_id);
  }

  /** Appointments `visible` lets through, with doctor and patient joined (one query, no N+1). */
  private visible(manager: EntityManager, visible: Sql | null) {
    const qb = manager
      .createQueryBuilder(Appointment, 'appointment')
      .innerJoinAndSelect('appointment.doctor', 'doctor')
      .innerJoinAndSelect('appointment.patient', 'patient');
    whereVisible(qb, visible);
    return qb;
  }
}
