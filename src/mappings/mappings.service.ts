import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { mappingsVisible } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { ConflictError, InvalidFieldError, NotFoundError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { RecordRemoval, Removal } from '../core/records/record-removal';
import { DoctorsService } from '../doctors/doctors.service';
import { DoctorDto, toDoctorDto } from '../doctors/dto/doctor.dto';
import { PatientsService } from '../patients/patients.service';
import { CreateMappingDto } from './dto/create-mapping.dto';
import { ListMappingsQuery } from './dto/list-mappings.query';
import { MappingDto, toMappingDto } from './dto/mapping.dto';
import { MappingsRepository } from './mappings.repository';

const ALREADY_ASSIGNED = 'This doctor is already assigned to this patient.';
describeConstraint('mappings_active_pair_key', ALREADY_ASSIGNED);

/** Assignments of doctors to patients; an ended assignment stays as history. */
@Injectable()
export class MappingsService implements OnModuleInit {
  constructor(
    // Only for transactions and the manager outside one: every statement is in MappingsRepository.
    @InjectDataSource() private readonly db: DataSource,
    private readonly mappings: MappingsRepository,
    private readonly patients: PatientsService,
    private readonly doctors: DoctorsService,
    private readonly audit: AuditService,
    private readonly removal: RecordRemoval,
  ) {}

  onModuleInit(): void {
    this.removal.onRemoved((manager, removal) => this.endAllFor(manager, removal));
  }

  async create(dto: CreateMappingDto, user: AuthUser): Promise<MappingDto> {
    const mapping = await this.db.transaction(async (manager) => {
      // Share locks: a patient or doctor deleted concurrently either is gone here or ends this assignment.
      const patient = await this.patients.requireWritable(manager, dto.patient, user, 'share');
      const doctor = await this.doctors.find(manager, dto.doctor, 'share');
      if (!doctor) {
        throw new InvalidFieldError('The doctor does not exist.', { doctor: ['No doctor with this id.'] });
      }
      if (await this.mappings.hasActive(manager, patient.id, doctor.id)) throw new ConflictError(ALREADY_ASSIGNED);
      // Two requests racing past the check above meet the partial unique index instead (→ 409).
      const mapping = this.mappings.build({
        patientId: patient.id,
        doctorId: doctor.id,
        notes: dto.notes ?? null,
        createdById: user.id,
      });
      await this.mappings.save(manager, mapping);
      await this.audit.of(user, 'mapping').changed(manager, 'assign', mapping.id, Object.keys(dto));
      return Object.assign(mapping, { patient, doctor });
    });
    return toMappingDto(mapping);
  }

  /** The assignments the caller may see (access/access.policy.ts). */
  async list(query: ListMappingsQuery, user: AuthUser): Promise<Page<MappingDto>> {
    const page = await this.mappings.findPage(query, mappingsVisible(user));
    return page.map(toMappingDto);
  }

  /** The doctors actively assigned to a patient the caller may read. */
  async doctorsOf(patientId: number, query: PageQueryDto, user: AuthUser): Promise<Page<DoctorDto>> {
    const patient = await this.patients.findReadable(this.db.manager, patientId, user);
    if (!patient) throw new NotFoundError('Patient not found.');
    const page = await this.mappings.findActiveDoctorsPage(patientId, query);
    return page.map(toDoctorDto);
  }

  /** Ends an assignment of one of the caller's patients; ending an ended one changes nothing. */
  async end(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const mapping = await this.mappings.findForUpdate(manager, id);
      const patient = mapping && (await this.patients.findReadable(manager, mapping.patientId, user));
      if (!mapping || !patient) throw new NotFoundError('Assignment not found.');
      await this.patients.requireWritable(manager, patient.id, user);
      if (!mapping.isActive) return;
      await this.mappings.save(manager, Object.assign(mapping, { isActive: false, endedAt: new Date() }));
      await this.audit.of(user, 'mapping').changed(manager, 'unassign', id);
    });
  }

  /** Ends the active assignments of a deleted patient or doctor, each audited as an `unassign` by whoever deleted it. */
  private async endAllFor(manager: EntityManager, { record, id, actorId, origin }: Removal): Promise<void> {
    const ids = await this.mappings.endActive(manager, record === 'patient' ? { patientId: id } : { doctorId: id });
    await this.audit.of({ id: actorId, origin }, 'mapping').changedAll(manager, 'unassign', ids);
  }
}
