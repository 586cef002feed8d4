import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { PageQueryDto } from '../../core/pagination/pagination';

export class ListAuditEventsQuery extends PageQueryDto {
  @ApiProperty({ required: false, description: 'User id of the actor.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  actor?: number;

  @ApiProperty({ required: false, example: 'patient' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  entity?: string;

  @ApiProperty({ required: false })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  entity_id?: number;

  @ApiProperty({ required: false, example: 'login' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  action?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'Events at or after this time.' })
  @IsOptional()
  @IsDateString()
  from?: string;

  @ApiProperty({ required: false, format: 'date-time', description: 'Events before this time.' })
  @IsOptional()
  @IsDateString()
  to?: string;
}
