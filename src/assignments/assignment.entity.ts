import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { RetainedRecord } from '../core/database/retained-record';
import { Doctor } from '../doctors/doctor.entity';
import { Patient } from '../patients/patient.entity';
import { User } from '../users/user.entity';

/** A doctor assigned to a patient; ending it keeps the row as history. */
@Entity('patient_doctor_mappings')
// At most one active assignment of a doctor to a patient, even when two requests race.
@Index('mappings_active_pair_key', ['patientId', 'doctorId'], { unique: true, where: 'is_active' })
@Index('mappings_doctor_idx', ['doctorId', 'patientId'], { where: 'is_active' })
export class Assignment extends RetainedRecord {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'mappings_pkey' })
  id!: number;

  @Index('mappings_patient_idx')
  @Column()
  patientId!: number;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'mappings_patient_id_fkey' })
  patient?: Patient;

  @Column()
  doctorId!: number;

  @ManyToOne(() => Doctor, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'mappings_doctor_id_fkey' })
  doctor?: Doctor;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column({ default: true })
  isActive!: boolean;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  assignedDate!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'mappings_created_by_id_fkey' })
  createdBy?: User;
}
