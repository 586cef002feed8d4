import { ForbiddenException, HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '../core/auth/auth-user';
import { assertIfMatch } from '../core/http/etag';
import { describeConstraint, FieldProblemException } from '../core/http/problem';
import { likePattern, parseOrdering } from '../core/pagination/ordering';
import { Page } from '../core/pagination/pagination';
import { selectPage } from '../core/pagination/select-page';
import { columnsOf, SqlParams, selectOne } from '../core/database/sql';
import { applyChanges } from '../core/records/apply-changes';
import { RecordRemoval } from '../core/records/record-removal';
import { LOCK_CLAUSES, RowLock } from '../core/records/row-lock';
import { Role } from '../users/role';
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
 * The shared doctor directory: every user reads it and may add to it; a profile is changed
 * only by its creator, its linked doctor account or an admin.
 */
@Injectable()
export class DoctorsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly removal: RecordRemoval,
  ) {}

  async create(dto: CreateDoctorDto, user: AuthUser): Promise<DoctorDto> {
    const doctor = this.db.manager.create(Doctor, { createdById: user.id });
    applyChanges(doctor, dto, FIELDS);
    if (dto.user !== undefined && dto.user !== null) await this.assertLinkable(dto.user, user);
    else if (user.role === Role.Doctor && !(await this.findByAccount(user.id))) doctor.userId = user.id;
    // Unique email, license and account link are decided by partial unique indexes; the filter turns a violation into 409.
    await this.db.manager.save(doctor);
    return toDoctorDto(doctor);
  }

  async list(query: ListDoctorsQuery): Promise<Page<DoctorDto>> {
    const params = new SqlParams();
    const where = ['doctor.deleted_at IS NULL'];
    if (query.search) {
      const pattern = params.add(likePattern(query.search));
      where.push(`(doctor.name ILIKE ${pattern} OR doctor.specialization ILIKE ${pattern} OR doctor.email::text ILIKE ${pattern})`);
    }
    if (query.specialization) where.push(`doctor.specialization ILIKE ${params.add(likePattern(query.specialization).slice(1, -1))}`);
    const { field, direction } = parseOrdering(query.ordering);
    const nulls = direction === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST';
    const orderBy = `doctor.${ORDER_COLUMNS[field]} ${direction} ${nulls}${field === 'id' ? '' : ', doctor.id ASC'}`;
    const select = columnsOf(this.db.manager, Doctor, 'doctor');
    const page = await selectPage<Doctor>(this.db.manager, { select, from: 'doctors doctor', where, orderBy }, params, query);
    return page.map(toDoctorDto);
  }

  async get(id: number): Promise<DoctorDto> {
    return toDoctorDto(await this.require(this.db.manager, id));
  }

  /** A doctor that exists (is not deleted), for other modules; null otherwise. */
  find(manager: EntityManager, id: number, lock?: RowLock): Promise<Doctor | null> {
    const sql = `SELECT ${columnsOf(manager, Doctor, 'doctor')} FROM doctors doctor WHERE doctor.id = $1 AND doctor.deleted_at IS NULL`;
    return selectOne<Doctor>(manager, lock ? `${sql} ${LOCK_CLAUSES[lock]}` : sql, [id]);
  }

  /** The live doctor profile linked to an account, if any. */
  findByAccount(userId: number): Promise<Doctor | null> {
    return this.db.manager.findOneBy(Doctor, { userId });
  }

  async update(id: number, dto: UpdateDoctorDto, user: AuthUser, ifMatch?: string): Promise<DoctorDto> {
    const doctor = await this.db.transaction(async (manager) => {
      const doctor = await this.requireWritable(manager, id, user);
      assertIfMatch(ifMatch, doctor.version);
      if (dto.user !== undefined && dto.user !== null && dto.user !== doctor.userId) await this.assertLinkable(dto.user, user);
      if (applyChanges(doctor, dto, FIELDS).length > 0) await manager.save(doctor);
      return doctor;
    });
    return toDoctorDto(doctor);
  }

  /** Soft delete: kept for history; its assignments end and its future appointments are cancelled. */
  async remove(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      await this.requireWritable(manager, id, user);
      await manager.softDelete(Doctor, id);
      await this.removal.removed(manager, { record: 'doctor', id, actorId: user.id });
    });
  }

  /** Whether the caller may change this doctor's profile (and its schedule). */
  canManage(doctor: Doctor, user: AuthUser): boolean {
    return user.role === Role.Admin || doctor.createdById === user.id || doctor.userId === user.id;
  }

  async requireWritable(manager: EntityManager, id: number, user: AuthUser): Promise<Doctor> {
    const doctor = await manager.findOne(Doctor, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    if (!this.canManage(doctor, user)) {
      throw new ForbiddenException("Only the doctor's creator, its linked account or an admin may change it.");
    }
    return doctor;
  }

  private async require(manager: EntityManager, id: number): Promise<Doctor> {
    const doctor = await this.find(manager, id);
    if (!doctor) throw new NotFoundException(NOT_FOUND);
    return doctor;
  }

  /** Admins link any doctor account; others only their own. */
  private async assertLinkable(accountId: number, user: AuthUser): Promise<void> {
    const fail = (message: string) => new FieldProblemException(HttpStatus.BAD_REQUEST, message, { user: [message] });
    if (user.role !== Role.Admin && accountId !== user.id) throw fail('You may link only your own account.');
    const account = await this.db.manager.findOneBy(User, { id: accountId });
    if (!account || account.role !== Role.Doctor) throw fail('user must be the id of an account with role doctor.');
  }
}
