import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { appointmentsVisible, patientReadable, statusChangeRefusal } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import type { AppConfig } from '../core/config/app-config';
import { ConflictError, InvalidFieldError, NotAllowedError, NotFoundError } from '../core/errors';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { assertIfMatch } from '../core/http/etag';
import { describeConstraint } from '../core/http/problem';
import { Page } from '../core/pagination/pagination';
import { retriedTransaction } from '../core/database/retried-transaction';
import { Removal, RecordRemoval } from '../core/records/record-removal';
import { EventsService } from '../events/events.service';
import { PatientsService } from '../patients/patients.service';
import { SchedulesService } from '../schedules/schedules.service';
import { outsideScheduleReason, weeklyOf } from '../schedules/slots';
import { AppointmentStatus, canMove, isFinal } from './appointment-status';
import { Appointment, DEFAULT_DURATION_MINUTES } from './appointment.entity';
import { AppointmentsRepository, NewAppointment } from './appointments.repository';
import { AppointmentDto, StatusChangeDto, toAppointmentDto, toStatusChangeDto } from './dto/appointment.dto';
import { CreateAppointmentDto, ZONED_DATETIME } from './dto/create-appointment.dto';
import { ListAppointmentsQuery } from './dto/list-appointments.query';
import { ReplaceAppointmentDto } from './dto/replace-appointment.dto';
import { UpdateAppointmentDto } from './dto/update-appointment.dto';

describeConstraint('appointments_doctor_no_overlap', 'Doctor already has an appointment at this time.');
describeConstraint('appointments_patient_no_overlap', 'Patient already has an appointment at this time.');

const NOT_FOUND = 'Appointment not found.';

