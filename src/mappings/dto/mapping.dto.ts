import { ApiProperty } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { MappingDoctorSummaryDto, toMappingDoctorSummaryDto } from '../../doctors/dto/doctor-summary.dto';
import { MappingPatientSummaryDto, toMappingPatientSummaryDto } from '../../patients/dto/patient-summary.dto';
import { Mapping } from '../mapping.entity';

export class MappingDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ type: 'integer', description: 'Patient id.' })
  patient!: number;

  @ApiProperty({ type: 'integer', description: 'Doctor id.' })
  doctor!: number;

  @ApiProperty({ type: MappingPatientSummaryDto, readOnly: true })
  patient_details!: MappingPatientSummaryDto;

  @ApiProperty({ type: MappingDoctorSummaryDto, readOnly: true })
  doctor_details!: MappingDoctorSummaryDto;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ readOnly: true, description: 'False once the assignment has ended.' })
  is_active!: boolean;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  assigned_date!: string;

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
export function toMappingDto(mapping: Mapping): MappingDto {
  const { patient, doctor } = mapping;
  if (!patient || !doctor) throw new Error('toMappingDto needs the patient and doctor joined');
  return {
    id: mapping.id,
    patient: mapping.patientId,
    doctor: mapping.doctorId,
    patient_details: toMappingPatientSummaryDto(patient),
    doctor_details: toMappingDoctorSummaryDto(doctor),
    notes: mapping.notes,
    is_active: mapping.isActive,
    assigned_date: mapping.assignedDate.toISOString(),
    ended_at: mapping.endedAt?.toISOString() ?? null,
    ...recordMetadataOf(mapping),
  };
}
