import { ApiProperty } from '@nestjs/swagger';
import { AppointmentDoctorSummaryDto, toAppointmentDoctorSummaryDto } from '../../doctors/dto/doctor-summary.dto';
import { AppointmentPatientSummaryDto, toAppointmentPatientSummaryDto } from '../../patients/dto/patient-summary.dto';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointment-status';
import { AppointmentStatusChange } from '../appointment-status-change.entity';
import { Appointment } from '../appointment.entity';
import { isoTime } from '../../core/records/iso-time';

export class AppointmentDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ type: 'integer', description: 'Doctor id.' })
  doctor!: number;

  @ApiProperty({ type: 'integer', description: 'Patient id.' })
  patient!: number;

  @ApiProperty({ type: AppointmentDoctorSummaryDto, readOnly: true })
  doctor_details!: AppointmentDoctorSummaryDto;

  @ApiProperty({ type: AppointmentPatientSummaryDto, readOnly: true })
  patient_details!: AppointmentPatientSummaryDto;

  @ApiProperty({ format: 'date-time', description: 'Start, in UTC.' })
  appointment_datetime!: string;

  @ApiProperty({ type: 'integer', minimum: 5, maximum: 480 })
  duration_minutes!: number;

  @ApiProperty({ format: 'date-time', readOnly: true, description: 'End (start + duration), in UTC.' })
  ends_at!: string;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ enum: APPOINTMENT_STATUSES, enumName: 'AppointmentStatus' })
  status!: AppointmentStatus;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'Id of the user who booked it.' })
  declare created_by: number;
}

export class StatusChangeDto {
  // Inline rather than the AppointmentStatus component: OpenAPI 3.0 cannot make a $ref nullable.
  @ApiProperty({ type: 'string', enum: APPOINTMENT_STATUSES, nullable: true, description: 'null for the booking itself.' })
  from!: AppointmentStatus | null;

  @ApiProperty({ enum: APPOINTMENT_STATUSES, enumName: 'AppointmentStatus' })
  to!: AppointmentStatus;

  @ApiProperty({ type: 'integer', description: 'Id of the user who made the change.' })
  changed_by!: number;

  @ApiProperty({ format: 'date-time' })
  changed_at!: string;
}

/** Expects `doctor` and `patient` loaded. */
export function toAppointmentDto(appointment: Appointment): AppointmentDto {
  const { doctor, patient } = appointment;
  if (!doctor || !patient) throw new Error('toAppointmentDto needs the doctor and patient joined');
  return {
    id: appointment.id,
    doctor: appointment.doctorId,
    patient: appointment.patientId,
    doctor_details: toAppointmentDoctorSummaryDto(doctor),
    patient_details: toAppointmentPatientSummaryDto(patient),
    appointment_datetime: isoTime(appointment.appointmentDatetime),
    duration_minutes: appointment.durationMinutes,
    ends_at: isoTime(appointment.endsAt),
    reason: appointment.reason,
    status: appointment.status,
    notes: appointment.notes,
    ...recordMetadataOf(appointment),
  };
}

export function toStatusChangeDto(change: AppointmentStatusChange): StatusChangeDto {
  return { from: change.fromStatus, to: change.toStatus, changed_by: change.changedById, changed_at: isoTime(change.changedAt) };
}
