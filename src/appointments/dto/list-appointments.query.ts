import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { PageQueryDto } from '../../core/pagination/pagination';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointment-status';

export class ListAppointmentsQuery extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Doctor id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor?: number;

  @ApiProperty({ required: false, description: 'Patient id.' })
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

  @ApiProperty({ required: false, description: 'Starting at or after: a date (its start, UTC) or a date-time.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiProperty({ required: false, description: 'Starting before: a date-time, or a date (the whole day included, UTC).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
