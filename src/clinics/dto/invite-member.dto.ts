import { EnumField, IdField, StringField, EmailField } from '../../core/validation/fields';
import { CLINIC_ROLES, ClinicRole } from '../clinic-member.entity';

/** Names an existing account by exactly one of `user`, `email` or `username` (the service checks that). */
export class InviteMemberDto {
  @IdField({ optional: true, description: 'Account id.', example: 2 })
  user?: number;

  @EmailField({ optional: true, description: "The account's email." })
  email?: string;

  @StringField({ max: 150, optional: true, description: "The account's username." })
  username?: string;

  @EnumField(CLINIC_ROLES, { enumName: 'ClinicRole', description: 'Its role in the clinic.' })
  role!: ClinicRole;
}

export class ChangeMemberDto {
  @EnumField(CLINIC_ROLES, { enumName: 'ClinicRole', description: 'The new role.' })
  role!: ClinicRole;
}
