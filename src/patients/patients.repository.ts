import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { columnsOf, query, selectOne, sql, type Sql } from '../core/database/sql';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
import type { ListedPart, PatientSearchKey, PatientsListed } from '../access/access.policy';
import { ListPatientsQuery } from './dto/list-patients.query';
import { Patient } from './patient.entity';

/** `?ordering=` field → column. */
const ORDER_COLUMNS: Record<string, string> = {
  id: 'id',
  name: 'name',
  date_of_birth: 'date_of_birth',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

/**
 * Every statement on patients, hand-written (src/core/database/sql.ts): the read by id, the list
 * and search and the lock are hot paths of the benchmark, where building and hydrating through
 * TypeORM cost more CPU than the rest of the request, and the writes are in the same style, so the
 * repository has one. A write sets the version and the timestamps itself, as the entity declares them.
 */
@Injectable()
export class PatientsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** A new, unsaved patient. */
  build(fields: Partial<Patient>): Patient {
    return this.db.manager.create(Patient, fields);
  }

  /**
   * One page of the patients that `listed` admits, filtered and ordered as the query asks. A list
   * of several parts takes the page from the first rows of each part (each read in order from an
   * index of its own) and adds up the parts' counts, each read from an index alone: PostgreSQL
   * plans neither on its own for an OR, nor for a plain UNION ALL.
   */
  findPage(query: ListPatientsQuery, listed: PatientsListed): Promise<Page<Patient>> {
    const manager = this.db.manager;
    const term = query.search && sql.param(query.search);
    /** A part's own conditions: who it admits, and its search index's keys for a term with a trigram. */
    const partOf = ({ where, searchKey }: ListedPart): Sql[] => [
      ...(where ? [where] : []),
      ...(term && searchKey && HAS_TRIGRAM.test(query.search!) ? [searchKeysMatch(searchKey, term)] : []),
    ];
    const filters: Sql[] = [];
    if (query.search) {
      const pattern = sql.param(likePattern(query.search));
      filters.push(sql`(patient.name ILIKE ${pattern} OR patient.email::text ILIKE ${pattern} OR patient.phone ILIKE ${pattern})`);
    }
    if (query.gender) filters.push(sql`patient.gender = ${query.gender}`);
    if (query.blood_group) filters.push(sql`patient.blood_group = ${query.blood_group}`);
    const notDeleted = sql`patient.deleted_at IS NULL`;
    const { field, direction } = parseOrdering(query.ordering);
    const orderBy = sql`patient.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)}${field === 'id' ? sql.empty : sql`, patient.id ASC`}`;
    const select = columnsOf(manager, Patient, 'patient');
    const from = sql`patients patient`;
    if (listed.length === 1)
      return selectPage<Patient>(manager, { select, from, where: [notDeleted, ...partOf(listed[0]), ...filters], orderBy }, query);
    const parts = listed.map((part) => sql.join([notDeleted, ...partOf(part), ...filters], ' AND '));
    // No part holds a row of the page beyond its own first offset + page_size rows.
    const first = sql.integer(Math.trunc(query.offset + query.page_size));
    return selectPage<Patient>(
      manager,
      {
        select,
        from: sql`(${sql.join(
          parts.map((part) => sql`(SELECT patient.* FROM ${from} WHERE ${part} ORDER BY ${orderBy} LIMIT ${first})`),
          ' UNION ALL ',
        )}) patient`,
        where: [],
        orderBy,
        count: sql`SELECT ${sql.join(
          parts.map((part) => sql`(SELECT count(*) FROM ${from} WHERE ${part})`),
          ' + ',
        )} AS count`,
      },
      query,
    );
  }

  /** The patient if it exists, is not deleted and `readable` holds for it. */
  findReadable(manager: EntityManager, id: number, readable: Sql): Promise<Patient | null> {
    return selectOne<Patient>(
      manager,
      sql`SELECT ${columnsOf(manager, Patient, 'patient')} FROM patients patient WHERE patient.id = ${id} AND patient.deleted_at IS NULL AND ${readable}`,
      { prepared: true },
    );
  }

  /**
   * The patient (not deleted) and whether `readable` holds for it, in one statement whatever the
   * answer; with `lock`, its row locked for the transaction.
   */
  async findWithReadable(
    manager: EntityManager,
    id: number,
    readable: Sql,
    lock?: RowLock,
  ): Promise<{ patient: Patient; readable: boolean } | null> {
    const found = await selectOne<Patient & { readable?: boolean }>(
      manager,
      sql`SELECT ${columnsOf(manager, Patient, 'patient')}, ${readable} AS readable FROM patients patient
       WHERE patient.id = ${id} AND patient.deleted_at IS NULL${lock ? sql` ${LOCK_CLAUSES[lock]}` : sql.empty}`,
    );
    if (!found) return null;
    const isReadable = found.readable === true;
    delete found.readable;
    return { patient: found, readable: isReadable };
  }

  /** Locks a patient's row for the transaction, deleted or not. */
  async lock(manager: EntityManager, id: number, lock: RowLock): Promise<void> {
    await selectOne(manager, sql`SELECT 1 FROM patients WHERE id = ${id} ${LOCK_CLAUSES[lock]}`);
  }

  /** Inserts a new patient; it takes the row as stored (id, version, timestamps, and null for what was not given). */
  async insert(manager: EntityManager, p: Patient): Promise<void> {
    const row = await selectOne<Patient>(
      manager,
      sql`INSERT INTO patients AS patient (created_by_id, clinic_id, name, email, phone, date_of_birth, age, gender, blood_group, address, emergency_contact, medical_history)
          VALUES (${p.createdById}, ${p.clinicId}, ${p.name}, ${p.email}, ${p.phone}, ${p.dateOfBirth}, ${p.age}, ${p.gender}, ${p.bloodGroup}, ${p.address}, ${p.emergencyContact}, ${p.medicalHistory})
          RETURNING ${columnsOf(manager, Patient, 'patient')}`,
    );
    Object.assign(p, row);
  }

  /** Writes the patient's fields, one version on; it takes the row as stored. */
  async update(manager: EntityManager, p: Patient): Promise<void> {
    const row = await selectOne<Patient>(
      manager,
      sql`UPDATE patients patient SET name = ${p.name}, email = ${p.email}, phone = ${p.phone}, date_of_birth = ${p.dateOfBirth}, age = ${p.age},
            gender = ${p.gender}, blood_group = ${p.bloodGroup}, address = ${p.address}, emergency_contact = ${p.emergencyContact},
            medical_history = ${p.medicalHistory}, clinic_id = ${p.clinicId}, version = version + 1, updated_at = now()
          WHERE id = ${p.id} RETURNING ${columnsOf(manager, Patient, 'patient')}`,
    );
    Object.assign(p, row);
  }

  /** Whether the clinic exists. */
  async clinicExists(manager: EntityManager, id: number): Promise<boolean> {
    return (await selectOne(manager, sql`SELECT 1 FROM clinics WHERE id = ${id}`)) !== null;
  }

  async softDelete(manager: EntityManager, id: number): Promise<void> {
    await query(manager, sql`UPDATE patients patient SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL`);
  }
}

/** Three letters or digits in a row: pg_trgm finds at least one trigram inside such a term, whatever the locale. */
const HAS_TRIGRAM = /[A-Za-z0-9]{3}/;

/**
 * Narrows a search to the rows whose key-prefixed trigrams include all of the term's (the
 * patients_owner_search_idx and patients_clinic_search_idx indexes; see the OwnerSearchKeys
 * migration). The ILIKE stays the test of a match. Only for a term with a trigram: with none,
 * every row would qualify.
 */
function searchKeysMatch({ column, value }: PatientSearchKey, term: Sql): Sql {
  return sql`patient_search_keys(patient.${sql.identifier(column)}, patient.name, patient.email::text, patient.phone) @> patient_search_keys(${value}, ${term}, '', '')`;
}
