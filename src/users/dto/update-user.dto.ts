import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, ValidateIf } from 'class-validator';
import { Role, ROLES } from '../../core/auth/role';

/** Validated when present: `null` is refused like any other wrong value (`@IsOptional()` would let it through to the NOT NULL column). */
const IfPresent = () => ValidateIf((_dto: unknown, value: unknown) => value !== undefined);

/** What an admin may change on an account. */
export class UpdateUserDto {
  @ApiProperty({ enum: ROLES, enumName: 'Role', required: false, description: 'Not null.', example: 'doctor' })
  @IfPresent()
  @IsIn(ROLES)
  role?: Role;

  @ApiProperty({ required: false, description: 'Not null. Deactivating an account also revokes its refresh tokens.', example: false })
  @IfPresent()
  @IsBoolean()
  is_active?: boolean;
}
