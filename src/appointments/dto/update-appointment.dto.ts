import { PartialType, PickType } from '@nestjs/swagger';
import { EnumField } from '../../core/validation/fields';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointment-status';
import { CreateAppointmentDto } from './create-appointment.dto';

/** Reschedule, change reason or notes, or move the status forward. */
export class UpdateAppointmentDto extends PartialType(
  PickType(CreateAppointmentDto, ['appointment_datetime', 'duration_minutes', 'reason', 'notes'] as const),
  { skipNullProperties: false },
) {
  @EnumField(APPOINTMENT_STATUSES, {
    optional: true,
    enumName: 'AppointmentStatus',
    description:
      'SCHEDULED → CHECKED_IN, COMPLETED, CANCELLED or NO_SHOW; CHECKED_IN → COMPLETED or CANCELLED. COMPLETED and NO_SHOW: the doctor or an admin only.',
  })
  status?: AppointmentStatus;
}
