import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { AssignmentDoctorSummaryDto, toAssignmentDoctorSummaryDto } from '../../doctors/dto/doctor-summary.dto';
import { AssignmentPatientSummaryDto, toAssignmentPatientSummaryDto } from '../../patients/dto/patient-summary.dto';
import { Assignment } from '../assignment.entity';
import { isoTime } from '../../core/records/iso-time';

// The document keeps the API's schema name (clients generate types from it).
@ApiSchema({ name: 'MappingDto' })
export class AssignmentDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ type: 'integer', description: 'Patient id.' })
  patient!: number;

  @ApiProperty({ type: 'integer', description: 'Doctor id.' })
  doctor!: number;

  @ApiProperty({ type: AssignmentPatientSummaryDto, readOnly: true })
  patient_details!: AssignmentPatientSummaryDto;

  @ApiProperty({ type: AssignmentDoctorSummaryDto, readOnly: true })
  doctor_details!: AssignmentDoctorSummaryDto;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ readOnly: true, description: 'False once the assignment has ended.' })
  is_active!: boolean;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  assigned_date!: string;

  @ApiProperty({
    readOnly: true,
    format: 'date-time',
    description: 'When the assignment was made: the same instant as `assigned_date` and `created_at`, under the name some clients read.',
  })
  assigned_at!: string;

  @ApiProperty({
    readOnly: true,
    format: 'date-time',
    type: String,
    nullable: true,
    description: 'When the assignment ended; null while active.',
  })
  ended_at!: string | null;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'Id of the user who made the assignment.' })
  declare created_by: number;
}

/** Expects `patient` and `doctor` loaded (one joined query, never one per row). */
export function toAssignmentDto(assignment: Assignment): AssignmentDto {
  const { patient, doctor } = assignment;
  if (!patient || !doctor) throw new Error('toAssignmentDto needs the patient and doctor joined');
  return {
    id: assignment.id,
    patient: assignment.patientId,
    doctor: assignment.doctorId,
    patient_details: toAssignmentPatientSummaryDto(patient),
    doctor_details: toAssignmentDoctorSummaryDto(doctor),
    notes: assignment.notes,
    is_active: assignment.isActive,
    assigned_date: isoTime(assignment.assignedDate),
    assigned_at: isoTime(assignment.assignedDate),
    ended_at: assignment.endedAt ? isoTime(assignment.endedAt) : null,
    ...recordMetadataOf(assignment),
  };
}
