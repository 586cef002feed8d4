import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, ValidateIf } from 'class-validator';
import { EmailField, EnumField, PhoneField, StringField } from '../../core/validation/fields';
import { AccountName } from '../../users/account-names';
import { MIN_PASSWORD_LENGTH } from '../passwords';
import { Role } from '../../core/auth/role';

export const SELF_SERVICE_ROLES = [Role.Patient, Role.Doctor];

const USERNAME = /^[A-Za-z0-9@.+_-]+$/;

export class RegisterDto {
  @ApiProperty({
    pattern: USERNAME.source,
    required: false,
    description:
      'Required without an email. Left out (or null), it is derived from the email: its local part in the characters a username may have, with a number after it when taken (`jane`, `jane2`, …). Taken to NFKC first (full-width `ｊａｎｅ` is `jane`). Unique ignoring case and look-alike characters.',
  })
  // Validated when given, and when there is no email to derive it from (then named as missing).
  @ValidateIf((dto: RegisterDto) => dto.username != null || dto.email == null)
  @AccountName()
  @StringField({
    min: 3,
    max: 150,
    example: 'jane.doe',
  })
  @Matches(USERNAME, { message: 'username may contain only letters, digits and @.+-_' })
  username?: string | null;

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

  @PhoneField({
    nullable: true,
    example: '+1 555 0100',
    description:
      'Shown only to the account itself and to admins. Unique by its digits and leading `+` (`+1 (555) 010-0` and `+1 555 0100` are one number); stored as written.',
  })
  phone?: string | null;

  @StringField({ min: 1, max: 150, trim: true, nullable: true, example: 'Jane Doe', description: "The account holder's full name." })
  name?: string | null;
}
