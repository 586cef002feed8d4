import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { mappingsVisible, whereVisible } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { ConflictError, InvalidFieldError, NotFoundError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { RecordRemoval, Removal } from '../core/records/record-removal';
import { DoctorsService } from '../doctors/doctors.service';
import { Doctor } from '../doctors/doctor.entity';
import { DoctorDto, toDoctorDto } from '../doctors/dto/doctor.dto';
import { PatientsService } from '../patients/patients.service';
import { CreateMappingDto } from './dto/create-mapping.dto';
import { ListMappingsQuery } from './dto/list-mappings.query';
import { MappingDto, toMappingDto } from './dto/mapping.dto';
import { Mapping } from './mapping.entity';

const ALREADY_ASSIGNED = 'This doctor is already assigned to this patient.';
describeConstraint('mappings_active_pair_key', ALREADY_ASSIGNED);

/** Assignments of doctors to patients; an ended assignment stays as history. */
@Injectable()
export class MappingsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
      const patient = await this.patients.findWritable(manager, dto.patient, user, 'share');
      const doctor = await this.doctors.find(manager, dto.doctor, 'share');
      if (!doctor) {
        throw new InvalidFieldError('The doctor does not exist.', { doctor: ['No doctor with this id.'] });
      }
      if (await manager.existsBy(Mapping, { patientId: patient.id, doctorId: doctor.id, isActive: true })) {
        throw new ConflictError(ALREADY_ASSIGNED);
      }
      // Two requests racing past the check above meet the partial unique index instead (→ 409).
      const mapping = manager.create(Mapping, {
        patientId: patient.id,
        doctorId: doctor.id,
        notes: dto.notes ?? null,
        createdById: user.id,
      });
      await manager.save(mapping);
      await this.audit.of(user, 'mapping').changed(manager, 'assign', mapping.id, Object.keys(dto));
      return Object.assign(mapping, { patient, doctor });
    });
    return toMappingDto(mapping);
  }

  /** The assignments the caller may see (access/access.policy.ts). */
  async list(query: ListMappingsQuery, user: AuthUser): Promise<Page<MappingDto>> {
    // An assignment of a since-deleted doctor stays in the history (TypeORM would drop it with the
    // doctor), while those of a deleted patient go with the patient.
    const qb = this.db.manager
      .createQueryBuilder(Mapping, 'mapping')
      .withDeleted()
      .innerJoinAndSelect('mapping.patient', 'patient', 'patient.deletedAt IS NULL')
      .innerJoinAndSelect('mapping.doctor', 'doctor')
      .where('mapping.deletedAt IS NULL');
    whereVisible(qb, mappingsVisible(user));
    if (query.patient !== undefined) qb.andWhere('mapping.patientId = :patient', { patient: query.patient });
    if (query.doctor !== undefined) qb.andWhere('mapping.doctorId = :doctor', { doctor: query.doctor });
    if (query.is_active !== undefined) qb.andWhere('mapping.isActive = :active', { active: query.is_active });
    const [mappings, total] = await qb.orderBy('mapping.id', 'ASC').offset(query.offset).limit(query.page_size).getManyAndCount();
    return new Page(mappings.map(toMappingDto), total, query);
  }

  /** The doctors actively assigned to a patient the caller may read. */
  async doctorsOf(patientId: number, query: PageQueryDto, user: AuthUser): Promise<Page<DoctorDto>> {
    const patient = await this.patients.findReadable(this.db.manager, patientId, user);
    if (!patient) throw new NotFoundError('Patient not found.');
    const [doctors, total] = await this.db.manager
      .createQueryBuilder(Doctor, 'doctor')
      .innerJoin(Mapping, 'mapping', 'mapping.doctorId = doctor.id AND mapping.isActive')
      .where('mapping.patientId = :patientId', { patientId })
      .orderBy('mapping.assignedDate', 'ASC')
      .addOrderBy('doctor.id', 'ASC')
      .offset(query.offset)
      .limit(query.page_size)
      .getManyAndCount();
    return new Page(doctors.map(toDoctorDto), total, query);
  }

  /** Ends an assignment of one of the caller's patients; ending an ended one changes nothing. */
  async end(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const mapping = await manager.findOne(Mapping, { where: { id }, lock: { mode: 'pessimistic_write' } });
      const patient = mapping && (await this.patients.findReadable(manager, mapping.patientId, user));
      if (!mapping || !patient) throw new NotFoundError('Assignment not found.');
      await this.patients.findWritable(manager, patient.id, user);
      if (!mapping.isActive) return;
      await manager.save(Object.assign(mapping, { isActive: false, endedAt: new Date() }));
      await this.audit.of(user, 'mapping').changed(manager, 'unassign', id);
    });
  }

  /** Ends the active assignments of a deleted patient or doctor, each audited as an `unassign` by whoever deleted it. */
  private async endAllFor(manager: EntityManager, { record, id, actorId, origin }: Removal): Promise<void> {
    const where = record === 'patient' ? { patientId: id } : { doctorId: id };
    const result = await manager
      .createQueryBuilder()
      .update(Mapping)
      .set({ isActive: false, endedAt: () => 'now()', version: () => 'version + 1' })
      .where({ ...where, isActive: true })
      .returning(['id'])
      .execute();
    const ended = result.raw as { id: number }[];
    const ids = ended.map((mapping) => mapping.id);
    await this.audit.of({ id: actorId, origin }, 'mapping').changedAll(manager, 'unassign', ids);
  }
}
