import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { whereVisible } from '../access/access.policy';
import type { Sql } from '../core/database/sql';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { Doctor } from '../doctors/doctor.entity';
import { ListAssignmentsQuery } from './dto/list-assignments.query';
import { Assignment } from './assignment.entity';

/** Which assignments a list holds: the filters of `GET /api/mappings/`. */
export type AssignmentFilter = Pick<ListAssignmentsQuery, 'patient' | 'doctor' | 'clinic' | 'is_active'>;

/**
 * Every statement on assignments, through TypeORM (the query builder and find/save): none of them
 * is a hot path of the benchmark, so none is hand-written SQL.
 */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new, unsaved assignment. */
  build(fields: Partial<Assignment>): Assignment {
    return this.db.manager.create(Assignment, fields);
  }

  hasActive(manager: EntityManager, patientId: number, doctorId: number): Promise<boolean> {
    return manager.existsBy(Assignment, { patientId, doctorId, isActive: true });
  }

  /** Inserts or updates the assignment; its id, version and timestamps are set from the row. */
  async save(manager: EntityManager, assignment: Assignment): Promise<void> {
    await manager.save(assignment);
  }

  /** The assignment, its row locked for the transaction; null when there is none. */
  findForUpdate(manager: EntityManager, id: number): Promise<Assignment | null> {
    return manager.findOne(Assignment, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** One page of the assignments `visible` admits (all, when null), with their patient and doctor, filtered as `filter` asks. */
  async findPage(filter: AssignmentFilter, page: PageQueryDto, visible: Sql | null): Promise<Page<Assignment>> {
    // An assignment of a since-deleted doctor stays in the history (TypeORM would drop it with the
    // doctor), while those of a deleted patient go with the patient.
    const qb = this.db.manager
      .createQueryBuilder(Assignment, 'assignment')
      .withDeleted()
      .innerJoinAndSelect('assignment.patient', 'patient', 'patient.deletedAt IS NULL')
      .innerJoinAndSelect('assignment.doctor', 'doctor')
      .where('assignment.deletedAt IS NULL');
    whereVisible(qb, visible);
    if (filter.patient !== undefined) qb.andWhere('assignment.patientId = :patient', { patient: filter.patient });
    if (filter.doctor !== undefined) qb.andWhere('assignment.doctorId = :doctor', { doctor: filter.doctor });
    if (filter.clinic !== undefined) qb.andWhere('patient.clinicId = :clinic', { clinic: filter.clinic });
    if (filter.is_active !== undefined) qb.andWhere('assignment.isActive = :active', { active: filter.is_active });
    const [assignments, total] = await qb.orderBy('assignment.id', 'ASC').offset(page.offset).limit(page.page_size).getManyAndCount();
    return new Page(assignments, total, page);
  }

  /** One page of the doctors actively assigned to the patient, in the order they were assigned. */
  async findActiveDoctorsPage(patientId: number, query: PageQueryDto): Promise<Page<Doctor>> {
    const [doctors, total] = await this.db.manager
      .createQueryBuilder(Doctor, 'doctor')
      .innerJoin(Assignment, 'assignment', 'assignment.doctorId = doctor.id AND assignment.isActive')
      .where('assignment.patientId = :patientId', { patientId })
      .orderBy('assignment.assignedDate', 'ASC')
      .addOrderBy('doctor.id', 'ASC')
      .offset(query.offset)
      .limit(query.page_size)
      .getManyAndCount();
    return new Page(doctors, total, query);
  }

  /** Ends the active assignments of one patient or doctor; returns the ids of those it ended. */
  async endActive(manager: EntityManager, of: { patientId: number } | { doctorId: number }): Promise<EndedAssignment[]> {
    const result = await manager
      .createQueryBuilder()
      .update(Assignment)
      .set({ isActive: false, endedAt: () => 'now()', version: () => 'version + 1' })
      .where({ ...of, isActive: true })
      .returning('id, patient_id, doctor_id')
      .execute();
    const ended = result.raw as { id: number; patient_id: number; doctor_id: number }[];
    return ended.map((row) => ({ id: row.id, patientId: row.patient_id, doctorId: row.doctor_id }));
  }
}

/** An assignment a deletion ended, with its parties' ids (for its event). */
export interface EndedAssignment {
  id: number;
  patientId: number;
  doctorId: number;
}
