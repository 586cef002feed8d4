import { Check, Column, Entity, Exclusion, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { Doctor } from '../doctors/doctor.entity';
import { Patient } from '../patients/patient.entity';
import { User } from '../users/user.entity';
import { APPOINTMENT_STATUSES, AppointmentStatus } from './appointment-status';

/** The length of a booking that names none, and of every appointment imported from a Django project (which had none). */
export const DEFAULT_DURATION_MINUTES = 30;

const ACTIVE = `"status" IN ('SCHEDULED', 'CHECKED_IN')`;
const SPAN = `tstzrange("appointment_datetime", "ends_at", '[)')`;

/**
 * A booked time. Double booking is impossible by construction: two exclusion constraints
 * refuse overlapping active appointments of one doctor, or of one patient, whatever the
 * number of service instances racing. Ranges are half-open, so back-to-back is allowed.
 */
@Entity('appointments')
@Exclusion('appointments_doctor_no_overlap', `USING gist ("doctor_id" WITH =, ${SPAN} WITH &&) WHERE (${ACTIVE})`)
@Exclusion('appointments_patient_no_overlap', `USING gist ("patient_id" WITH =, ${SPAN} WITH &&) WHERE (${ACTIVE})`)
@Check('appointments_duration_range', 'duration_minutes BETWEEN 5 AND 480')
@Check('appointments_ends_after_start', `ends_at = appointment_datetime + make_interval(mins => duration_minutes)`)
@Index('appointments_doctor_time_idx', ['doctorId', 'appointmentDatetime'])
@Index('appointments_patient_time_idx', ['patientId', 'appointmentDatetime'])
export class Appointment extends Timestamped {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'appointments_pkey' })
  id!: number;

  @Column()
  doctorId!: number;

  @ManyToOne(() => Doctor, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'appointments_doctor_id_fkey' })
  doctor?: Doctor;

  @Column()
  patientId!: number;

  @ManyToOne(() => Patient, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'patient_id', foreignKeyConstraintName: 'appointments_patient_id_fkey' })
  patient?: Patient;

  /** The start, stored in UTC. */
  @Column({ type: 'timestamptz' })
  appointmentDatetime!: Date;

  @Column({ type: 'smallint', default: DEFAULT_DURATION_MINUTES })
  durationMinutes!: number;

  /** Start plus duration; kept as a column so the exclusion constraints can index the range. */
  @Column({ type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @Column({ type: 'enum', enum: APPOINTMENT_STATUSES, enumName: 'appointment_status', default: AppointmentStatus.Scheduled })
  status!: AppointmentStatus;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @Column()
  createdById!: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by_id', foreignKeyConstraintName: 'appointments_created_by_id_fkey' })
  createdBy?: User;

  @VersionColumn({ default: 1 })
  version!: number;
}
