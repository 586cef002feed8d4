import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { User } from '../users/user.entity';
import { Clinic } from './clinic.entity';

export const CLINIC_ROLES = ['manager', 'staff', 'clinician'] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];
export const MEMBER_STATUSES = ['invited', 'active'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** An account's one membership of a clinic: invited until it accepts, then active. */
@Entity('clinic_members')
@Index('clinic_members_clinic_user_key', ['clinicId', 'userId'], { unique: true })
// "My clinics": an account's memberships without scanning other accounts'.
@Index('clinic_members_user_idx', ['userId', 'clinicId'])
export class ClinicMember extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'clinic_members_pkey' })
  id!: number;

  @Column()
  clinicId!: number;

  @ManyToOne(() => Clinic, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'clinic_id', foreignKeyConstraintName: 'clinic_members_clinic_id_fkey' })
  clinic?: Clinic;

  @Column()
  userId!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'clinic_members_user_id_fkey' })
  user?: User;

  @Column({ type: 'enum', enum: CLINIC_ROLES, enumName: 'clinic_role' })
  role!: ClinicRole;

  @Column({ type: 'enum', enum: MEMBER_STATUSES, enumName: 'clinic_member_status' })
  status!: MemberStatus;

  @Column({ type: 'integer', nullable: true })
  invitedById!: number | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'invited_by_id', foreignKeyConstraintName: 'clinic_members_invited_by_id_fkey' })
  invitedBy?: User;
}
