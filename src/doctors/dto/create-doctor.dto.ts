import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { PHONE_PATTERN, Trim } from '../../core/validation/validators';

/** Decimal money with up to two places; numbers are accepted and kept exactly as strings. */
export const MONEY_PATTERN = /^\d{1,8}(\.\d{1,2})?$/;

export class CreateDoctorDto {
  @ApiProperty({ example: 'Dr. Gregory House', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    format: 'email',
    maxLength: 254,
    example: 'house@clinic.example',
    description: 'Unique among doctors.',
  })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, pattern: PHONE_PATTERN.source, example: '+1 555 0199' })
  @IsOptional()
  @Trim()
  @Matches(PHONE_PATTERN, { message: 'phone must be a telephone number' })
  phone?: string | null;

  @ApiProperty({ example: 'Cardiology', minLength: 1, maxLength: 100 })
  @Trim()
  @IsString()
  @Length(1, 100)
  specialization!: string;

  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    minLength: 1,
    maxLength: 50,
    example: 'MD-12345',
    description: 'Unique among doctors when given.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, 50)
  license_number?: string | null;

  @ApiProperty({ required: false, nullable: true, type: 'integer', minimum: 0, maximum: 80, example: 12 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(80)
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

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 200, example: 'Mon-Fri 9AM-5PM' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  availability?: string | null;

  @ApiProperty({
    required: false,
    nullable: true,
    type: 'integer',
    minimum: 1,
    maximum: MAX_ID,
    description:
      "Id of the linked account (role doctor), which reads the patients assigned to this profile. Only admins set or change it; the linked account may unlink itself (`null`); a doctor account's first profile of its own is linked to it automatically.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  user?: number | null;
}
