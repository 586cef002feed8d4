import { ApiProperty } from '@nestjs/swagger';
import { Role, ROLES } from '../../core/auth/role';
import { User } from '../user.entity';
import { isoTime } from '../../core/records/iso-time';

/** An account as the API shows it; never the password hash. */
export class UserDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ example: 'dr.house' })
  username!: string;

  @ApiProperty({ format: 'email', example: 'house@clinic.example' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: '+1 555 0100', description: 'null when the account gave none.' })
  phone!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Gregory House', description: 'The full name; null when the account gave none.' })
  name!: string | null;

  @ApiProperty({ enum: ROLES, enumName: 'Role' })
  role!: Role;

  @ApiProperty({ description: 'Whether the owner followed a verification link sent to `email` (or a password reset link).' })
  email_verified!: boolean;

  @ApiProperty({ description: 'False for a deactivated account, which can neither log in nor use its tokens.' })
  is_active!: boolean;

  @ApiProperty({ format: 'date-time', readOnly: true })
  date_joined!: string;

  @ApiProperty({ format: 'date-time', nullable: true, readOnly: true, type: String, description: 'null until the first login.' })
  last_login!: string | null;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    readOnly: true,
    type: String,
    description:
      'Until when failed logins lock the account out; null when it is not locked. Admins lift it with POST /api/users/{id}/unlock/.',
  })
  locked_until!: string | null;
}

export function toUserDto(user: User): UserDto {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    phone: user.phone,
    name: user.fullName,
    role: user.role,
    email_verified: user.emailVerified,
    is_active: user.isActive,
    date_joined: isoTime(user.dateJoined),
    last_login: user.lastLogin ? isoTime(user.lastLogin) : null,
    locked_until: user.lockedUntil && user.lockedUntil.getTime() > Date.now() ? isoTime(user.lockedUntil) : null,
  };
}
