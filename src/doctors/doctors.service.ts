import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { linksOwnProfile, mayLink, mayManageDoctor, mayMoveInto, mayMoveOutOf } from '../access/access.policy';
import { AuditService, ChangeAction } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { assertIfMatch } from '../core/http/etag';
import { InvalidFieldError, NotAllowedError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import { Page } from '../core/pagination/pagination';
import { applyChanges } from '../core/records/apply-changes';
import { RecordRemoval } from '../core/records/record-removal';
import { RowLock } from '../core/records/row-lock';
import { Role } from '../core/auth/role';
import { nameFromParts } from '../core/validation/name-parts';
import { CreateDoctorDto } from './dto/create-doctor.dto';
import { DoctorDto, toDoctorDto } from './dto/doctor.dto';
import { ListDoctorsQuery } from './dto/list-doctors.query';
import { UpdateDoctorDto } from './dto/update-doctor.dto';
import { Doctor } from './doctor.entity';
import { DoctorsRepository } from './doctors.repository';

describeConstraint('doctors_email_key', 'A doctor with that email already exists.', 'email');
describeConstraint('doctors_license_number_key', 'A doctor with that license number already exists.', 'license_number');
describeConstraint('doctors_user_id_key', 'That account is already linked to a doctor profile.', 'user');

const ONLY_ADMINS_LINK = 'Only an admin may link a doctor profile to an account; a linked account may only unlink itself (user: null).';

const FIELDS = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  specialization: 'specialization',
  license_number: 'licenseNumber',
  experience_years: 'experienceYears',
  consultation_fee: 'consultationFee',
  address: 'address',
  availability: 'availability',
  hospital: 'hospital',
  user: 'userId',
} as const satisfies Record<Exclude<keyof CreateDoctorDto, 'clinic'>, keyof Doctor>;

/** The same answer whether the clinic is missing or not the caller's: ids of other clinics tell nothing. */
const NOT_YOUR_CLINIC = 'No clinic where you are a manager has this id.';
const MANAGERS_MOVE_OUT = "Only the managers of the doctor profile's clinic or an admin may take it out of the clinic.";

/**
 * The shared doctor directory. The link to an account grants that account the patients assigned
 * to the profile, so who may set it, and who may change a profile, is access/access.policy.ts's to say.
 */
