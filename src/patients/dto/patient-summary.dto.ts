import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Patient } from '../patient.entity';

/** A patient as an appointment names it. */
export class AppointmentPatientSummaryDto {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty()
  name!: string;
}

/** A patient as an assignment names it: with the contact details its doctors need. */
@ApiSchema({ name: 'MappingPatientSummaryDto' }) // the document's schema name, kept
export class AssignmentPatientSummaryDto extends AppointmentPatientSummaryDto {
  @ApiProperty({ type: String, nullable: true, format: 'email' })
  email!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;
}

export function toAppointmentPatientSummaryDto(patient: Patient): AppointmentPatientSummaryDto {
  return { id: patient.id, name: patient.name };
}

export function toAssignmentPatientSummaryDto(patient: Patient): AssignmentPatientSummaryDto {
  return { ...toAppointmentPatientSummaryDto(patient), email: patient.email, phone: patient.phone };
}
