import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { APPOINTMENT_STATUSES, AppointmentStatus } from './appointment-status';
import { Appointment } from './appointment.entity';

/** One step of an appointment's status history: from, to, who, when. Booking is the first (from null). */
@Entity('appointment_status_changes')
@Index('appointment_status_changes_appointment_idx', ['appointmentId', 'id'])
export class AppointmentStatusChange {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'appointment_status_changes_pkey' })
  id!: number;

  @Column()
  appointmentId!: number;

  @ManyToOne(() => Appointment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'appointment_id', foreignKeyConstraintName: 'appointment_status_changes_appointment_id_fkey' })
  appointment?: Appointment;

  @Column({ type: 'enum', enum: APPOINTMENT_STATUSES, enumName: 'appointment_status', nullable: true })
  fromStatus!: AppointmentStatus | null;

  @Column({ type: 'enum', enum: APPOINTMENT_STATUSES, enumName: 'appointment_status' })
  toStatus!: AppointmentStatus;

  /** No foreign key to users: history outlives accounts. */
  @Column()
  changedById!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  changedAt!: Date;
}
