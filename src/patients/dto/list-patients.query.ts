import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { orderingChoices } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';
import { QueryBoolean } from '../../core/validation/validators';
import { BLOOD_GROUPS, type BloodGroup, type Gender, GENDERS, normalizeBloodGroup, normalizeGender } from '../patient.enums';

export const PATIENT_ORDERING = orderingChoices(['id', 'name', 'date_of_birth', 'created_at', 'updated_at']);

export class ListPatientsQuery extends PageQueryDto {
  @ApiProperty({ required: false, minLength: 1, maxLength: 100, description: 'Matches part of the name, email or phone, ignoring case.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  search?: string;

  @ApiProperty({ required: false, enum: GENDERS, description: 'Also accepts `Male`, `M`, `F` and the like.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeGender(value))
  @IsIn(GENDERS)
  gender?: Gender;

  @ApiProperty({ required: false, enum: BLOOD_GROUPS, description: 'Also accepts lower case.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => normalizeBloodGroup(value))
  @IsIn(BLOOD_GROUPS)
  blood_group?: BloodGroup;

  @ApiProperty({ required: false, enum: PATIENT_ORDERING, default: 'id', description: 'Sort field; `-` before it for descending.' })
  @IsOptional()
  @IsIn(PATIENT_ORDERING, { message: `ordering must be one of: ${PATIENT_ORDERING.join(', ')}` })
  ordering: string = 'id';

  @ApiProperty({
    required: false,
    type: Boolean,
    description: 'true: the patients assigned to the calling doctor instead of those they own.',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  assigned?: boolean;
}