@Injectable()
export class AppointmentsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly appointments: AppointmentsRepository,
    private readonly patients: PatientsService,
    private readonly schedules: SchedulesService,
    private readonly removal: RecordRemoval,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.removal.onRemoved((manager, removal) => this.cancelFutureOf(manager, removal));
  }

  async create(dto: CreateAppointmentDto, user: AuthUser): Promise<AppointmentDto> {
    const start = new Date(dto.appointment_datetime);
    const duration = dto.duration_minutes ?? DEFAULT_DURATION_MINUTES;
    this.assertBookable(start);
    const appointment = await retriedTransaction(this.db, async (manager) => {
      // Both parties locked and the schedule read in one statement (see lockParties), then the
      // cap counted and the appointment written in another: the count sees what the booking that
      // held the patient's lock before committed.
      const locked = await this.appointments.lockParties(manager, dto.patient, dto.doctor, patientReadable(user));
      const patient = this.patients.writableOf(locked.patient, user);
      const { doctor, schedule } = locked;
      if (!doctor) {
        await this.assertBelowCap(manager, patient.id);
        throw InvalidFieldError.of('doctor', 'No doctor with this id.');
      }
      const booking: NewAppointment = {
        doctorId: doctor.id,
        patientId: patient.id,
        appointmentDatetime: start,
        durationMinutes: duration,
        endsAt: endOf(start, duration),
        reason: dto.reason ?? null,
        notes: dto.notes ?? null,
        status: AppointmentStatus.Scheduled,
        createdById: user.id,
      };
      const outside = schedule && outsideScheduleReason(weeklyOf(schedule), start, booking.endsAt);
      if (outside) {
        // The cap is told first, as a booking outside the schedule always was.
        await this.assertBelowCap(manager, patient.id);
        throw InvalidFieldError.of('appointment_datetime', outside);
      }
      // Overlaps are refused by the exclusion constraints, race or no race (→ 409 with their message).
      // The fields sent: a DTO instance has every declared field, those not sent as undefined.
      const sent = Object.entries(dto).flatMap(([field, value]) => (value === undefined ? [] : [field]));
      // Its audit entry goes in with it, in the same statement; the clinic is the patient's, as the trail's join would find it.
      // Its event, and what follows from that, too: one round trip for the whole booking's writes.
      const audit = this.audit.of(user, 'appointment');
      const booked = { type: 'appointment.booked', patient: patient.id, doctor: doctor.id, changedFields: sent } as const;
      const inserted = await this.appointments.insertWithHistory(manager, booking, this.config.booking.maxUpcomingPerPatient, {
        audited: (record) => audit.changedBy(record, patient.clinicId, [['create', sent]]),
        emitted: (record) => this.events.emittedWith(booked, record),
      });
      if (!inserted) throw this.capReached();
      const { appointment, event } = inserted;
      if (event) await this.events.inserted(manager, { ...booked, appointment: appointment.id }, event);
      return Object.assign(appointment, { doctor, patient });
    });
    return toAppointmentDto(appointment);
  }

  async list(query: ListAppointmentsQuery, user: AuthUser): Promise<Page<AppointmentDto>> {
    const filter = {
      doctor: query.doctor,
      patient: query.patient,
      clinic: query.clinic,
      status: query.status,
      from: query.from !== undefined ? utcInstant(query.from) : undefined,
      to: query.to !== undefined ? exclusiveEnd(query.to) : undefined,
    };
    const page = await this.appointments.list(appointmentsVisible(user), filter, query);
    return page.map(toAppointmentDto);
  }

  async get(id: number, user: AuthUser): Promise<AppointmentDto> {
    return toAppointmentDto(await this.require(this.db.manager, id, user));
  }

  /** Throws NotFoundError unless the caller sees the appointment: for the routes of its sub-records (reminders). */
  async assertVisible(id: number, user: AuthUser): Promise<void> {
    await this.require(this.db.manager, id, user);
  }

  async history(id: number, user: AuthUser): Promise<StatusChangeDto[]> {
    await this.require(this.db.manager, id, user);
    const changes = await this.appointments.history(id);
    return changes.map(toStatusChangeDto);
  }

  update(id: number, dto: UpdateAppointmentDto, user: AuthUser, ifMatch?: string): Promise<AppointmentDto> {
    return this.change(id, () => dto, user, 'update', ifMatch);
  }

  /**
   * PUT: the PATCH of the fields whose values differ from the appointment's, so an appointment
   * read and sent back, with or without a change, goes through the same rules; a value sent
   * unchanged is no reschedule or status move (and no refusal once the appointment is final).
   */
  replace(id: number, dto: ReplaceAppointmentDto, user: AuthUser, ifMatch?: string): Promise<AppointmentDto> {
    return this.change(id, (current) => changesOf(current, dto), user, 'update', ifMatch);
  }

  /** DELETE: the appointment is cancelled and kept; its time is free again. */
  async cancel(id: number, user: AuthUser): Promise<void> {
    const current = await this.require(this.db.manager, id, user);
    if (current.status === AppointmentStatus.Cancelled) return;
    await this.change(id, () => ({ status: AppointmentStatus.Cancelled }), user, 'cancel');
  }

  /**
   * A PATCH, a PUT, or the cancellation of a DELETE (`action`, as the audit trail names it): the
   * changes `changesTo` makes of the appointment as locked.
   */
  private async change(
    id: number,
    changesTo: (current: Appointment) => UpdateAppointmentDto,
    user: AuthUser,
    action: 'update' | 'cancel',
    ifMatch?: string,
  ): Promise<AppointmentDto> {
    const appointment = await retriedTransaction(this.db, async (manager) => {
      const appointment = await this.require(manager, id, user, true);
      assertIfMatch(ifMatch, appointment.version);
      const before = { ...appointment };
      const dto = changesTo(appointment);
      if (isFinal(appointment.status) && Object.values(dto).some((value) => value !== undefined)) {
        throw new ConflictError(`A ${appointment.status} appointment cannot change any more.`);
      }
      const from = appointment.status;
      if (dto.status !== undefined && dto.status !== from) this.move(appointment, dto.status, user);
      if (dto.appointment_datetime !== undefined || dto.duration_minutes !== undefined)
        await this.reschedule(manager, appointment, dto, from);
      if (dto.reason !== undefined) appointment.reason = dto.reason;
      if (dto.notes !== undefined) appointment.notes = dto.notes;
      const changedFields = changedFieldsOf(before, appointment);
      // Nothing changed, nothing written: the version (and so the ETag) stays.
      if (changedFields.length > 0) await this.appointments.update(manager, appointment);
      if (appointment.status !== from) await this.appointments.insertStatusChange(manager, id, from, appointment.status, user.id);
      await this.audit.of(user, 'appointment').changed(manager, action, id, changedFields);
      await this.emitChange(manager, appointment, from, changedFields);
      return appointment;
    });
    return toAppointmentDto(appointment);
  }

  /** A status change or a reschedule (a change can make one of them, never both) is an event; a new reason or note is not. */
  private async emitChange(
    manager: EntityManager,
    appointment: Appointment,
    from: AppointmentStatus,
    changedFields: string[],
  ): Promise<void> {
    const parties = { appointment: appointment.id, patient: appointment.patientId, doctor: appointment.doctorId, changedFields };
    if (appointment.status !== from) {
      await this.events.emit(manager, { type: 'appointment.status_changed', ...parties, status: appointment.status });
    } else if (changedFields.includes('appointment_datetime') || changedFields.includes('duration_minutes')) {
      await this.events.emit(manager, { type: 'appointment.rescheduled', ...parties });
    }
  }

  /** A status change the statuses allow (else 409) and the caller may make (else 403, see access.policy.ts). */
  private move(appointment: Appointment, to: AppointmentStatus, user: AuthUser): void {
    const from = appointment.status;
    if (!canMove(from, to)) throw new ConflictError(`An appointment cannot go from ${from} to ${to}.`);
    const refusal = statusChangeRefusal(user, appointment, to);
    if (refusal) throw new NotAllowedError(refusal);
    appointment.status = to;
  }

  private async reschedule(
    manager: EntityManager,
    appointment: Appointment,
    dto: UpdateAppointmentDto,
    from: AppointmentStatus,
  ): Promise<void> {
    if (from !== AppointmentStatus.Scheduled || appointment.status !== AppointmentStatus.Scheduled) {
      throw new ConflictError('Only a scheduled appointment can be moved.');
    }
    if (dto.appointment_datetime === null || dto.duration_minutes === null) {
      throw InvalidFieldError.of(
        dto.appointment_datetime === null ? 'appointment_datetime' : 'duration_minutes',
        'This field cannot be null.',
      );
    }
    const start = dto.appointment_datetime !== undefined ? new Date(dto.appointment_datetime) : appointment.appointmentDatetime;
    if (dto.appointment_datetime !== undefined) {
      this.assertBookable(start);
      await this.patients.lock(manager, appointment.patientId, 'turns');
      await this.assertBelowCap(manager, appointment.patientId, appointment.id);
    }
    appointment.appointmentDatetime = start;
    appointment.durationMinutes = dto.duration_minutes ?? appointment.durationMinutes;
    appointment.endsAt = endOf(start, appointment.durationMinutes);
    await this.assertWithinSchedule(manager, appointment);
  }

  /** In the future, and no further ahead than the booking horizon. */
  private assertBookable(start: Date): void {
    assertFuture(start);
    const days = this.config.booking.horizonDays;
    if (start.getTime() > Date.now() + days * 86_400_000) {
      throw InvalidFieldError.of('appointment_datetime', `The appointment must start within ${days} days from now.`);
    }
  }

  /**
   * One more upcoming appointment must keep the patient within the cap. Only under the patient's
   * `turns` lock: then no other booking of the patient can commit between this count and ours.
   */
  private async assertBelowCap(manager: EntityManager, patientId: number, except?: number): Promise<void> {
    const count = await this.appointments.countUpcoming(manager, patientId, except);
    if (count >= this.config.booking.maxUpcomingPerPatient) throw this.capReached();
  }

  private capReached(): ConflictError {
    const cap = this.config.booking.maxUpcomingPerPatient;
    return new ConflictError(`The patient already has ${cap} upcoming appointments, the most allowed.`);
  }

  private async assertWithinSchedule(manager: EntityManager, appointment: NewAppointment): Promise<void> {
    const schedule = await this.schedules.find(manager, appointment.doctorId);
    const reason = schedule && outsideScheduleReason(weeklyOf(schedule), appointment.appointmentDatetime, appointment.endsAt);
    if (reason) throw InvalidFieldError.of('appointment_datetime', reason);
  }

  private async require(manager: EntityManager, id: number, user: AuthUser, lock = false): Promise<Appointment> {
    const appointment = await this.appointments.findVisible(manager, id, appointmentsVisible(user), lock);
    if (!appointment) throw new NotFoundError(NOT_FOUND);
    return appointment;
  }

  /**
   * A deleted patient or doctor keeps its past; its future appointments are cancelled, with
   * history, each audited as a `cancel` by whoever deleted it.
   */
  private async cancelFutureOf(manager: EntityManager, { record, id, actorId, origin }: Removal): Promise<void> {
    const cancelled = await this.appointments.cancelFutureOf(manager, record, id, actorId);
    const ids = cancelled.map((appointment) => appointment.id);
    await this.audit.of({ id: actorId, origin }, 'appointment').changedAll(manager, 'cancel', ids, ['status']);
    await this.events.emitAll(
      manager,
      cancelled.map(({ id, patientId, doctorId }) => ({
        type: 'appointment.status_changed' as const,
        appointment: id,
        patient: patientId,
        doctor: doctorId,
        changedFields: ['status'],
        status: AppointmentStatus.Cancelled,
      })),
    );
  }
}

