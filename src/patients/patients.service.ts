import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { mayChangePatient, patientReadable, patientsListed } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { NotAllowedError, NotFoundError } from '../core/errors';
import { assertIfMatch } from '../core/http/etag';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { columnsOf, selectOne, sql, type Sql } from '../core/database/sql';
import { applyChanges } from '../core/records/apply-changes';
import { RecordRemoval } from '../core/records/record-removal';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
import { CreatePatientDto } from './dto/create-patient.dto';
import { ListPatientsQuery } from './dto/list-patients.query';
import { PatientDto, toPatientDto } from './dto/patient.dto';
import { UpdatePatientDto } from './dto/update-patient.dto';
import { Patient } from './patient.entity';

const NOT_FOUND = 'Patient not found.';

/** API field → entity property, for writes. */
const FIELDS = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  date_of_birth: 'dateOfBirth',
  age: 'age',
  gender: 'gender',
  blood_group: 'bloodGroup',
  address: 'address',
  emergency_contact: 'emergencyContact',
  medical_history: 'medicalHistory',
} as const satisfies Record<keyof CreatePatientDto, keyof Patient>;
/** `?ordering=` field → column. */
const ORDER_COLUMNS: Record<string, string> = {
  id: 'id',
  name: 'name',
  date_of_birth: 'date_of_birth',
  created_at: 'created_at',
  updated_at: 'updated_at',
};

