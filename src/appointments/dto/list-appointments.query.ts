import { IsOptional } from 'class-validator';
import { DateInput } from '../../core/validation/dates';
import { PageQueryDto } from '../../core/pagination/pagination';
import { EnumField, IdFilter } from '../../core/validation/fields';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointment-status';

export class ListAppointmentsQuery extends PageQueryDto {
  @IdFilter('Doctor id.')
  doctor?: number;

  @IdFilter('Patient id.')
  patient?: number;

  @IdFilter("Clinic id: the records of that clinic's patients.")
  clinic?: number;

  @EnumField(APPOINTMENT_STATUSES, { optional: true, enumName: 'AppointmentStatus' })
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
