import { PickType } from '@nestjs/swagger';
import { RegisterDto } from '../../auth/dto/register.dto';
import { Role, ROLES } from '../../core/auth/role';
import { EnumField } from '../../core/validation/fields';

/**
 * An account an admin makes: the fields of a registration but the password, which its owner
 * chooses through the mailed link, and any role.
 */
export class CreateUserDto extends PickType(RegisterDto, ['username', 'email', 'phone', 'name'] as const) {
  @EnumField(ROLES, { enumName: 'Role', example: Role.Doctor, description: 'Any role, admin included.' })
  role!: Role;
}
