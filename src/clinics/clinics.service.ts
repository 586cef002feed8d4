import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { clinicsListed, invitationsListed, mayManageClinic, mayReadClinic, mayRemoveMember } from '../access/access.policy';
import { AuditService } from '../audit/audit.service';
import { AuditEventDto } from '../audit/dto/audit-event.dto';
import { ListAuditEventsQuery } from '../audit/dto/list-audit-events.query';
import { AuthUser } from '../core/auth/auth-user';
import { ConflictError, InvalidFieldError, NotAllowedError, NotFoundError } from '../core/errors';
import { assertIfMatch } from '../core/http/etag';
import { describeConstraint } from '../core/http/problem';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { applyChanges } from '../core/records/apply-changes';
import { Mailer } from '../mail/mailer';
import { isIanaTimeZone } from '../schedules/zoned-time';
import { clinicInvitationMail } from './clinic-mails';
import { ClinicMember, ClinicRole } from './clinic-member.entity';
import { Role } from '../core/auth/role';
import { UsersService } from '../users/users.service';
import { Clinic } from './clinic.entity';
import { ClinicsRepository } from './clinics.repository';
import { ClinicDto, toClinicDto } from './dto/clinic.dto';
import { CreateClinicDto } from './dto/create-clinic.dto';
import { ClinicInvitationDto, toClinicInvitationDto } from './dto/invitation.dto';
import { ChangeMemberDto, InviteMemberDto } from './dto/invite-member.dto';
import { ClinicMemberDto, toClinicMemberDto } from './dto/member.dto';
import { UpdateClinicDto } from './dto/update-clinic.dto';

const NOT_FOUND = 'Clinic not found.';
const MEMBER_NOT_FOUND = 'No such member of this clinic.';
const MANAGERS_ONLY = "Only the clinic's managers may do this.";
const ALREADY_MEMBER = 'This account is already a member of the clinic, or invited to it.';
const LAST_MANAGER = 'A clinic keeps at least one manager: make another member manager first.';
describeConstraint('clinic_members_clinic_user_key', ALREADY_MEMBER);

/** API field → entity property, for writes. */
const FIELDS = { name: 'name', timezone: 'timezone', address: 'address', phone: 'phone' } as const satisfies Record<
  keyof CreateClinicDto,
  keyof Clinic
>;

/** A clinic the caller may see, and the caller's own membership of it (null for an admin who is none). */
interface Seen {
  clinic: Clinic;
  membership: ClinicMember | null;
}

/** Clinics and their members; who may do what is for access/access.policy.ts to say. */
@Injectable()
export class ClinicsService {
  constructor(
    // Only for transactions and the manager outside one: every statement is in ClinicsRepository.
    @InjectDataSource() private readonly db: DataSource,
    private readonly clinics: ClinicsRepository,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    private readonly users: UsersService,
  ) {}

  async create(dto: CreateClinicDto, user: AuthUser): Promise<ClinicDto> {
    checkTimeZone(dto.timezone);
    const clinic = this.clinics.buildClinic({ createdById: user.id });
    const changed = applyChanges(clinic, dto, FIELDS);
    await this.db.transaction(async (manager) => {
      await this.clinics.saveClinic(manager, clinic);
      // The creator runs the clinic from the start: its first, active manager.
      const member = this.clinics.buildMember({
        clinicId: clinic.id,
        userId: user.id,
        role: 'manager',
        status: 'active',
        invitedById: null,
      });
      await this.clinics.saveMember(manager, member);
      await this.audit.of(user, 'clinic').changed(manager, 'create', clinic.id, changed);
      await this.audit.of(user, 'clinic_member').changed(manager, 'create', member.id, ['role']);
    });
    // The creator now manages the clinic: this instance forgets it at once, the others on the trigger's
    // notification (which can arrive after the creator's next request, refused as not yet a manager).
    this.users.forget(user.id);
    return toClinicDto(clinic);
  }

  async list(query: PageQueryDto, user: AuthUser): Promise<Page<ClinicDto>> {
    const page = await this.clinics.findPage(query, clinicsListed(user));
    return page.map(toClinicDto);
  }

