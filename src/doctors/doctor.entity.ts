import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RetainedRecord } from '../core/database/retained-record';
import { Clinic } from '../clinics/clinic.entity';
import { User } from '../users/user.entity';

@Entity('doctors')
@Check('doctors_experience_range', 'experience_years BETWEEN 0 AND 80')
@Check('doctors_fee_not_negative', 'consultation_fee >= 0')
// Unique among doctors that are not deleted: a deleted profile frees its email and license.
@Index('doctors_email_key', ['email'], { unique: true, where: 'deleted_at IS NULL' })
@Index('doctors_license_number_key', ['licenseNumber'], { unique: true, where: 'deleted_at IS NULL' })
// One live profile per doctor account.
@Index('doctors_user_id_key', ['userId'], { unique: true, where: 'deleted_at IS NULL' })
// A clinic's doctors (`?clinic=`).
@Index('doctors_clinic_idx', ['clinicId', 'id'], { where: 'deleted_at IS NULL AND clinic_id IS NOT NULL' })
@Index('doctors_specialization_idx', ['specialization'], { where: 'deleted_at IS NULL' })
@Index('doctors_name_trgm_idx', { synchronize: false })
@Index('doctors_specialization_trgm_idx', { synchronize: false })
@Index('doctors_email_trgm_idx', { synchronize: false })
@Index('doctors_hospital_trgm_idx', { synchronize: false })
export class Doctor extends RetainedRecord {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'doctors_pkey' })
  id!: number;

  @Column({ length: 200 })
  name!: string;

  @Column({ type: 'citext', nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ length: 100 })
  specialization!: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  licenseNumber!: string | null;

  @Column({ type: 'smallint', nullable: true })
  experienceYears!: number | null;

  /** numeric(10,2): pg returns it as a string, which is also how the API sends money. */
  @Column({ type: 'numeric', precision: 10, scale: 2, nullable: true })
  consultationFee!: string | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  availability!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  hospital!: string | null;

  /** The linked account of role doctor, if any. */
  @Column({ type: 'integer', nullable: true })
  userId!: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'doctors_user_id_fkey' })
  user?: User;

  /** The clinic whose managers may change the profile as its creator can; null for none. */
  @Column({ type: 'integer', nullable: true })
  clinicId!: number | null;

  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'clinic_id', foreignKeyConstraintName: 'doctors_clinic_id_fkey' })
  clinic?: Clinic;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'doctors_created_by_id_fkey' })
  createdBy?: User;
}
