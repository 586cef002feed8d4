import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, VersionColumn } from 'typeorm';
import { Timestamped } from '../core/database/timestamps';
import { Doctor } from '../doctors/doctor.entity';

/** A weekly opening hour in the doctor's own time zone; weekday 0 is Monday. */
export interface ScheduleEntry {
  weekday: number;
  start: string;
  end: string;
}

/** A doctor's weekly schedule: when it can be booked, in its IANA time zone. */
@Entity('doctor_schedules')
@Check('doctor_schedules_slot_range', 'slot_minutes BETWEEN 5 AND 480')
export class DoctorSchedule extends Timestamped {
  @PrimaryColumn({ primaryKeyConstraintName: 'doctor_schedules_pkey' })
  doctorId!: number;

  @OneToOne(() => Doctor, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'doctor_id', foreignKeyConstraintName: 'doctor_schedules_doctor_id_fkey' })
  doctor?: Doctor;

  /** Null: the time zone of the doctor's clinic. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timezone!: string | null;

  @Column({ type: 'smallint' })
  slotMinutes!: number;

  @Column({ type: 'jsonb' })
  entries!: ScheduleEntry[];

  @VersionColumn({ default: 1 })
  version!: number;
}
