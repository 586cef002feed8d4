import { Matches } from 'class-validator';
import { DateInput } from '../../core/validation/dates';
import { EnumField, IdField, IntField, StringField } from '../../core/validation/fields';
import { AppointmentStatus } from '../appointment-status';

/** ISO 8601 with an explicit zone (Z or ±hh:mm), so nobody books in an unknown local time. */
export const ZONED_DATETIME = /(Z|[+-]\d{2}:?\d{2})$/i;

export class CreateAppointmentDto {
  @IdField({ description: 'Doctor id.', example: 1 })
  doctor!: number;

  @IdField({ description: "Id of one of the caller's patients.", example: 1 })
  patient!: number;

  @DateInput('date-time', {
    example: '2030-01-15T09:30:00+01:00',
    description: 'Start, with a time zone; must be in the future, within the booking horizon.',
  })
  @Matches(ZONED_DATETIME, { message: 'appointment_datetime must include a time zone (Z or ±hh:mm)' })
  appointment_datetime!: string;

  @IntField({ min: 5, max: 480, optional: true, default: 30, example: 30 })
  duration_minutes?: number;

  @StringField({ max: 500, nullable: true, example: 'Annual check-up' })
  reason?: string | null;

  @StringField({ max: 5000, nullable: true })
  notes?: string | null;

  @EnumField([AppointmentStatus.Scheduled], {
    optional: true,
    description: 'Accepted for older clients; a new appointment is always SCHEDULED.',
  })
  status?: AppointmentStatus.Scheduled;
}
