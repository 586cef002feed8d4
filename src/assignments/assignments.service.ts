import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { assignmentsVisible } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { ConflictError, InvalidFieldError, NotFoundError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { RecordRemoval, Removal } from '../core/records/record-removal';
import { DoctorsService } from '../doctors/doctors.service';
import { EventsService } from '../events/events.service';
import { DoctorDto, toDoctorDto } from '../doctors/dto/doctor.dto';
import { PatientsService } from '../patients/patients.service';
import { CreateAssignmentDto } from './dto/create-assignment.dto';
import { ListAssignmentsQuery } from './dto/list-assignments.query';
import { AssignmentDto, toAssignmentDto } from './dto/assignment.dto';
import { AssignmentsRepository } from './assignments.repository';

const ALREADY_ASSIGNED = 'This doctor is already assigned to this patient.';
describeConstraint('mappings_active_pair_key', ALREADY_ASSIGNED);

/** Assignments of doctors to patients; an ended assignment stays as history. */
@Injectable()
export class AssignmentsService implements OnModuleInit {
  constructor(
    // Only for transactions and the manager outside one: every statement is in AssignmentsRepository.
    @InjectDataSource() private readonly db: DataSource,
    private readonly assignments: AssignmentsRepository,
    private readonly patients: PatientsService,
    private readonly doctors: DoctorsService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly removal: RecordRemoval,
  ) {}

  onModuleInit(): void {
    this.removal.onRemoved((manager, removal) => this.endAllFor(manager, removal));
  }

  async create(dto: CreateAssignmentDto, user: AuthUser): Promise<AssignmentDto> {
    const assignment = await this.db.transaction(async (manager) => {
      // Share locks: a patient or doctor deleted concurrently either is gone here or ends this assignment.
      const patient = await this.patients.requireWritable(manager, dto.patient, user, 'share');
      const doctor = await this.doctors.find(manager, dto.doctor, 'share');
      if (!doctor) {
        throw new InvalidFieldError('The doctor does not exist.', { doctor: ['No doctor with this id.'] });
      }
      if (await this.assignments.hasActive(manager, patient.id, doctor.id)) throw new ConflictError(ALREADY_ASSIGNED);
      // Two requests racing past the check above meet the partial unique index instead (→ 409).
      const assignment = this.assignments.build({
        patientId: patient.id,
        doctorId: doctor.id,
        notes: dto.notes ?? null,
        createdById: user.id,
      });
      await this.assignments.save(manager, assignment);
      // is_active is only ever true here (an assignment starts active): not a field the caller set.
      const fields = Object.entries(dto).flatMap(([field, value]) => (value === undefined || field === 'is_active' ? [] : [field]));
      await this.audit.of(user, 'mapping').changed(manager, 'assign', assignment.id, fields);
      await this.events.emit(manager, { type: 'assignment.created', assignment: assignment.id, patient: patient.id, doctor: doctor.id });
      return Object.assign(assignment, { patient, doctor });
    });
    return toAssignmentDto(assignment);
  }

  /** The assignments the caller may see (access/access.policy.ts). */
  async list(query: ListAssignmentsQuery, user: AuthUser): Promise<Page<AssignmentDto>> {
    const page = await this.assignments.findPage(query, query, assignmentsVisible(user));
    return page.map(toAssignmentDto);
  }

  /**
   * The active assignments of a patient the caller may read, those the caller may see: what the
   * Django projects answered at `/api/mappings/patient/{id}/`, where a deleted one was gone.
   */
  async activeOf(patientId: number, query: PageQueryDto, user: AuthUser): Promise<Page<AssignmentDto>> {
    const patient = await this.patients.findReadable(this.db.manager, patientId, user);
    if (!patient) throw new NotFoundError('Patient not found.');
    const page = await this.assignments.findPage({ patient: patientId, is_active: true }, query, assignmentsVisible(user));
    return page.map(toAssignmentDto);
  }

  /** The doctors actively assigned to a patient the caller may read. */
  async doctorsOf(patientId: number, query: PageQueryDto, user: AuthUser): Promise<Page<DoctorDto>> {
    const patient = await this.patients.findReadable(this.db.manager, patientId, user);
    if (!patient) throw new NotFoundError('Patient not found.');
    const page = await this.assignments.findActiveDoctorsPage(patientId, query);
    return page.map(toDoctorDto);
  }

  /** Ends an assignment of one of the caller's patients; ending an ended one changes nothing. */
  async end(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const assignment = await this.assignments.findForUpdate(manager, id);
      const patient = assignment && (await this.patients.findReadable(manager, assignment.patientId, user));
      if (!assignment || !patient) throw new NotFoundError('Assignment not found.');
      await this.patients.requireWritable(manager, patient.id, user);
      if (!assignment.isActive) return;
      await this.assignments.save(manager, Object.assign(assignment, { isActive: false, endedAt: new Date() }));
      await this.audit.of(user, 'mapping').changed(manager, 'unassign', id);
      await this.events.emit(manager, { type: 'assignment.ended', assignment: id, patient: patient.id, doctor: assignment.doctorId });
    });
  }

  /** Ends the active assignments of a deleted patient or doctor, each audited as an `unassign` by whoever deleted it. */
  private async endAllFor(manager: EntityManager, { record, id, actorId, origin }: Removal): Promise<void> {
    const ended = await this.assignments.endActive(manager, record === 'patient' ? { patientId: id } : { doctorId: id });
    await this.audit.of({ id: actorId, origin }, 'mapping').changedAll(
      manager,
      'unassign',
      ended.map((assignment) => assignment.id),
    );
    await this.events.emitAll(
      manager,
      ended.map((assignment) => ({
        type: 'assignment.ended' as const,
        assignment: assignment.id,
        patient: assignment.patientId,
        doctor: assignment.doctorId,
      })),
    );
  }
}
