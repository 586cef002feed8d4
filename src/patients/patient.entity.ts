import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RetainedRecord } from '../core/database/retained-record';
import { Clinic } from '../clinics/clinic.entity';
import { User } from '../users/user.entity';
import { BLOOD_GROUPS, BloodGroup, Gender, GENDERS } from './patient.enums';

@Entity('patients')
@Check('patients_age_range', 'age BETWEEN 0 AND 150')
// An owner's list of personal patients, newest or by id, without touching other owners' rows (and
// counted from the index alone).
@Index('patients_owner_idx', ['createdById', 'id'], { where: 'deleted_at IS NULL AND clinic_id IS NULL' })
// Trigram indexes for ?search= (ILIKE '%term%'), created by the migration: TypeORM cannot describe them.
@Index('patients_name_trgm_idx', { synchronize: false })
@Index('patients_email_trgm_idx', { synchronize: false })
@Index('patients_phone_trgm_idx', { synchronize: false })
// One owner's search: trigrams prefixed by their row's owner (see the OwnerSearchKeys migration).
@Index('patients_owner_search_idx', { synchronize: false })
// A clinic's list, and its search keyed by the clinic (see the ClinicRecords migration).
@Index('patients_clinic_idx', ['clinicId', 'id'], { where: 'deleted_at IS NULL AND clinic_id IS NOT NULL' })
@Index('patients_clinic_search_idx', { synchronize: false })
export class Patient extends RetainedRecord {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'patients_pkey' })
  id!: number;

  @Column({ length: 200 })
  name!: string;

  @Column({ type: 'citext', nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'date', nullable: true })
  dateOfBirth!: string | null;

  /** As sent by clients that give an age instead of a birth date. */
  @Column({ type: 'smallint', nullable: true })
  age!: number | null;

  @Column({ type: 'enum', enum: GENDERS, enumName: 'patient_gender', nullable: true })
  gender!: Gender | null;

  @Column({ type: 'enum', enum: BLOOD_GROUPS, enumName: 'blood_group', nullable: true })
  bloodGroup!: BloodGroup | null;

  @Column({ type: 'text', nullable: true })
  address!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  emergencyContact!: string | null;

  @Column({ type: 'text', nullable: true })
  medicalHistory!: string | null;

  /** The clinic the patient belongs to; null for a personal patient of its creator. */
  @Column({ type: 'integer', nullable: true })
  clinicId!: number | null;

  @ManyToOne(() => Clinic, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'clinic_id', foreignKeyConstraintName: 'patients_clinic_id_fkey' })
  clinic?: Clinic;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'patients_created_by_id_fkey' })
  createdBy?: User;
}
