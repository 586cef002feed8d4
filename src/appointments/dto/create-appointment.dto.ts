import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { DateInput } from '../../core/validation/dates';
import { AppointmentStatus } from '../appointment-status';

/** ISO 8601 with an explicit zone (Z or ±hh:mm), so nobody books in an unknown local time. */
export const ZONED_DATETIME = /(Z|[+-]\d{2}:?\d{2})$/i;

export class CreateAppointmentDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID, description: 'Doctor id.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID, description: "Id of one of the caller's patients.", example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient!: number;

  @DateInput('date-time', {
    example: '2030-01-15T09:30:00+01:00',
    description: 'Start, with a time zone; must be in the future, within the booking horizon.',
  })
  @Matches(ZONED_DATETIME, { message: 'appointment_datetime must include a time zone (Z or ±hh:mm)' })
  appointment_datetime!: string;

  @ApiProperty({ type: 'integer', required: false, minimum: 5, maximum: 480, default: 30, example: 30 })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(480)
  duration_minutes?: number;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 500, example: 'Annual check-up' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string | null;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string | null;

  @ApiProperty({
    required: false,
    enum: [AppointmentStatus.Scheduled],
    description: 'Accepted for older clients; a new appointment is always SCHEDULED.',
  })
  @IsOptional()
  @IsIn([AppointmentStatus.Scheduled])
  status?: AppointmentStatus.Scheduled;
}
