import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';

export class TokenPairDto {
  @ApiProperty({ description: 'Short-lived access token; send as `Authorization: Bearer <access>`.' })
  access!: string;

  @ApiProperty({ description: 'Refresh token; single use, exchanged at /api/auth/token/refresh/.' })
  refresh!: string;
}

export class LoginResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

export class RegisterResponseDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;

  @ApiProperty({ type: TokenPairDto })
  tokens!: TokenPairDto;
}
