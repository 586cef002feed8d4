import { ApiProperty } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { splitName } from '../../core/validation/name-parts';
import { BLOOD_GROUPS, type BloodGroup, type Gender, GENDERS } from '../patient.enums';
import { Patient } from '../patient.entity';

export class PatientDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ example: 'Jane Doe' })
  name!: string;

  @ApiProperty({ deprecated: true, example: 'Jane', description: '`name` up to its first space, for the clients of seed 004.' })
  first_name!: string;

  @ApiProperty({
    deprecated: true,
    example: 'Doe',
    description: 'The rest of `name` after `first_name` (empty when none), for the clients of seed 004.',
  })
  last_name!: string;

  @ApiProperty({ type: String, nullable: true, format: 'email' })
  email!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date' })
  date_of_birth!: string | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 150,
    description: 'Computed from date_of_birth when that is set (an age sent then is ignored); otherwise as given.',
  })
  age!: number | null;

  @ApiProperty({ nullable: true, type: 'string', enum: GENDERS })
  gender!: Gender | null;

  @ApiProperty({ nullable: true, type: 'string', enum: BLOOD_GROUPS })
  blood_group!: BloodGroup | null;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  emergency_contact!: string | null;

  @ApiProperty({ type: String, nullable: true })
  medical_history!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The clinic the patient belongs to; null for a personal patient.' })
  clinic!: number | null;

  @ApiProperty({
    type: 'integer',
    readOnly: true,
    description: 'Id of the user who created the record: its owner, while it belongs to no clinic.',
  })
  declare created_by: number;
}

/** Whole years between a birth date and today (UTC). */
export function ageOn(dateOfBirth: string, today = new Date()): number {
  const [year, month, day] = dateOfBirth.split('-').map(Number);
  const birthdayPassed = today.getUTCMonth() + 1 > month || (today.getUTCMonth() + 1 === month && today.getUTCDate() >= day);
  return today.getUTCFullYear() - year - (birthdayPassed ? 0 : 1);
}

export function toPatientDto(patient: Patient): PatientDto {
  return {
    id: patient.id,
    name: patient.name,
    ...splitName(patient.name),
    email: patient.email,
    phone: patient.phone,
    date_of_birth: patient.dateOfBirth,
    age: patient.dateOfBirth ? ageOn(patient.dateOfBirth) : patient.age,
    gender: patient.gender,
    blood_group: patient.bloodGroup,
    address: patient.address,
    emergency_contact: patient.emergencyContact,
    medical_history: patient.medicalHistory,
    clinic: patient.clinicId,
    ...recordMetadataOf(patient),
  };
}
