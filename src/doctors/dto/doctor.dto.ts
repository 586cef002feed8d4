import { ApiProperty } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { splitName } from '../../core/validation/name-parts';
import { Doctor } from '../doctor.entity';
import { MONEY_PATTERN } from './create-doctor.dto';

export class DoctorDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ example: 'Dr. Gregory House' })
  name!: string;

  @ApiProperty({ deprecated: true, example: 'Dr.', description: '`name` up to its first space, for the clients of seed 004.' })
  first_name!: string;

  @ApiProperty({
    deprecated: true,
    example: 'Gregory House',
    description: 'The rest of `name` after `first_name` (empty when none), for the clients of seed 004.',
  })
  last_name!: string;

  @ApiProperty({ type: String, nullable: true, format: 'email' })
  email!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;

  @ApiProperty({ example: 'Cardiology' })
  specialization!: string;

  @ApiProperty({ type: String, nullable: true })
  license_number!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 0, maximum: 80 })
  experience_years!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: MONEY_PATTERN.source,
    example: '1500.00',
    description: 'A decimal amount with exactly 2 places, as a string.',
  })
  consultation_fee!: string | null;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  availability!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Where the doctor practises.' })
  hospital!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Id of the linked doctor account.' })
  user!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'The clinic the profile belongs to; null for none.' })
  clinic!: number | null;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'Id of the user who added the doctor.' })
  declare created_by: number;
}

export function toDoctorDto(doctor: Doctor): DoctorDto {
  return {
    id: doctor.id,
    name: doctor.name,
    ...splitName(doctor.name),
    email: doctor.email,
    phone: doctor.phone,
    specialization: doctor.specialization,
    license_number: doctor.licenseNumber,
    experience_years: doctor.experienceYears,
    consultation_fee: formatMoney(doctor.consultationFee),
    address: doctor.address,
    availability: doctor.availability,
    hospital: doctor.hospital,
    user: doctor.userId,
    clinic: doctor.clinicId,
    ...recordMetadataOf(doctor),
  };
}

/** `1500`, `1500.5` or `007.5` as sent → `"1500.00"`, `"1500.50"`, `"7.50"`, as PostgreSQL returns numeric(10,2); no floating point. */
export function formatMoney(amount: string | null): string | null {
  if (amount === null) return null;
  const [units, cents = ''] = amount.split('.');
  return `${units.replace(/^0+(?=\d)/, '')}.${cents.padEnd(2, '0')}`;
}
