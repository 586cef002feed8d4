import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, MaxLength, ValidateIf } from 'class-validator';
import { Role, ROLES } from '../../core/auth/role';
import { AccountName } from '../account-names';

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

  @ApiProperty({
    type: String,
    format: 'email',
    maxLength: 254,
    required: false,
    example: 'jane@clinic.example',
    description: 'Not null. Unique ignoring case and look-alike characters, as at registration; the account logs in with it at once.',
  })
  @IfPresent()
  @AccountName()
  @IsEmail()
  @MaxLength(254)
  email?: string;
}
