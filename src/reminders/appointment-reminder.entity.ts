import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Appointment } from '../appointments/appointment.entity';

/**
 * Where a reminder is: `planned` (its job waits for `send_at`), `sending` (claimed by a worker,
 * whose SMTP answer is awaited), `sent`, `failed` (the SMTP server refused it for good, or a
 * temporary refusal outlasted the retries), `cancelled` (the appointment was rescheduled or left
 * SCHEDULED first), `skipped` (when its time came the patient had no email any more, or the
 * appointment had already started).
 */
export const REMINDER_STATUSES = ['planned', 'sending', 'sent', 'failed', 'cancelled', 'skipped'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/**
 * One reminder mail of an appointment, `lead_seconds` before its start. A row is planned in the
 * booking's (or reschedule's) transaction and claimed by one worker at most: it is sent at most once.
 */
@Entity('appointment_reminders')
// At most one planned reminder per lead: a reschedule cancels the planned ones before it plans anew.
@Index('appointment_reminders_planned_key', ['appointmentId', 'leadSeconds'], { unique: true, where: `status = 'planned'` })
@Index('appointment_reminders_appointment_idx', ['appointmentId', 'id'])
@Check('appointment_reminders_lead_positive', 'lead_seconds > 0')
export class AppointmentReminder {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'appointment_reminders_pkey' })
  id!: number;

  @Column()
  appointmentId!: number;

  @ManyToOne(() => Appointment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'appointment_id', foreignKeyConstraintName: 'appointment_reminders_appointment_id_fkey' })
  appointment?: Appointment;

  /** How long before the appointment's start it is sent; the start it was planned for is `send_at + lead_seconds`. */
  @Column({ type: 'integer' })
  leadSeconds!: number;

  @Column({ type: 'timestamptz' })
  sendAt!: Date;

  @Column({ type: 'enum', enum: REMINDER_STATUSES, enumName: 'appointment_reminder_status', default: 'planned' })
  status!: ReminderStatus;

  /** When the SMTP server accepted it. */
  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
