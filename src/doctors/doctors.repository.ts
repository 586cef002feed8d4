import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, selectOne, sql } from '../core/database/sql';
import { NotFoundError } from '../core/errors';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
import { User } from '../users/user.entity';
import { Doctor } from './doctor.entity';
import { ListDoctorsQuery } from './dto/list-doctors.query';

const NOT_FOUND = 'Doctor not found.';

/** `?ordering=` field → column. */
const ORDER_COLUMNS: Record<string, string> = {
  id: 'id',
  name: 'name',
  specialization: 'specialization',
  experience_years: 'experience_years',
  consultation_fee: 'consultation_fee',
  created_at: 'created_at',
};

/**
 * Every statement on doctor profiles. TypeORM's find/save, except the two hot paths the
 * benchmark names, the doctor list and the read by id that every booking makes: those are
 * hand-written SQL (see core/database/sql.ts for what the ORM cost there).
 */
@Injectable()
export class DoctorsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new, unsaved profile. */
  create(values: Partial<Doctor>): Doctor {
    return this.db.manager.create(Doctor, values);
  }

  /** Hot path (the doctor list): hand-written SQL, the page and its total in one statement. */
  list(query: ListDoctorsQuery): Promise<Page<Doctor>> {
    const where = [sql`doctor.deleted_at IS NULL`];
    if (query.search) {
      const pattern = sql.param(likePattern(query.search));
      // Each column has its trigram index (doctors_*_trgm_idx), which PostgreSQL ORs together.
      where.push(
        sql`(doctor.name ILIKE ${pattern} OR doctor.specialization ILIKE ${pattern} OR doctor.email::text ILIKE ${pattern} OR doctor.hospital ILIKE ${pattern})`,
      );
    }
    if (query.specialization) where.push(sql`doctor.specialization ILIKE ${likePattern(query.specialization).slice(1, -1)}`);
    const { field, direction } = parseOrdering(query.ordering);
    const nulls = direction === 'ASC' ? sql`NULLS LAST` : sql`NULLS FIRST`;
    const orderBy = sql`doctor.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)} ${nulls}${field === 'id' ? sql.empty : sql`, doctor.id ASC`}`;
    const select = columnsOf(this.db.manager, Doctor, 'doctor');
    return selectPage<Doctor>(this.db.manager, { select, from: sql`doctors doctor`, where, orderBy }, query);
  }

  /** Hot path (read on every booking): a doctor that exists (is not deleted), locked if asked; null otherwise. */
  find(manager: EntityManager, id: number, lock?: RowLock): Promise<Doctor | null> {
    return selectOne<Doctor>(
      manager,
      sql`SELECT ${columnsOf(manager, Doctor, 'doctor')} FROM doctors doctor WHERE doctor.id = ${id} AND doctor.deleted_at IS NULL${lock ? sql` ${LOCK_CLAUSES[lock]}` : sql.empty}`,
    );
  }

  async require(manager: EntityManager, id: number): Promise<Doctor> {
    const doctor = await this.find(manager, id);
    if (!doctor) throw new NotFoundError(NOT_FOUND);
    return doctor;
  }

  /** The doctor, locked for the transaction's update; 404 when there is none. */
  async requireForUpdate(manager: EntityManager, id: number): Promise<Doctor> {
    const doctor = await manager.findOne(Doctor, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!doctor) throw new NotFoundError(NOT_FOUND);
    return doctor;
  }

  /** The live doctor profile linked to an account, if any. */
  findByAccount(userId: number): Promise<Doctor | null> {
    return this.db.manager.findOneBy(Doctor, { userId });
  }

  /** The account a profile would link to, if it exists (its role decides whether it may). */
  findAccount(id: number): Promise<User | null> {
    return this.db.manager.findOneBy(User, { id });
  }

  save(manager: EntityManager, doctor: Doctor): Promise<Doctor> {
    return manager.save(doctor);
  }

  async softDelete(manager: EntityManager, id: number): Promise<void> {
    await manager.softDelete(Doctor, id);
  }
}
