import { IntersectionType, OmitType, PickType } from '@nestjs/swagger';
import { CreateAppointmentDto } from './create-appointment.dto';
import { UpdateAppointmentDto } from './update-appointment.dto';

/**
 * PUT, with DRF's semantics: the fields a booking requires are required, the doctor and the
 * patient among them (they must be the appointment's own: a client sends back what it read); the
 * optional ones may be left out and then keep their values.
 */
export class ReplaceAppointmentDto extends IntersectionType(
  PickType(CreateAppointmentDto, ['doctor', 'patient', 'appointment_datetime'] as const),
  OmitType(UpdateAppointmentDto, ['appointment_datetime'] as const),
) {}
