import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  clinicOfNewPatient,
  mayMoveInto,
  mayMoveOutOf,
  patientChangeRefusal,
  patientReadable,
  patientsListed,
} from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { EventsService } from '../events/events.service';
import { InvalidFieldError, NotAllowedError, NotFoundError } from '../core/errors';
import { assertIfMatch } from '../core/http/etag';
import { Page } from '../core/pagination/pagination';
import { applyChanges } from '../core/records/apply-changes';
import { RecordRemoval } from '../core/records/record-removal';
import { RowLock } from '../core/records/row-lock';
import { nameFromParts } from '../core/validation/name-parts';
import { CreatePatientDto } from './dto/create-patient.dto';
import { ListPatientsQuery } from './dto/list-patients.query';
import { PatientDto, toPatientDto } from './dto/patient.dto';
import { UpdatePatientDto } from './dto/update-patient.dto';
import { Patient } from './patient.entity';
import { PatientsRepository } from './patients.repository';

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
} as const satisfies Record<Exclude<keyof CreatePatientDto, 'clinic'>, keyof Patient>;

/** The same answer whether the clinic is missing or not the caller's: ids of other clinics tell nothing. */
const NOT_YOUR_CLINIC = 'No clinic where you are a manager or staff has this id.';
const MANAGERS_MOVE_OUT = "Only the managers of the patient's clinic or an admin may move it out of the clinic.";

/** Patients; who sees or changes which is for access/access.policy.ts to say. */
@Injectable()
export class PatientsService {
  constructor(
    // Only for transactions: every statement is in PatientsRepository.
    @InjectDataSource() private readonly db: DataSource,
    private readonly patients: PatientsRepository,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly removal: RecordRemoval,
  ) {}

  async create(dto: CreatePatientDto, user: AuthUser): Promise<PatientDto> {
    const clinicId = clinicOfNewPatient(user, dto.clinic);
    if (clinicId === undefined) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
    const patient = this.patients.build({ createdById: user.id, clinicId });
    const changed = [...applyPatientChanges(patient, dto, undefined), ...(clinicId !== null ? ['clinic'] : [])];
    await this.db.transaction(async (manager) => {
      if (clinicId !== null) await this.assertClinicExists(manager, clinicId);
      await this.patients.insert(manager, patient);
      await this.audit.of(user, 'patient').changed(manager, 'create', patient.id, changed);
      await this.events.emit(manager, { type: 'patient.created', patient: patient.id, changedFields: changed });
    });
    return toPatientDto(patient);
  }

  async list(query: ListPatientsQuery, user: AuthUser): Promise<Page<PatientDto>> {
    const page = await this.patients.findPage(query, patientsListed(user, query.assigned === true, query.clinic));
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
    return this.patients.findReadable(manager, id, patientReadable(user));
  }

  /**
   * The patient if the caller may change it (owner or admin); 404 or 403 otherwise. With `lock`, the
   * row is locked for the transaction: `update` to change it, `share` to refer to it (an assignment)
   * or `turns` (a booking, see appointments.service.ts) while a concurrent delete waits, so the delete's cascade sees what we add. A
   * patient deleted while we waited for the lock no longer matches: gone, like any missing one.
   * One statement whatever the answer, so its time tells nothing about someone else's ids.
   */
  async requireWritable(manager: EntityManager, id: number, user: AuthUser, lock?: RowLock): Promise<Patient> {
    return this.writableOf(await this.patients.findWithReadable(manager, id, patientReadable(user), lock), user);
  }

  /**
   * `requireWritable`'s answer for a patient another module read itself (with `patientReadable`,
   * in a statement that took more than the patient, as a booking's locks do).
   */
  writableOf(found: { patient: Patient; readable: boolean } | null, user: AuthUser): Patient {
    if (!found?.readable) throw new NotFoundError(NOT_FOUND);
    const refusal = patientChangeRefusal(user, found.patient);
    // A care-team doctor may know the patient exists, so it is told why, not "not found".
    if (refusal) throw new NotAllowedError(refusal);
    return found.patient;
  }

  /** Locks a patient's row for the transaction, for a write the caller was already allowed on one of its records. */
  lock(manager: EntityManager, id: number, lock: RowLock): Promise<void> {
    return this.patients.lock(manager, id, lock);
  }

  async update(id: number, dto: UpdatePatientDto, user: AuthUser, ifMatch?: string): Promise<PatientDto> {
    const audit = this.audit.of(user, 'patient');
    const patient = await audit.deniedAudited('update', id, () =>
      this.db.transaction(async (manager) => {
        const patient = await this.requireWritable(manager, id, user, 'update');
        assertIfMatch(ifMatch, patient.version);
        const changed = applyPatientChanges(patient, dto, patient.name);
        if (dto.clinic !== undefined && dto.clinic !== patient.clinicId) {
          await this.move(manager, patient, dto.clinic, user);
          changed.push('clinic');
        }
        if (changed.length > 0) await this.patients.update(manager, patient);
        await audit.changed(manager, 'update', id, changed);
        // Nothing changed, nothing happened: no event for a PATCH that set what was there.
        if (changed.length > 0) await this.events.emit(manager, { type: 'patient.updated', patient: id, changedFields: changed });
        return patient;
      }),
    );
    return toPatientDto(patient);
  }

  /**
   * Moves the patient into another clinic, or out of its clinic to its owner (`to` null). Out of
   * a clinic is for its managers; into one, for its managers and staff (access/access.policy.ts).
   */
  private async move(manager: EntityManager, patient: Patient, to: number | null, user: AuthUser): Promise<void> {
    if (!mayMoveOutOf(user, patient.clinicId)) throw new NotAllowedError(MANAGERS_MOVE_OUT);
    if (to !== null && !mayMoveInto(user, to, 'patient')) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
    if (to !== null) await this.assertClinicExists(manager, to);
    patient.clinicId = to;
  }

  private async assertClinicExists(manager: EntityManager, id: number): Promise<void> {
    if (!(await this.patients.clinicExists(manager, id))) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
  }

  /** Soft delete: the record is kept for retention; its assignments end and its future appointments are cancelled. */
  async remove(id: number, user: AuthUser): Promise<void> {
    const audit = this.audit.of(user, 'patient');
    await audit.deniedAudited('delete', id, () =>
      this.db.transaction(async (manager) => {
        await this.requireWritable(manager, id, user, 'update');
        await this.patients.softDelete(manager, id);
        await this.removal.removed(manager, { record: 'patient', id, actorId: user.id, origin: user.origin });
        await audit.changed(manager, 'delete', id);
        await this.events.emit(manager, { type: 'patient.deleted', patient: id, changedFields: [] });
      }),
    );
  }
}

/** `storedName`: the record's name on an update, which tells which of `name` and `first_name`/`last_name` changed. */
function applyPatientChanges(patient: Patient, dto: Partial<CreatePatientDto>, storedName: string | undefined): string[] {
  const name = nameFromParts(dto, storedName);
  const dateOfBirth = dto.date_of_birth !== undefined ? dto.date_of_birth : (patient.dateOfBirth ?? null);
  // With a birth date the age is computed, so an age sent beside one (seed 004's clients send back
  // the computed, read-only age they read) is ignored, as is a stored one.
  const changed = applyChanges(patient, { ...dto, name, ...(dateOfBirth !== null ? { age: undefined } : {}) }, FIELDS);
  if (dateOfBirth !== null) patient.age = null;
  return changed;
}
