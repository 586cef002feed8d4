import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { linksOwnProfile, mayLink, mayManageDoctor } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../core/auth/auth-user';
import { assertIfMatch } from '../core/http/etag';
import { InvalidFieldError, NotAllowedError, NotFoundError } from '../core/errors';
import { describeConstraint } from '../core/http/problem';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { columnsOf, selectOne, sql } from '../core/database/sql';
import { applyChanges } from '../core/records/apply-changes';
import { RecordRemoval } from '../core/records/record-removal';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
import { Role } from '../core/auth/role';
import { User } from '../users/user.entity';
import { CreateDoctorDto } from './dto/create-doctor.dto';
import { DoctorDto, toDoctorDto } from './dto/doctor.dto';
import { ListDoctorsQuery } from './dto/list-doctors.query';
import { UpdateDoctorDto } from './dto/update-doctor.dto';
import { Doctor } from './doctor.entity';

describeConstraint('doctors_email_key', 'A doctor with that email already exists.', 'email');
describeConstraint('doctors_license_number_key', 'A doctor with that license number already exists.', 'license_number');
describeConstraint('doctors_user_id_key', 'That account is already linked to a doctor profile.', 'user');

const NOT_FOUND = 'Doctor not found.';
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
  user: 'userId',
} as const satisfies Record<keyof CreateDoctorDto, keyof Doctor>;
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
 * The shared doctor directory. The link to an account grants that account the patients assigned
 * to the profile, so who may set it, and who may change a profile, is access/access.policy.ts's to say.
 */
@Injectable()
export class DoctorsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly removal: RecordRemoval,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateDoctorDto, user: AuthUser): Promise<DoctorDto> {
    const doctor = this.db.manager.create(Doctor, { createdById: user.id });
    const changed = applyChanges(doctor, dto, FIELDS);
    if (dto.user !== undefined && dto.user !== null) {
      // Naming one's own account is the automatic link asked for explicitly (409 when it has a profile already).
      if (!mayLink(user, null, dto.user, true)) throw this.linkRefused(user, null, null, dto.user);
      await this.assertDoctorAccount(dto.user);
    } else if (linksOwnProfile(user) && !(await this.findByAccount(user.id))) {
      doctor.userId = user.id;
      if (!changed.includes('user')) changed.push('user');
    }
    // Unique email, license and account link are decided by partial unique indexes; the filter turns a violation into 409.
    await this.db.transaction(async (manager) => {
      await manager.save(doctor);
      const audit = this.audit.of(user, 'doctor');
      await audit.changed(manager, 'create', doctor.id, changed);
      if (doctor.userId !== null) await audit.changed(manager, 'link', doctor.id, linkFields(null, doctor.userId));
    });
    return toDoctorDto(doctor);
  }

  async list(query: ListDoctorsQuery): Promise<Page<DoctorDto>> {
    const where = [sql`doctor.deleted_at IS NULL`];
    if (query.search) {
      const pattern = sql.param(likePattern(query.search));
      where.push(sql`(doctor.name ILIKE ${pattern} OR doctor.specialization ILIKE ${pattern} OR doctor.email::text ILIKE ${pattern})`);
    }
    if (query.specialization) where.push(sql`doctor.specialization ILIKE ${likePattern(query.specialization).slice(1, -1)}`);
    const { field, direction } = parseOrdering(query.ordering);
    const nulls = direction === 'ASC' ? sql`NULLS LAST` : sql`NULLS FIRST`;
    const orderBy = sql`doctor.${sql.identifier(ORDER_COLUMNS[field])} ${sql.raw(direction)} ${nulls}${field === 'id' ? sql.empty : sql`, doctor.id ASC`}`;
    const select = columnsOf(this.db.manager, Doctor, 'doctor');
    const page = await selectPage<Doctor>(this.db.manager, { select, from: sql`doctors doctor`, where, orderBy }, query);
    return page.map(toDoctorDto);
  }

  async get(id: number): Promise<DoctorDto> {
    return toDoctorDto(await this.require(this.db.manager, id));
  }

  /** A doctor that exists (is not deleted), for other modules; null otherwise. */
  find(manager: EntityManager, id: number, lock?: RowLock): Promise<Doctor | null> {
    return selectOne<Doctor>(
      manager,
      sql`SELECT ${columnsOf(manager, Doctor, 'doctor')} FROM doctors doctor WHERE doctor.id = ${id} AND doctor.deleted_at IS NULL${lock ? sql` ${LOCK_CLAUSES[lock]}` : sql.empty}`,
    );
  }

  /** The live doctor profile linked to an account, if any. */
  findByAccount(userId: number): Promise<Doctor | null> {
    return this.db.manager.findOneBy(Doctor, { userId });
  }

  async update(id: number, dto: UpdateDoctorDto, user: AuthUser, ifMatch?: string): Promise<DoctorDto> {
    const doctor = await this.db.transaction(async (manager) => {
      const doctor = await this.lock(manager, id);
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
      const changed = applyChanges(doctor, dto, FIELDS);
      if (changed.length > 0) await manager.save(doctor);
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
      await manager.softDelete(Doctor, id);
      const audit = this.audit.of(user, 'doctor');
      await audit.changed(manager, 'delete', id);
      if (doctor.userId !== null) await audit.changed(manager, 'unlink', id, linkFields(doctor.userId, null));
      await this.removal.removed(manager, { record: 'doctor', id, actorId: user.id, origin: user.origin });
    });
  }

  /** The doctor, locked for the transaction, if the caller may change it; 404 or 403 otherwise. */
  async requireWritable(manager: EntityManager, id: number, user: AuthUser): Promise<Doctor> {
    const doctor = await this.lock(manager, id);
    if (!mayManageDoctor(user, doctor)) throw notManager(doctor);
    return doctor;
  }

  private async lock(manager: EntityManager, id: number): Promise<Doctor> {
    const doctor = await manager.findOne(Doctor, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!doctor) throw new NotFoundError(NOT_FOUND);
    return doctor;
  }

  private async require(manager: EntityManager, id: number): Promise<Doctor> {
    const doctor = await this.find(manager, id);
    if (!doctor) throw new NotFoundError(NOT_FOUND);
    return doctor;
  }

  private async assertDoctorAccount(accountId: number): Promise<void> {
    const account = await this.db.manager.findOneBy(User, { id: accountId });
    if (!account || account.role !== Role.Doctor) {
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
  return new NotAllowedError(
    doctor.userId !== null
      ? 'Only the account linked to this doctor profile or an admin may change it.'
      : "Only the doctor profile's creator or an admin may change it.",
  );
}
