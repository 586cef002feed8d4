import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({
    description: 'A refresh token from login, register or a previous refresh.',
    minLength: 1,
    maxLength: 4096,
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidHlwZSI6InJlZnJlc2gifQ.c2lnbmF0dXJl',
  })
  @IsString()
  @Length(1, 4096)
  refresh!: string;
}