/** Patients; who sees or changes which is for access/access.policy.ts to say. */
@Injectable()
export class PatientsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly removal: RecordRemoval,
  ) {}

  async create(dto: CreatePatientDto, user: AuthUser): Promise<PatientDto> {
    const patient = this.db.manager.create(Patient, { createdById: user.id });
    const changed = applyPatientChanges(patient, dto);
    await this.db.transaction(async (manager) => {
      await manager.save(patient);
      await this.audit.of(user, 'patient').changed(manager, 'create', patient.id, changed);
    });
    return toPatientDto(patient);
  }

  async list(query: ListPatientsQuery, user: AuthUser): Promise<Page<PatientDto>> {
    const where = [sql`patient.deleted_at IS NULL`];
    const { where: listed, owner } = patientsListed(user, query.assigned === true);
    if (listed !== null) where.push(listed);
    if (query.search) {
      if (owner && HAS_TRIGRAM.test(query.search)) where.push(ownerSearchKeysMatch(owner, query.search));
      const pattern = sql.param(likePattern(query.search));
      where.push(sql`(patient.name ILIKE ${pattern} OR patient.email::text ILIKE ${pattern} OR patient.phone ILIKE ${pattern})`);
    }
    if (query.gender) where.push(sql`patient.gender = ${query.gender}`);
    if (query.blood_group) where.push(sql`patient.blood_group = ${query.blood_group}`);
    const { field, direction } = parseOrdering(query.ordering);
    const orderBy = sql`patient.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)}${field === 'id' ? sql.empty : sql`, patient.id ASC`}`;
    const select = columnsOf(this.db.manager, Patient, 'patient');
    const page = await selectPage<Patient>(this.db.manager, { select, from: sql`patients patient`, where, orderBy }, query);
    this.audit.of(user, 'patient').listed();
    return page.map(toPatientDto);
  }

  async get(id: number, user: AuthUser): Promise<PatientDto> {
    const patient = await this.findReadable(this.db.manager, id, user);
    if (!patient) {
      this.audit.of(user, 'patient').denied('read', id);
      throw new NotFoundError(NOT_FOUND);
    }
    this.audit.of(user, 'patient').read(id);
    return toPatientDto(patient);
  }

  /** The patient if the caller may read it; for other modules that act on a patient (e.g. its doctors). */
  findReadable(manager: EntityManager, id: number, user: AuthUser): Promise<Patient | null> {
    return selectOne<Patient>(
      manager,
      sql`SELECT ${columnsOf(manager, Patient, 'patient')} FROM patients patient WHERE patient.id = ${id} AND patient.deleted_at IS NULL AND ${patientReadable(user)}`,
    );
  }

  /**
   * The patient if the caller may change it (owner or admin); 404 or 403 otherwise. With `lock`, the
   * row is locked for the transaction: `update` to change it, `share` to refer to it (an assignment)
   * or `turns` (a booking, see appointments.service.ts) while a concurrent delete waits, so the delete's cascade sees what we add. A
   * patient deleted while we waited for the lock no longer matches: gone, like any missing one.
   * One statement whatever the answer, so its time tells nothing about someone else's ids.
   */
  async findWritable(manager: EntityManager, id: number, user: AuthUser, lock?: RowLock): Promise<Patient> {
    const found = await selectOne<Patient & { readable: boolean }>(
      manager,
      sql`SELECT ${columnsOf(manager, Patient, 'patient')}, ${patientReadable(user)} AS readable FROM patients patient
       WHERE patient.id = ${id} AND patient.deleted_at IS NULL${lock ? sql` ${LOCK_CLAUSES[lock]}` : sql.empty}`,
    );
    if (!found?.readable) throw new NotFoundError(NOT_FOUND);
    const patient: Patient & { readable?: boolean } = found;
    delete patient.readable;
    if (mayChangePatient(user, patient)) return patient;
    // A care-team doctor may know the patient exists, so it is told why, not "not found".
    throw new NotAllowedError('Only the owner of a patient record or an admin may change it.');
  }

  /** Locks a patient's row for the transaction, for a write the caller was already allowed on one of its records. */
  async lock(manager: EntityManager, id: number, lock: RowLock): Promise<void> {
    await selectOne(manager, sql`SELECT 1 FROM patients WHERE id = ${id} ${LOCK_CLAUSES[lock]}`);
  }

  async update(id: number, dto: UpdatePatientDto, user: AuthUser, ifMatch?: string): Promise<PatientDto> {
    const audit = this.audit.of(user, 'patient');
    const patient = await audit.deniedAudited('update', id, () =>
      this.db.transaction(async (manager) => {
        const patient = await this.findWritable(manager, id, user, 'update');
        assertIfMatch(ifMatch, patient.version);
        const changed = applyPatientChanges(patient, dto);
        if (changed.length > 0) await manager.save(Patient, patient);
        await audit.changed(manager, 'update', id, changed);
        return patient;
      }),
    );
    return toPatientDto(patient);
  }

  /** Soft delete: the record is kept for retention; its assignments end and its future appointments are cancelled. */
  async remove(id: number, user: AuthUser): Promise<void> {
    const audit = this.audit.of(user, 'patient');
    await audit.deniedAudited('delete', id, () =>
      this.db.transaction(async (manager) => {
        await this.findWritable(manager, id, user, 'update');
        await manager.softDelete(Patient, id);
        await this.removal.removed(manager, { record: 'patient', id, actorId: user.id, origin: user.origin });
        await audit.changed(manager, 'delete', id);
      }),
    );
  }
}

/** Three letters or digits in a row: pg_trgm finds at least one trigram inside such a term, whatever the locale. */
const HAS_TRIGRAM = /[A-Za-z0-9]{3}/;

/**
 * Narrows one owner's search to the rows whose owner-prefixed trigrams include all of the term's
 * (the patients_owner_search_idx index; see the OwnerSearchKeys migration). The ILIKE stays the
 * test of a match. Only for a term with a trigram: with none, every row would qualify.
 */
function ownerSearchKeysMatch(owner: Sql, term: string): Sql {
  return sql`patient_search_keys(patient.created_by_id, patient.name, patient.email::text, patient.phone) @> patient_search_keys(${owner}, ${term}, '', '')`;
}

function applyPatientChanges(patient: Patient, dto: Partial<CreatePatientDto>): string[] {
  const changed = applyChanges(patient, dto, FIELDS);
  // A birth date makes a separately stored age stale.
  if (changed.includes('date_of_birth') && patient.dateOfBirth && dto.age === undefined) patient.age = null;
  return changed;
}
