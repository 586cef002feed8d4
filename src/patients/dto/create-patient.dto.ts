import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { Aliased } from '../../core/validation/aliases';
import { YEAR_PATTERN } from '../../core/validation/dates';
import { EmailField, IdField, IntField, PhoneField, StringField } from '../../core/validation/fields';
import { NAME_PARTS } from '../../core/validation/name-parts';
import { IsPastDate } from '../../core/validation/validators';
import { type BloodGroup, type Gender } from '../patient.enums';
import { BloodGroupField, GenderField } from './patient-fields';

export class CreatePatientDto {
  @Aliased(StringField({ min: 1, max: 200, trim: true, example: 'Jane Doe' }), NAME_PARTS)
  name!: string;

  @EmailField({ nullable: true, example: 'jane@example.com' })
  email?: string | null;

  @Aliased(PhoneField({ nullable: true, example: '+1 555 0100' }), { contact: '000', contact_number: '004' })
  phone?: string | null;

  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    format: 'date',
    example: '1990-04-12',
    pattern: YEAR_PATTERN,
    description: 'From 1900-01-01, and not in the future.',
  })
  @IsOptional()
  @IsPastDate()
  date_of_birth?: string | null;

  @IntField({
    min: 0,
    max: 150,
    nullable: true,
    description:
      'For clients that send an age instead of a birth date. Ignored when the patient has a date_of_birth (sent or stored, and not cleared): the age is computed from it then.',
  })
  age?: number | null;

  @GenderField({ nullable: true, example: 'female', description: 'Also accepts `Male`, `M`, `F` and the like, stored as one of these.' })
  gender?: Gender | null;

  @BloodGroupField({ nullable: true, example: 'O+', description: 'Also accepts lower case.' })
  blood_group?: BloodGroup | null;

  @StringField({ max: 500, nullable: true, example: '1 Main Street, Springfield' })
  address?: string | null;

  @StringField({ max: 200, nullable: true, example: 'John Doe, +1 555 0101' })
  emergency_contact?: string | null;

  @StringField({ max: 20000, nullable: true })
  medical_history?: string | null;

  @IdField({
    nullable: true,
    description:
      'The clinic the patient belongs to (its managers and staff share it), or null for a personal patient of its creator. Left out on a create: the one clinic where the caller is manager or staff, if it has exactly one. Moving out of a clinic is for its managers.',
  })
  clinic?: number | null;
}
