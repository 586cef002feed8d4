import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { orderingChoices } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';

export const DOCTOR_ORDERING = orderingChoices(['id', 'name', 'specialization', 'experience_years', 'consultation_fee', 'created_at']);

export class ListDoctorsQuery extends PageQueryDto {
  @ApiProperty({
    required: false,
    minLength: 1,
    maxLength: 100,
    description: 'Matches part of the name, specialization or email, ignoring case.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  search?: string;

  @ApiProperty({
    required: false,
    minLength: 1,
    maxLength: 100,
    description: 'Exact specialization, ignoring case, such as `Cardiology`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  specialization?: string;

  @ApiProperty({ required: false, enum: DOCTOR_ORDERING, default: 'id', description: 'Sort field; `-` before it for descending.' })
  @IsOptional()
  @IsIn(DOCTOR_ORDERING, { message: `ordering must be one of: ${DOCTOR_ORDERING.join(', ')}` })
  ordering: string = 'id';
}
