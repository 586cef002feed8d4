import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength, ValidateIf } from 'class-validator';
import { NormalisedAccountName } from '../../users/account-names';

/** Log in with a username or an email; with both, the username is used. `null` counts as absent. */
export class LoginDto {
  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    minLength: 1,
    maxLength: 150,
    example: 'jane.doe',
    description: 'Required unless email is given; used when both are.',
  })
  @NormalisedAccountName() // as registration stored it
  @ValidateIf((dto: LoginDto) => dto.email == null)
  @IsString()
  @Length(1, 150)
  username?: string;

  @ApiProperty({
    required: false,
    nullable: true,
    type: String,
    format: 'email',
    maxLength: 254,
    description: 'Required unless username is given.',
  })
  @NormalisedAccountName()
  @ValidateIf((dto: LoginDto) => dto.username == null)
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiProperty({ format: 'password', minLength: 1, maxLength: 1024, example: 'correct-horse-battery' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}
