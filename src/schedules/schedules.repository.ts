import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, selectOne, sql } from '../core/database/sql';
import { DoctorSchedule } from './doctor-schedule.entity';

/**
 * Every statement on doctors' schedules. TypeORM's find/save, except the read that every booking
 * makes, a benchmark hot path: hand-written SQL (see core/database/sql.ts for what the ORM cost there).
 */
@Injectable()
export class SchedulesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new, unsaved schedule. */
  create(values: Partial<DoctorSchedule>): DoctorSchedule {
    return this.db.manager.create(DoctorSchedule, values);
  }

  /** Hot path (read on every booking): the doctor's schedule, if it has one. */
  find(manager: EntityManager, doctorId: number): Promise<DoctorSchedule | null> {
    return selectOne<DoctorSchedule>(
      manager,
      sql`SELECT ${columnsOf(manager, DoctorSchedule, 'schedule')} FROM doctor_schedules schedule WHERE schedule.doctor_id = ${doctorId}`,
    );
  }

  save(manager: EntityManager, schedule: DoctorSchedule): Promise<DoctorSchedule> {
    return manager.save(DoctorSchedule, schedule);
  }
}