  /** The caller's own pending invitations, each with its clinic's name: the clinic itself stays a 404 to it until it accepts. */
  async invitations(query: PageQueryDto, user: AuthUser): Promise<Page<ClinicInvitationDto>> {
    const page = await this.clinics.findInvitationsPage(query, invitationsListed(user));
    return page.map(toClinicInvitationDto);
  }

  async get(id: number, user: AuthUser): Promise<ClinicDto> {
    const { clinic } = await this.seen(this.db.manager, id, user);
    return toClinicDto(clinic);
  }

  async update(id: number, dto: UpdateClinicDto, user: AuthUser, ifMatch?: string): Promise<ClinicDto> {
    if (dto.timezone !== undefined) checkTimeZone(dto.timezone);
    if (dto.name === null || dto.timezone === null) {
      throw InvalidFieldError.of(dto.name === null ? 'name' : 'timezone', 'This field cannot be cleared.');
    }
    const clinic = await this.db.transaction(async (manager) => {
      const { clinic, membership } = await this.seen(manager, id, user, true);
      if (!mayManageClinic(user, membership)) throw new NotAllowedError(MANAGERS_ONLY);
      assertIfMatch(ifMatch, clinic.version);
      const changed = applyChanges(clinic, dto, FIELDS);
      if (changed.length > 0) await this.clinics.saveClinic(manager, clinic);
      await this.audit.of(user, 'clinic').changed(manager, 'update', id, changed);
      return clinic;
    });
    return toClinicDto(clinic);
  }

  async members(id: number, query: PageQueryDto, user: AuthUser): Promise<Page<ClinicMemberDto>> {
    await this.seen(this.db.manager, id, user);
    const page = await this.clinics.findMembersPage(id, query);
    return page.map(toClinicMemberDto);
  }

  /** The trail of the clinic's records, for its managers (and admins), with the filters of the admins' trail. */
  async auditEvents(id: number, query: ListAuditEventsQuery, user: AuthUser): Promise<Page<AuditEventDto>> {
    const { membership } = await this.seen(this.db.manager, id, user);
    if (!mayManageClinic(user, membership)) throw new NotAllowedError(MANAGERS_ONLY);
    return this.audit.list(query, id);
  }

  /** Invites an existing account; it is a member once it accepts. */
  async invite(id: number, dto: InviteMemberDto, user: AuthUser): Promise<ClinicMemberDto> {
    const given = (['user', 'email', 'username'] as const).filter((field) => dto[field] !== undefined);
    if (given.length !== 1) {
      throw InvalidFieldError.of('user', 'Name the account by exactly one of `user`, `email` or `username`.');
    }
    const member = await this.db.transaction(async (manager) => {
      const { clinic, membership } = await this.seen(manager, id, user, true);
      if (!mayManageClinic(user, membership)) throw new NotAllowedError(MANAGERS_ONLY);
      const field = given[0];
      const account = await this.clinics.findAccount(
        manager,
        field === 'user' ? { id: dto.user! } : field === 'email' ? { email: dto.email! } : { username: dto.username! },
      );
      if (!account) throw InvalidFieldError.of(field, 'No account matches.');
      assertCanHold(account.role, dto.role);
      if (await this.clinics.findMember(manager, id, account.id)) throw new ConflictError(ALREADY_MEMBER);
      const member = this.clinics.buildMember({
        clinicId: id,
        userId: account.id,
        role: dto.role,
        status: 'invited',
        invitedById: user.id,
      });
      await this.clinics.saveMember(manager, member);
      await this.audit.of(user, 'clinic_member', id).changed(manager, 'invite', member.id, ['role']);
      this.mailer.sendAfterCommit(manager, clinicInvitationMail(account.email, clinic, dto.role));
      return Object.assign(member, { user: account });
    });
    return toClinicMemberDto(member);
  }

  /** The invited caller joins the clinic. */
  async accept(id: number, user: AuthUser): Promise<ClinicMemberDto> {
    const member = await this.db.transaction(async (manager) => {
      const member = await this.invitation(manager, id, user);
      member.status = 'active';
      await this.clinics.saveMember(manager, member);
      await this.audit.of(user, 'clinic_member', id).changed(manager, 'accept', member.id, ['status']);
      return member;
    });
    this.users.forget(user.id);
    return toClinicMemberDto(member);
  }

