import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { DateInput } from '../../core/validation/dates';
import { PageQueryDto } from '../../core/pagination/pagination';

export class ListAuditEventsQuery extends PageQueryDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'User id of the actor.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  actor?: number;

  @ApiProperty({ required: false, minLength: 1, maxLength: 40, description: 'The kind of record, such as `patient`.' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  entity?: string;

  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'Id of the record.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  entity_id?: number;

  @ApiProperty({ required: false, minLength: 1, maxLength: 40, description: 'What was done, such as `login`.' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  action?: string;

  @IsOptional()
  @DateInput('date or date-time', { required: false, format: 'date-time', description: 'Events at or after this time.' })
  from?: string;

  @IsOptional()
  @DateInput('date or date-time', { required: false, format: 'date-time', description: 'Events before this time.' })
  to?: string;
}
