import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { NormalisedAccountName } from '../../users/account-names';
import { MIN_PASSWORD_LENGTH } from '../passwords';

const NEW_PASSWORD = {
  format: 'password',
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: 1024,
  example: 'correct-horse-battery-staple',
  description: 'Passes the password policy, as at registration.',
} as const;

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', minLength: 1, maxLength: 1024, example: 'correct-horse-battery' })
  @IsString()
  @Length(1, 1024)
  current_password!: string;

  // Validation takes 1 character on: the policy refuses shorter than MIN_PASSWORD_LENGTH with its own message.
  @ApiProperty(NEW_PASSWORD)
  @IsString()
  @Length(1, 1024)
  new_password!: string;
}

/** Ask for a reset link by email or by username; with both, the email is used. */
export class PasswordResetRequestDto {
  @ApiProperty({
    required: false,
    format: 'email',
    maxLength: 254,
    example: 'jane@clinic.example',
    description: 'Required unless username is given.',
  })
  @NormalisedAccountName()
  @ValidateIf((dto: PasswordResetRequestDto) => dto.username == null)
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiProperty({ required: false, minLength: 1, maxLength: 150, example: 'jane.doe', description: 'Required unless email is given.' })
  @NormalisedAccountName()
  @ValidateIf((dto: PasswordResetRequestDto) => dto.email == null)
  @IsString()
  @Length(1, 150)
  username?: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    example: 'q0Vb9cW1kLr7TtYm3XhE2aJf8sNd4uPz6gKiOyRwBcA',
    description: 'The `token` of the link in the reset mail.',
  })
  @IsString()
  @Length(1, 200)
  token!: string;

  @ApiProperty(NEW_PASSWORD)
  @IsString()
  @Length(1, 1024)
  new_password!: string;
}

/** Ask for a new verification link by email or by username. */
export class ResendVerificationDto extends PasswordResetRequestDto {}

export class VerifyEmailDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 200,
    example: 'q0Vb9cW1kLr7TtYm3XhE2aJf8sNd4uPz6gKiOyRwBcA',
    description: 'The `token` of the link in the verification mail.',
  })
  @IsString()
  @Length(1, 200)
  token!: string;
}