@Injectable()
export class DoctorsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly doctors: DoctorsRepository,
    private readonly removal: RecordRemoval,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateDoctorDto, user: AuthUser): Promise<DoctorDto> {
    const clinicId = dto.clinic ?? null;
    if (clinicId !== null && !mayMoveInto(user, clinicId, { userId: null })) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
    const doctor = this.doctors.create({ createdById: user.id, clinicId });
    const changed = [...applyChanges(doctor, { ...dto, name: nameFromParts(dto) }, FIELDS), ...(clinicId !== null ? ['clinic'] : [])];
    if (dto.user !== undefined && dto.user !== null) {
      // Naming one's own account is the automatic link asked for explicitly (409 when it has a profile already).
      if (!mayLink(user, null, dto.user, true)) throw this.linkRefused(user, null, null, dto.user);
      await this.assertDoctorAccount(dto.user);
    } else if (linksOwnProfile(user) && !(await this.findByAccount(user.id))) {
      doctor.userId = user.id;
      if (!changed.includes('user')) changed.push('user');
    }
    // Clinics are never deleted, so one that exists now still does when the profile goes in.
    if (clinicId !== null) await this.assertClinicExists(this.db.manager, clinicId);
    // Unique email, license and account link are decided by partial unique indexes; the filter turns a violation into 409.
    const entries: [ChangeAction, string[]][] = [['create', changed]];
    // Before the insert an unset link is undefined, not yet the null the row will hold.
    const linkTo = doctor.userId ?? null;
    if (linkTo !== null) entries.push(['link', linkFields(null, linkTo)]);
    const audit = this.audit.of(user, 'doctor');
    await this.doctors.insert(doctor, (record) => audit.changedBy(record, clinicId, entries));
    return toDoctorDto(doctor);
  }

  async list(query: ListDoctorsQuery): Promise<Page<DoctorDto>> {
    const page = await this.doctors.list(query);
    return page.map(toDoctorDto);
  }

  async get(id: number): Promise<DoctorDto> {
    return toDoctorDto(await this.doctors.require(this.db.manager, id));
  }

  /** A doctor that exists (is not deleted), for other modules; null otherwise. */
  find(manager: EntityManager, id: number, lock?: RowLock): Promise<Doctor | null> {
    return this.doctors.find(manager, id, lock);
  }

  /** The live doctor profile linked to an account, if any. */
  findByAccount(userId: number): Promise<Doctor | null> {
    return this.doctors.findByAccount(userId);
  }

  async update(id: number, dto: UpdateDoctorDto, user: AuthUser, ifMatch?: string): Promise<DoctorDto> {
    const doctor = await this.db.transaction(async (manager) => {
      const doctor = await this.doctors.requireForUpdate(manager, id);
      const linkedFrom = doctor.userId;
      const relinks = dto.user !== undefined && dto.user !== doctor.userId;
      if (!mayManageDoctor(user, doctor)) {
        if (relinks) this.audit.of(user, 'doctor').denied(linkAction(dto.user ?? null), id, linkFields(doctor.userId, dto.user ?? null));
        throw notManager(doctor);
      }
      assertIfMatch(ifMatch, doctor.version);
      if (relinks) {
        const to = dto.user ?? null;
        if (!mayLink(user, doctor.userId, to, false)) throw this.linkRefused(user, id, doctor.userId, to);
        if (to !== null) await this.assertDoctorAccount(to);
      }
      const changed = applyChanges(doctor, { ...dto, name: nameFromParts(dto, doctor.name) }, FIELDS);
      if (dto.clinic !== undefined && dto.clinic !== doctor.clinicId) {
        await this.move(manager, doctor, dto.clinic, user);
        changed.push('clinic');
      }
      if (changed.length > 0) await this.doctors.update(manager, doctor);
      const audit = this.audit.of(user, 'doctor');
      await audit.changed(manager, 'update', id, changed);
      if (doctor.userId !== linkedFrom) await audit.changed(manager, linkAction(doctor.userId), id, linkFields(linkedFrom, doctor.userId));
      return doctor;
    });
    return toDoctorDto(doctor);
  }

  /**
   * Soft delete: kept for history; its assignments end and its future appointments are cancelled.
   * A linked account loses the patients the profile granted it, so that is audited as an `unlink`.
   */
  async remove(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const doctor = await this.requireWritable(manager, id, user);
      await this.doctors.softDelete(manager, id);
      const audit = this.audit.of(user, 'doctor');
      await audit.changed(manager, 'delete', id);
      if (doctor.userId !== null) await audit.changed(manager, 'unlink', id, linkFields(doctor.userId, null));
      await this.removal.removed(manager, { record: 'doctor', id, actorId: user.id, origin: user.origin });
    });
  }

  /** The doctor, locked for the transaction, if the caller may change it; 404 or 403 otherwise. */
  async requireWritable(manager: EntityManager, id: number, user: AuthUser): Promise<Doctor> {
    const doctor = await this.doctors.requireForUpdate(manager, id);
    if (!mayManageDoctor(user, doctor)) throw notManager(doctor);
    return doctor;
  }

  /**
   * Moves the profile into another clinic, or out of its clinic to none (`to` null). Out of a
   * clinic is for its managers; into one, for its managers or the profile's own clinician (access/access.policy.ts). A schedule
   * that used the clinic's time zone keeps it when the profile leaves for none, so its openings stay.
   */
  private async move(manager: EntityManager, doctor: Doctor, to: number | null, user: AuthUser): Promise<void> {
    const from = doctor.clinicId;
    if (!mayMoveOutOf(user, from)) throw new NotAllowedError(MANAGERS_MOVE_OUT);
    if (to !== null && !mayMoveInto(user, to, doctor)) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
    if (to !== null) await this.assertClinicExists(manager, to);
    if (from !== null && to === null && (await this.doctors.pinScheduleTimezone(manager, doctor.id, from))) {
      await this.audit.of(user, 'schedule').changed(manager, 'update', doctor.id, ['timezone']);
    }
    doctor.clinicId = to;
  }

  private async assertClinicExists(manager: EntityManager, id: number): Promise<void> {
    if (!(await this.doctors.clinicExists(manager, id))) throw InvalidFieldError.of('clinic', NOT_YOUR_CLINIC);
  }

  private async assertDoctorAccount(accountId: number): Promise<void> {
    if ((await this.doctors.findAccountRole(accountId)) !== Role.Doctor) {
      const message = 'user must be the id of an account with role doctor.';
      throw InvalidFieldError.of('user', message);
    }
  }

  /** A refused change of `user`: audited as denied, answered 403 naming the field. */
  private linkRefused(user: AuthUser, id: number | null, from: number | null, to: number | null): NotAllowedError {
    this.audit.of(user, 'doctor').denied(linkAction(to), id, linkFields(from, to));
    return new NotAllowedError(ONLY_ADMINS_LINK, { user: [ONLY_ADMINS_LINK] });
  }
}

/** A move of a profile's account link, as the audit trail names it. */
const linkAction = (to: number | null): 'link' | 'unlink' => (to === null ? 'unlink' : 'link');

/**
 * The changed fields audited for a move of a profile's account link: the accounts before and
 * after, since the link is what grants patient records, so who moved it matters. The ids are
 * accounts', not clinical values.
 */
function linkFields(from: number | null, to: number | null): string[] {
  return ['user', `old_user:${from ?? 'none'}`, `new_user:${to ?? 'none'}`];
}

function notManager(doctor: Doctor): NotAllowedError {
  const who = doctor.userId !== null ? 'the account linked to this doctor profile' : "the doctor profile's creator";
  return new NotAllowedError(`Only ${who}${doctor.clinicId !== null ? ", its clinic's managers" : ''} or an admin may change it.`);
}
