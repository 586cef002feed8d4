import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import { EmailField, EnumField, StringField } from '../../core/validation/fields';
import { AccountName } from '../../users/account-names';
import { MIN_PASSWORD_LENGTH } from '../passwords';
import { Role } from '../../core/auth/role';

export const SELF_SERVICE_ROLES = [Role.Patient, Role.Doctor];

const USERNAME = /^[A-Za-z0-9@.+_-]+$/;

export class RegisterDto {
  @ApiProperty({ pattern: USERNAME.source })
  @AccountName()
  @StringField({
    min: 3,
    max: 150,
    example: 'jane.doe',
    description: 'Taken to NFKC first (full-width `ｊａｎｅ` is `jane`). Unique ignoring case and look-alike characters.',
  })
  @Matches(USERNAME, { message: 'username may contain only letters, digits and @.+-_' })
  username!: string;

  @AccountName()
  @EmailField({
    example: 'jane@clinic.example',
    description:
      'Taken to NFKC first; no invisible or control characters. Unique ignoring case and look-alike characters (Cyrillic `а` for `a`).',
  })
  email!: string;

  // Validation takes 1 character on: the password policy refuses shorter than MIN_PASSWORD_LENGTH with its own message, beside its other findings.
  @ApiProperty({
    format: 'password',
    minLength: MIN_PASSWORD_LENGTH,
    maxLength: 1024,
    example: 'correct-horse-battery',
    description:
      "At least 8 characters, not all digits, not similar to the username or email, and hard enough to guess (a zxcvbn score of at least PASSWORD_MIN_SCORE, 3 by default); a refusal carries zxcvbn's warning and suggestions.",
  })
  @IsString()
  @Length(1, 1024)
  password!: string;

  @EnumField(SELF_SERVICE_ROLES, {
    optional: true,
    default: Role.Patient,
    example: Role.Patient,
    description: 'Nobody can register as admin.',
    message: 'role must be patient or doctor',
  })
  role?: Role;
}
