import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../core/config/app-config';
import { InjectAppConfig } from '../core/config/app-config.provider';
import { InvalidFieldError, NotFoundError } from '../core/errors';
import { DoctorsService } from '../doctors/doctors.service';
import { SchedulesService } from '../schedules/schedules.service';
import { freeSlots, weeklyOf } from '../schedules/slots';
import { addDays } from '../schedules/zoned-time';
import { AppointmentsRepository } from './appointments.repository';
import { SlotDto, SlotsQuery } from './dto/slots.query';

const MAX_DAYS = 31;

/** Free-slot search: a doctor's schedule minus its active appointments. */
@Injectable()
export class AvailabilityService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly doctors: DoctorsService,
    private readonly schedules: SchedulesService,
    private readonly appointments: AppointmentsRepository,
    @InjectAppConfig() private readonly config: AppConfig,
  ) {}

  async freeSlots(doctorId: number, query: SlotsQuery): Promise<SlotDto[]> {
    const from = query.from ?? query.date!;
    const to = query.to ?? query.date!;
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;
    if (Number.isNaN(days) || days < 1 || days > MAX_DAYS) {
      const message = `to must be on or after from, at most ${MAX_DAYS} days in all`;
      throw InvalidFieldError.of('to', message);
    }
    if (!(await this.doctors.find(this.db.manager, doctorId))) throw new NotFoundError('Doctor not found.');
    const schedule = await this.schedules.find(this.db.manager, doctorId);
    if (!schedule) throw new NotFoundError('This doctor has no schedule; any time can be booked.');
    // Local days span at most ±14 h around UTC days: a day of margin on each side covers every zone.
    const busy = await this.appointments.busyTimes(
      doctorId,
      new Date(`${addDays(from, -1)}T00:00:00Z`),
      new Date(`${addDays(to, 2)}T00:00:00Z`),
    );
    // Nothing a booking would refuse: slots past the booking horizon are not offered.
    const latest = Date.now() + this.config.booking.horizonDays * 86_400_000;
    return freeSlots(weeklyOf(schedule), from, to, busy, new Date())
      .filter(({ start }) => start.getTime() <= latest)
      .map(({ start, end }) => ({ start: start.toISOString(), end: end.toISOString() }));
  }
}
