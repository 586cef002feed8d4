import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { AccountName } from '../../users/account-names';
import { Role } from '../../core/auth/role';

export const SELF_SERVICE_ROLES = [Role.Patient, Role.Doctor];

export class RegisterDto {
  @ApiProperty({
    example: 'jane.doe',
    minLength: 3,
    maxLength: 150,
    pattern: '^[A-Za-z0-9@.+_-]+$',
    description: 'Taken to NFKC first (full-width `ｊａｎｅ` is `jane`). Unique ignoring case and look-alike characters.',
  })
  @AccountName()
  @IsString()
  @Length(3, 150)
  @Matches(/^[A-Za-z0-9@.+_-]+$/, { message: 'username may contain only letters, digits and @.+-_' })
  username!: string;

  @ApiProperty({
    format: 'email',
    example: 'jane@clinic.example',
    maxLength: 254,
    description:
      'Taken to NFKC first; no invisible or control characters. Unique ignoring case and look-alike characters (Cyrillic `а` for `a`).',
  })
  @AccountName()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    format: 'password',
    minLength: 8,
    maxLength: 1024,
    example: 'correct-horse-battery',
    description:
      "At least 8 characters, not all digits, not similar to the username or email, and hard enough to guess (a zxcvbn score of at least PASSWORD_MIN_SCORE, 3 by default); a refusal carries zxcvbn's warning and suggestions.",
  })
  @IsString()
  @Length(1, 1024)
  password!: string;

  @ApiProperty({
    enum: SELF_SERVICE_ROLES,
    default: Role.Patient,
    required: false,
    example: Role.Patient,
    description: 'Nobody can register as admin.',
  })
  @IsOptional()
  @IsIn(SELF_SERVICE_ROLES, { message: 'role must be patient or doctor' })
  role?: Role;
}
