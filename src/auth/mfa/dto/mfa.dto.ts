import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { StringField } from '../../../core/validation/fields';

const CODE = {
  min: 1,
  max: 16,
  trim: true,
  example: '492039',
  description: 'The 6-digit code the authenticator app shows now.',
} as const;

export class TotpSetupDto {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: 'The new secret, base32: type it into the authenticator app, or let it read `otpauth_url` from a QR code.',
  })
  secret!: string;

  @ApiProperty({
    example: 'otpauth://totp/Healthcare%20backend:jane.doe?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Healthcare%20backend',
    description: 'The same secret as an `otpauth://totp/` URL (SHA-1, 6 digits, 30 seconds), for a QR code.',
  })
  otpauth_url!: string;
}

export class TotpCodeDto {
  @StringField(CODE)
  code!: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    example: ['7f3a-9c21-b04e-d5e8', '0b6d-42fa-e917-3c85'],
    description: 'Ten recovery codes, each good for one login without the app. Shown only now: keep them somewhere safe.',
  })
  recovery_codes!: string[];
}

export class TotpDisableDto {
  @ApiProperty({ format: 'password', minLength: 1, maxLength: 1024, example: 'correct-horse-battery' })
  @IsString()
  @Length(1, 1024)
  current_password!: string;

  @StringField(CODE)
  code!: string;
}

/** The second step of a login: the `mfa_token` of the first, and a code from the app or a recovery code. */
export class MfaLoginDto {
  @StringField({
    min: 1,
    max: 4096,
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6Im1mYSJ9.c2lnbmF0dXJl',
    description: 'The `mfa_token` the login answered.',
  })
  mfa_token!: string;

  @StringField({ ...CODE, optional: true, description: 'The 6-digit code the authenticator app shows now; or send `recovery_code`.' })
  code?: string;

  @StringField({
    min: 1,
    max: 64,
    trim: true,
    optional: true,
    example: '7f3a-9c21-b04e-d5e8',
    description: 'One of the recovery codes shown when two-factor authentication was enabled, instead of `code`; each works once.',
  })
  recovery_code?: string;
}

export class MfaChallengeDto {
  @ApiProperty({
    example: true,
    description: 'Always true: the account has two-factor authentication, and the login needs its second step.',
  })
  mfa_required!: boolean;

  @ApiProperty({
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6Im1mYSJ9.c2lnbmF0dXJl',
    description: 'Send it with a code to `POST /api/auth/login/mfa/` within 5 minutes; it is good for nothing else.',
  })
  mfa_token!: string;
}
