import { ApiProperty } from '@nestjs/swagger';
import { CLINIC_ROLES, ClinicMember, ClinicRole, MEMBER_STATUSES, MemberStatus } from '../clinic-member.entity';
import { isoTime } from '../../core/records/iso-time';

export class ClinicMemberDto {
  @ApiProperty({ type: 'integer', readOnly: true, description: 'Clinic id.' })
  clinic!: number;

  @ApiProperty({ type: 'integer', readOnly: true, description: "The member's account id." })
  user!: number;

  @ApiProperty({ readOnly: true, description: "The member's username." })
  username!: string;

  @ApiProperty({ enum: CLINIC_ROLES, enumName: 'ClinicRole' })
  role!: ClinicRole;

  @ApiProperty({
    enum: MEMBER_STATUSES,
    enumName: 'ClinicMemberStatus',
    readOnly: true,
    description: '`invited` until the account accepts.',
  })
  status!: MemberStatus;

  @ApiProperty({ type: 'integer', nullable: true, readOnly: true, description: "Who invited the account (null for the clinic's creator)." })
  invited_by!: number | null;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  created_at!: string;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  updated_at!: string;
}

/** `member.user` must be loaded. */
export function toClinicMemberDto(member: ClinicMember): ClinicMemberDto {
  return {
    clinic: member.clinicId,
    user: member.userId,
    username: member.user?.username ?? '',
    role: member.role,
    status: member.status,
    invited_by: member.invitedById,
    created_at: isoTime(member.createdAt),
    updated_at: isoTime(member.updatedAt),
  };
}
