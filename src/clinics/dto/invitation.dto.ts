import { ApiProperty } from '@nestjs/swagger';
import { CLINIC_ROLES, ClinicMember, ClinicRole } from '../clinic-member.entity';
import { isoTime } from '../../core/records/iso-time';

/** A pending invitation, as the invited account sees it: enough to answer it without reading the clinic. */
export class ClinicInvitationDto {
  @ApiProperty({
    type: 'integer',
    readOnly: true,
    description: 'Clinic id: answer at `/api/clinics/{clinic}/membership/accept/` or `…/decline/`.',
  })
  clinic!: number;

  @ApiProperty({ readOnly: true, description: "The clinic's name.", example: 'Riverside Clinic' })
  clinic_name!: string;

  @ApiProperty({ enum: CLINIC_ROLES, enumName: 'ClinicRole', readOnly: true, description: 'The role the account gets when it accepts.' })
  role!: ClinicRole;

  @ApiProperty({ type: 'integer', nullable: true, readOnly: true, description: 'The account id of the manager (or admin) who invited it.' })
  invited_by!: number | null;

  @ApiProperty({ readOnly: true, format: 'date-time', description: 'When it was invited.' })
  invited_at!: string;
}

/** `member.clinic` must be loaded. */
export function toClinicInvitationDto(member: ClinicMember): ClinicInvitationDto {
  return {
    clinic: member.clinicId,
    clinic_name: member.clinic?.name ?? '',
    role: member.role,
    invited_by: member.invitedById,
    invited_at: isoTime(member.createdAt),
  };
}
