import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Aliased } from '../../core/validation/aliases';
import { EmailField, IdField, IntField, PhoneField, StringField } from '../../core/validation/fields';
import { NAME_PARTS } from '../../core/validation/name-parts';
import { SPECIALIZATION_CODES, SpecializationField } from '../specializations';

/** Decimal money with up to two places; numbers are accepted and kept exactly as strings. */
export const MONEY_PATTERN = /^\d{1,8}(\.\d{1,2})?$/;

export class CreateDoctorDto {
  @Aliased(StringField({ min: 1, max: 200, trim: true, example: 'Dr. Gregory House' }), NAME_PARTS)
  name!: string;

  @EmailField({ nullable: true, example: 'house@clinic.example', description: 'Unique among doctors.' })
  email?: string | null;

  @Aliased(PhoneField({ nullable: true, example: '+1 555 0199' }), { contact: '000', contact_number: '004' })
  phone?: string | null;

  @Aliased(
    SpecializationField({
      example: 'Cardiology',
      description: `Seed 004's codes are taken for their names: ${Object.entries(SPECIALIZATION_CODES)
        .map(([code, name]) => `\`${code}\` ${name}`)
        .join(', ')}.`,
    }),
    { speciality: '000' },
  )
  specialization!: string;

  @StringField({ min: 1, max: 50, trim: true, nullable: true, example: 'MD-12345', description: 'Unique among doctors when given.' })
  license_number?: string | null;

  @Aliased(IntField({ min: 0, max: 80, nullable: true, example: 12 }), { experience: '003' })
  experience_years?: number | null;

  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    pattern: MONEY_PATTERN.source,
    example: '1500.00',
    description: 'A non-negative decimal amount with at most 2 places, as a string; a JSON number is accepted too and kept exactly.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value))
  @IsString({ message: 'consultation_fee must be a decimal amount such as "1500.00"' })
  @Matches(MONEY_PATTERN, { message: 'consultation_fee must be a non-negative amount with at most 2 decimal places, such as "1500.00"' })
  consultation_fee?: string | null;

  @StringField({ max: 500, nullable: true })
  address?: string | null;

  @StringField({ max: 200, nullable: true, example: 'Mon-Fri 9AM-5PM' })
  availability?: string | null;

  @StringField({
    max: 200,
    trim: true,
    nullable: true,
    example: 'Princeton-Plainsboro Teaching Hospital',
    description: 'Where the doctor practises.',
  })
  hospital?: string | null;

  @IdField({
    nullable: true,
    description:
      "Id of the linked account (role doctor), which reads the patients assigned to this profile. Only admins set or change it; the linked account may unlink itself (`null`); a doctor account's first profile of its own is linked to it automatically.",
  })
  user?: number | null;

  @IdField({
    nullable: true,
    description:
      "The clinic the profile belongs to (its managers change it, and its schedule may use the clinic's time zone), or null for none. Left out on a create: none. Only a clinic's managers (or an admin) put a profile into it or take it out.",
  })
  clinic?: number | null;
}
