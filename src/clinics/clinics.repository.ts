import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { whereVisible } from '../access/access.policy';
import type { Sql } from '../core/database/sql';
import { Page, PageQueryDto } from '../core/pagination/pagination';
import { User } from '../users/user.entity';
import { ClinicMember, ClinicRole } from './clinic-member.entity';
import { Clinic } from './clinic.entity';

/** Every statement on clinics and their members, through TypeORM: none is a hot path. */
@Injectable()
export class ClinicsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  buildClinic(fields: Partial<Clinic>): Clinic {
    return this.db.manager.create(Clinic, fields);
  }

  buildMember(fields: Partial<ClinicMember>): ClinicMember {
    return this.db.manager.create(ClinicMember, fields);
  }

  async saveClinic(manager: EntityManager, clinic: Clinic): Promise<void> {
    await manager.save(clinic);
  }

  async saveMember(manager: EntityManager, member: ClinicMember): Promise<void> {
    await manager.save(member);
  }

  async deleteMember(manager: EntityManager, member: ClinicMember): Promise<void> {
    await manager.delete(ClinicMember, { id: member.id });
  }

  /** The clinic; with `lock`, its row locked FOR UPDATE, which serializes the member changes of one clinic. */
  findClinic(manager: EntityManager, id: number, lock = false): Promise<Clinic | null> {
    return manager.findOne(Clinic, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** The account's membership of the clinic, any status, with its account. */
  findMember(manager: EntityManager, clinicId: number, userId: number): Promise<ClinicMember | null> {
    return manager.findOne(ClinicMember, { where: { clinicId, userId }, relations: { user: true } });
  }

  countActiveManagers(manager: EntityManager, clinicId: number): Promise<number> {
    return manager.countBy(ClinicMember, { clinicId, role: 'manager' satisfies ClinicRole, status: 'active' });
  }

  /** One page of the clinics `visible` admits (all, when null). */
  async findPage(page: PageQueryDto, visible: Sql | null): Promise<Page<Clinic>> {
    const qb = this.db.manager.createQueryBuilder(Clinic, 'clinic');
    whereVisible(qb, visible);
    const [clinics, total] = await qb.orderBy('clinic.id', 'ASC').offset(page.offset).limit(page.page_size).getManyAndCount();
    return new Page(clinics, total, page);
  }

  /** One page of the clinic's members (active and invited), with their accounts. */
  async findMembersPage(clinicId: number, page: PageQueryDto): Promise<Page<ClinicMember>> {
    const [members, total] = await this.db.manager.findAndCount(ClinicMember, {
      where: { clinicId },
      relations: { user: true },
      order: { id: 'ASC' },
      skip: page.offset,
      take: page.page_size,
    });
    return new Page(members, total, page);
  }

  /**
   * One page of the invitations `visible` admits (over `membership`), oldest first, with their
   * clinics. The account's own are read from clinic_members_user_idx.
   */
  async findInvitationsPage(page: PageQueryDto, visible: Sql): Promise<Page<ClinicMember>> {
    const qb = this.db.manager.createQueryBuilder(ClinicMember, 'membership').innerJoinAndSelect('membership.clinic', 'clinic');
    whereVisible(qb, visible);
    const [invitations, total] = await qb.orderBy('membership.id', 'ASC').offset(page.offset).limit(page.page_size).getManyAndCount();
    return new Page(invitations, total, page);
  }

  /** The account named by exactly one of id, email or username; null when there is none. */
  findAccount(manager: EntityManager, by: { id: number } | { email: string } | { username: string }): Promise<User | null> {
    return manager.findOneBy(User, by);
  }
}
