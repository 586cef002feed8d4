import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Doctor } from '../doctor.entity';
import { MONEY_PATTERN } from './create-doctor.dto';
import { formatMoney } from './doctor.dto';

/** A doctor as an appointment names it. */
export class AppointmentDoctorSummaryDto {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty()
  name!: string;

  @ApiProperty()
  specialization!: string;
}

/** A doctor as an assignment names it: with the fee, which a patient choosing among its doctors wants. */
@ApiSchema({ name: 'MappingDoctorSummaryDto' }) // the document's schema name, kept
export class AssignmentDoctorSummaryDto extends AppointmentDoctorSummaryDto {
  @ApiProperty({ type: String, nullable: true, pattern: MONEY_PATTERN.source, example: '1500.00' })
  consultation_fee!: string | null;
}

export function toAppointmentDoctorSummaryDto(doctor: Doctor): AppointmentDoctorSummaryDto {
  return { id: doctor.id, name: doctor.name, specialization: doctor.specialization };
}

export function toAssignmentDoctorSummaryDto(doctor: Doctor): AssignmentDoctorSummaryDto {
  return { ...toAppointmentDoctorSummaryDto(doctor), consultation_fee: formatMoney(doctor.consultationFee) };
}