  /** The invited caller turns the invitation down: it is deleted, and may be made again. */
  async decline(id: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const member = await this.invitation(manager, id, user);
      await this.clinics.deleteMember(manager, member);
      await this.audit.of(user, 'clinic_member', id).changed(manager, 'decline', member.id);
    });
  }

  async changeRole(id: number, userId: number, dto: ChangeMemberDto, user: AuthUser): Promise<ClinicMemberDto> {
    const member = await this.db.transaction(async (manager) => {
      const { membership } = await this.seen(manager, id, user, true);
      if (!mayManageClinic(user, membership)) throw new NotAllowedError(MANAGERS_ONLY);
      const member = await this.clinics.findMember(manager, id, userId);
      if (!member) throw new NotFoundError(MEMBER_NOT_FOUND);
      if (member.role === dto.role) return member;
      if (dto.role === 'clinician') assertCanHold((await this.clinics.findAccount(manager, { id: userId }))!.role, dto.role);
      if (dto.role !== 'manager') await this.keepAManager(manager, member);
      member.role = dto.role;
      await this.clinics.saveMember(manager, member);
      await this.audit.of(user, 'clinic_member', id).changed(manager, 'update', member.id, ['role']);
      return member;
    });
    // What the member may see changed: this instance forgets it now, the others on the trigger's notification.
    this.users.forget(userId);
    return toClinicMemberDto(member);
  }

  /** A manager removes a member (or an invitation); any member may remove itself (leave). */
  async remove(id: number, userId: number, user: AuthUser): Promise<void> {
    await this.db.transaction(async (manager) => {
      const { membership } = await this.seen(manager, id, user, true);
      if (!mayRemoveMember(user, membership, userId)) throw new NotAllowedError(MANAGERS_ONLY);
      const member = await this.clinics.findMember(manager, id, userId);
      if (!member) throw new NotFoundError(MEMBER_NOT_FOUND);
      await this.keepAManager(manager, member);
      await this.clinics.deleteMember(manager, member);
      // The row is gone when the entry is written, so the entry names its clinic itself.
      await this.audit.of(user, 'clinic_member', id).changed(manager, 'delete', member.id);
    });
    this.users.forget(userId);
  }

  /**
   * The clinic if the caller may see it, else 404 as for a missing one. With `lock` its row is
   * locked first, so that member changes of one clinic run one at a time and the count of managers
   * read after it stays true until commit.
   */
  private async seen(manager: EntityManager, id: number, user: AuthUser, lock = false): Promise<Seen> {
    const clinic = await this.clinics.findClinic(manager, id, lock);
    const membership = clinic && (await this.clinics.findMember(manager, id, user.id));
    if (!clinic || !mayReadClinic(user, membership)) throw new NotFoundError(NOT_FOUND);
    return { clinic, membership };
  }

  /** The caller's pending invitation to the clinic, the clinic's row locked; 404 when there is none. */
  private async invitation(manager: EntityManager, id: number, user: AuthUser): Promise<ClinicMember> {
    const clinic = await this.clinics.findClinic(manager, id, true);
    const member = clinic && (await this.clinics.findMember(manager, id, user.id));
    if (!member || member.status !== 'invited') throw new NotFoundError('No invitation to this clinic.');
    return member;
  }

  /** Refuses (409) to take the last active manager away; the clinic's row is locked by the caller. */
  private async keepAManager(manager: EntityManager, member: ClinicMember): Promise<void> {
    if (member.role !== 'manager' || member.status !== 'active') return;
    if ((await this.clinics.countActiveManagers(manager, member.clinicId)) <= 1) throw new ConflictError(LAST_MANAGER);
  }
}

/** A clinician is a doctor account (its doctor profile is what the clinic's records are about). */
function assertCanHold(accountRole: Role, role: ClinicRole): void {
  if (role === 'clinician' && accountRole !== Role.Doctor) throw InvalidFieldError.of('role', 'Only a doctor account can be a clinician.');
}

function checkTimeZone(timezone: string): void {
  if (!isIanaTimeZone(timezone))
    throw InvalidFieldError.of('timezone', `Unknown time zone "${timezone}"; use an IANA name like Europe/Berlin.`);
}
