import { ApiProperty } from '@nestjs/swagger';
import { UserDto } from '../../users/dto/user.dto';

export class TokenPairDto {
  @ApiProperty({
    description: 'Short-lived access token (a JWT); send it as `Authorization: Bearer <access>`.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6ImFjY2VzcyJ9.c2lnbmF0dXJl',
  })
  access!: string;

  @ApiProperty({
    description: 'Refresh token; single use, exchanged at `POST /api/auth/token/refresh/` for the next pair.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6InJlZnJlc2gifQ.c2lnbmF0dXJl',
  })
  refresh!: string;
}

export class LoginResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto })
  user!: UserDto;
}

export class RegisterResponseDto {
  @ApiProperty({ example: 'User registered successfully', description: "Always this text; the Django projects' clients read it." })
  message!: string;

  @ApiProperty({ type: UserDto })
  user!: UserDto;

  @ApiProperty({ type: TokenPairDto })
  tokens!: TokenPairDto;
}
