import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { YEAR_PATTERN } from '../../core/validation/dates';
import { IsPastDate, PHONE_PATTERN, Trim } from '../../core/validation/validators';
import { BLOOD_GROUPS, type BloodGroup, type Gender, GENDERS, normalizeBloodGroup, normalizeGender } from '../patient.enums';

export class CreatePatientDto {
  @ApiProperty({ example: 'Jane Doe', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ required: false, nullable: true, type: String, format: 'email', example: 'jane@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, example: '+1 555 0100', pattern: PHONE_PATTERN.source })
  @IsOptional()
  @Trim()
  @Matches(PHONE_PATTERN, { message: 'phone must be a telephone number' })
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

  @ApiProperty({
    required: false,
    nullable: true,
    type: 'integer',
    minimum: 0,
    maximum: 150,
    description: 'For clients that send an age instead of a birth date; computed from date_of_birth when that is set.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(150)
  age?: number | null;

  @ApiProperty({
    required: false,
    nullable: true,
    type: 'string',
    enum: GENDERS,
    example: 'female',
    description: 'Also accepts `Male`, `M`, `F` and the like, stored as one of these.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeGender(value))
  @IsIn(GENDERS)
  gender?: Gender | null;

  @ApiProperty({
    required: false,
    nullable: true,
    type: 'string',
    enum: BLOOD_GROUPS,
    example: 'O+',
    description: 'Also accepts lower case.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeBloodGroup(value))
  @IsIn(BLOOD_GROUPS)
  blood_group?: BloodGroup | null;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 500, example: '1 Main Street, Springfield' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 200, example: 'John Doe, +1 555 0101' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  emergency_contact?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  medical_history?: string | null;
}
