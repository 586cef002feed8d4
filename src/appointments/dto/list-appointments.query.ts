import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { DateInput } from '../../core/validation/dates';
import { PageQueryDto } from '../../core/pagination/pagination';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointment-status';

export class ListAppointmentsQuery extends PageQueryDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'Doctor id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor?: number;

  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'Patient id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient?: number;

  @ApiProperty({ required: false, enum: APPOINTMENT_STATUSES, enumName: 'AppointmentStatus' })
  @IsOptional()
  @IsIn(APPOINTMENT_STATUSES)
  status?: AppointmentStatus;

  @IsOptional()
  @DateInput('date or date-time', {
    required: false,
    description: 'Starting at or after: a date (its start, UTC) or an ISO 8601 date-time, such as `2030-01-15`.',
  })
  from?: string;

  @IsOptional()
  @DateInput('date or date-time', {
    required: false,
    description: 'Starting before: an ISO 8601 date-time, or a date (the whole day included, UTC), such as `2030-01-31`.',
  })
  to?: string;
}
