import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'A refresh token from login, register or a previous refresh.' })
  @IsString()
  @Length(1, 4096)
  refresh!: string;
}
