import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { Role, ROLES } from '../role';

/** What an admin may change on an account. */
export class UpdateUserDto {
  @ApiProperty({ enum: ROLES, enumName: 'Role', required: false })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiProperty({ required: false, description: 'Deactivating an account also revokes its refresh tokens.' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}
