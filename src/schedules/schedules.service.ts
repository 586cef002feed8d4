import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { InvalidFieldError, NotFoundError } from '../core/errors';
import { DoctorsService } from '../doctors/doctors.service';
import { ScheduleEntry } from './doctor-schedule.entity';
import { SchedulesRepository, ZonedSchedule } from './schedules.repository';
import { PutScheduleDto, ScheduleDto, toScheduleDto } from './dto/schedule.dto';
import { isIanaTimeZone, parseClock } from './zoned-time';

/** Doctors' weekly schedules; a doctor without one can be booked at any time. */
@Injectable()
export class SchedulesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly schedules: SchedulesRepository,
    private readonly doctors: DoctorsService,
    private readonly audit: AuditService,
  ) {}

  async get(doctorId: number): Promise<ScheduleDto> {
    if (!(await this.doctors.find(this.db.manager, doctorId))) throw new NotFoundError('Doctor not found.');
    const schedule = await this.find(this.db.manager, doctorId);
    if (!schedule) throw new NotFoundError('This doctor has no schedule.');
    return toScheduleDto(schedule);
  }

  async put(doctorId: number, dto: PutScheduleDto, user: AuthUser): Promise<ScheduleDto> {
    assertValid(dto);
    const timezone = dto.timezone ?? null;
    const schedule = await this.db.transaction(async (manager) => {
      await this.doctors.requireWritable(manager, doctorId, user);
      const clinicTimezone = timezone === null ? await this.schedules.clinicTimezone(manager, doctorId) : null;
      if (timezone === null && clinicTimezone === null) {
        throw InvalidFieldError.of(
          'timezone',
          "Name the schedule's time zone: the doctor belongs to no clinic whose time zone it could use.",
        );
      }
      const existing = await this.find(manager, doctorId);
      const schedule: ZonedSchedule = existing ?? Object.assign(this.schedules.create({ doctorId }), { effectiveTimezone: null });
      const entries = dto.entries.map(({ weekday, start, end }) => ({ weekday, start, end }));
      const changedFields = [
        ...(schedule.timezone !== timezone ? ['timezone'] : []),
        ...(schedule.slotMinutes !== dto.slot_minutes ? ['slot_minutes'] : []),
        ...(entryKey(schedule.entries) !== entryKey(entries) ? ['entries'] : []),
      ];
      Object.assign(schedule, { timezone, effectiveTimezone: timezone ?? clinicTimezone, slotMinutes: dto.slot_minutes, entries });
      // Nothing changed, nothing written: the version (and so the ETag) stays.
      if (!existing) await this.schedules.insert(manager, schedule);
      else if (changedFields.length > 0) await this.schedules.update(manager, schedule);
      // A schedule is the doctor's: its entity id is the doctor's.
      await this.audit.of(user, 'schedule').changed(manager, existing ? 'update' : 'create', doctorId, changedFields);
      return schedule;
    });
    return toScheduleDto(schedule);
  }

  /** The doctor's schedule, if it has one; read on every booking. */
  find(manager: EntityManager, doctorId: number): Promise<ZonedSchedule | null> {
    return this.schedules.find(manager, doctorId);
  }
}

/** Entries compared by value (jsonb hands back its keys in an order of its own). */
function entryKey(entries: ScheduleEntry[] | undefined): string {
  return (entries ?? []).map(({ weekday, start, end }) => `${weekday} ${start}-${end}`).join(',');
}

/** Rules the DTO decorators cannot say: a real time zone, and openings that end after they start and do not overlap. */
function assertValid(dto: PutScheduleDto): void {
  const errors: Record<string, string[]> = {};
  if (dto.timezone != null && !isIanaTimeZone(dto.timezone))
    errors.timezone = [`Unknown time zone "${dto.timezone}"; use an IANA name like Europe/Berlin.`];
  dto.entries.forEach((entry, index) => {
    const reversed = parseClock(entry.end) <= parseClock(entry.start);
    if (reversed) errors[`entries.${index}.end`] = ['end must be after start'];
    const overlapping = dto.entries.findIndex(
      (other, otherIndex) =>
        otherIndex !== index &&
        other.weekday === entry.weekday &&
        parseClock(other.start) < parseClock(entry.end) &&
        parseClock(entry.start) < parseClock(other.end),
    );
    if (overlapping !== -1 && !reversed) errors[`entries.${index}`] = [`overlaps entries.${overlapping} on the same weekday`];
  });
  if (Object.keys(errors).length > 0) throw new InvalidFieldError('The schedule is not valid.', errors);
}
