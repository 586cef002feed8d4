import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { AccountName } from '../../users/account-names';
import { RegisterDto } from './register.dto';

/** Validated when present: `null` is refused like any other wrong value. */
const IfPresent = () => ValidateIf((_dto: unknown, value: unknown) => value !== undefined);

/** What an account may change on itself: its name and phone, and its email with the current password. */
export class UpdateMeDto extends PickType(RegisterDto, ['phone', 'name'] as const) {
  @ApiProperty({
    type: String,
    format: 'email',
    maxLength: 254,
    required: false,
    example: 'jane@clinic.example',
    description: 'Not null; needs `current_password`. Unique ignoring case and look-alike characters, as at registration.',
  })
  @IfPresent()
  @AccountName()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiProperty({
    format: 'password',
    minLength: 1,
    maxLength: 1024,
    required: false,
    example: 'correct-horse-battery',
    description: 'The current password; required to change `email`.',
  })
  @IfPresent()
  @IsString()
  @Length(1, 1024)
  current_password?: string;
}
