import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, query, selectOne, sql, type Sql } from '../core/database/sql';
import { Role } from '../core/auth/role';
import { NotFoundError } from '../core/errors';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
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
 * Every statement on doctor profiles, hand-written (see core/database/sql.ts): the doctor list and
 * the read by id that every booking makes are hot paths of the benchmark, where the ORM cost more
 * than the rest of the request, and the other statements are in the same style, so the
 * repository has one. A write sets the version and the timestamps itself, as the entity declares them.
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
    // doctors_clinic_idx.
    if (query.clinic !== undefined) where.push(sql`doctor.clinic_id = ${query.clinic}`);
    const { field, direction } = parseOrdering(query.ordering);
    const nulls = direction === 'ASC' ? sql`NULLS LAST` : sql`NULLS FIRST`;
    const orderBy = sql`doctor.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)} ${nulls}${field === 'id' ? sql.empty : sql`, doctor.id ASC`}`;
    const select = columnsOf(this.db.manager, Doctor, 'doctor');
    const prepared = !query.search && !query.specialization;
    return selectPage<Doctor>(this.db.manager, { select, from: sql`doctors doctor`, where, orderBy, prepared }, query);
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
    const doctor = await this.find(manager, id, 'update');
    if (!doctor) throw new NotFoundError(NOT_FOUND);
    return doctor;
  }

  /** The live doctor profile linked to an account, if any. */
  findByAccount(userId: number): Promise<Doctor | null> {
    const manager = this.db.manager;
    return selectOne<Doctor>(
      manager,
      sql`SELECT ${columnsOf(manager, Doctor, 'doctor')} FROM doctors doctor WHERE doctor.user_id = ${userId} AND doctor.deleted_at IS NULL`,
    );
  }

  /** The role of the account a profile would link to (it decides whether it may); null when there is no such account. */
  async findAccountRole(id: number): Promise<Role | null> {
    const account = await selectOne<{ role: Role }>(this.db.manager, sql`SELECT role FROM users WHERE id = ${id}`);
    return account?.role ?? null;
  }

  /**
   * Inserts a new profile with the audit entries `audited` writes about it (given the CTE that
   * holds the new row), in one statement that commits both or neither: one round
   * trip where a transaction took four. The profile takes the row as stored (id, version,
   * timestamps, and null for what was not given).
   */
  async insert(d: Doctor, audited: (record: Sql) => Sql): Promise<void> {
    const manager = this.db.manager;
    const row = await selectOne<Doctor>(
      manager,
      sql`WITH doctor AS (
            INSERT INTO doctors AS doctor (created_by_id, name, email, phone, specialization, license_number, experience_years, consultation_fee, address, availability, hospital, user_id, clinic_id)
            VALUES (${d.createdById}, ${d.name}, ${d.email}, ${d.phone}, ${d.specialization}, ${d.licenseNumber}, ${d.experienceYears}, ${d.consultationFee}, ${d.address}, ${d.availability}, ${d.hospital}, ${d.userId}, ${d.clinicId})
            RETURNING ${columnsOf(manager, Doctor, 'doctor')}
          ), audit AS (${audited(sql`doctor`)})
          SELECT * FROM doctor`,
      { prepared: true },
    );
    Object.assign(d, row);
  }

  /** Writes the profile's fields, one version on; it takes the row as stored. */
  async update(manager: EntityManager, d: Doctor): Promise<void> {
    const row = await selectOne<Doctor>(
      manager,
      sql`UPDATE doctors doctor SET name = ${d.name}, email = ${d.email}, phone = ${d.phone}, specialization = ${d.specialization},
            license_number = ${d.licenseNumber}, experience_years = ${d.experienceYears}, consultation_fee = ${d.consultationFee},
            address = ${d.address}, availability = ${d.availability}, hospital = ${d.hospital}, user_id = ${d.userId}, clinic_id = ${d.clinicId},
            version = version + 1, updated_at = now()
          WHERE id = ${d.id} RETURNING ${columnsOf(manager, Doctor, 'doctor')}`,
    );
    Object.assign(d, row);
  }

  /** Whether the clinic exists. */
  async clinicExists(manager: EntityManager, id: number): Promise<boolean> {
    return (await selectOne(manager, sql`SELECT 1 FROM clinics WHERE id = ${id}`)) !== null;
  }

  /**
   * Writes clinic `clinicId`'s time zone into the doctor's schedule if it names none, for a doctor
   * leaving that clinic: its openings stay where they were. Whether there was such a schedule.
   */
  async pinScheduleTimezone(manager: EntityManager, doctorId: number, clinicId: number): Promise<boolean> {
    const rows = await query(
      manager,
      sql`UPDATE doctor_schedules schedule SET timezone = clinic.timezone, version = schedule.version + 1, updated_at = now()
          FROM clinics clinic WHERE clinic.id = ${clinicId} AND schedule.doctor_id = ${doctorId} AND schedule.timezone IS NULL
          RETURNING schedule.doctor_id`,
    );
    return rows.length > 0;
  }

  async softDelete(manager: EntityManager, id: number): Promise<void> {
    await query(manager, sql`UPDATE doctors doctor SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL`);
  }
}