/**
 * The PATCH a PUT makes: its values that differ from the appointment's. The doctor and the
 * patient cannot change (a new booking is a new appointment): 400 naming the field.
 */
function changesOf(current: Appointment, dto: ReplaceAppointmentDto): UpdateAppointmentDto {
  for (const [field, value, own] of [
    ['doctor', dto.doctor, current.doctorId],
    ['patient', dto.patient, current.patientId],
  ] as const) {
    if (value !== own) throw InvalidFieldError.of(field, `The ${field} of an appointment cannot change; book a new appointment.`);
  }
  const differs = <T>(value: T | undefined, own: T) => (value === undefined || value === own ? undefined : value);
  const start = new Date(dto.appointment_datetime).getTime();
  return {
    appointment_datetime: start === current.appointmentDatetime.getTime() ? undefined : dto.appointment_datetime,
    duration_minutes: differs(dto.duration_minutes, current.durationMinutes),
    reason: differs(dto.reason, current.reason),
    notes: differs(dto.notes, current.notes),
    status: differs(dto.status, current.status),
  };
}

/** The fields an update changed, by their API names, for the audit trail. */
function changedFieldsOf(before: Appointment, after: Appointment): string[] {
  const fields: [string, unknown, unknown][] = [
    ['status', before.status, after.status],
    ['appointment_datetime', before.appointmentDatetime.getTime(), after.appointmentDatetime.getTime()],
    ['duration_minutes', before.durationMinutes, after.durationMinutes],
    ['reason', before.reason, after.reason],
    ['notes', before.notes, after.notes],
  ];
  return fields.filter(([, old, now]) => old !== now).map(([name]) => name);
}

function endOf(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * 60_000);
}

function assertFuture(start: Date): void {
  if (start.getTime() <= Date.now()) throw InvalidFieldError.of('appointment_datetime', 'The appointment must start in the future.');
}

/** A filter date or date-time; one without a zone is read as UTC, never as the server's local time. */
function utcInstant(value: string): Date {
  return new Date(/T/.test(value) && !ZONED_DATETIME.test(value) ? `${value}Z` : value);
}

/** A date-only `to` includes that whole day. */
function exclusiveEnd(to: string): Date {
  const date = utcInstant(to);
  return /^\d{4}-\d{2}-\d{2}$/.test(to) ? new Date(date.getTime() + 86_400_000) : date;
}
