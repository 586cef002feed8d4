import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { PageQueryDto } from '../../core/pagination/pagination';
import { QueryBoolean } from '../../core/validation/validators';

export class ListMappingsQuery extends PageQueryDto {
  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'Patient id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient?: number;

  @ApiProperty({ type: 'integer', required: false, minimum: 1, maximum: MAX_ID, description: 'Doctor id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor?: number;

  @ApiProperty({ required: false, type: Boolean, description: 'true: active assignments only; false: ended ones only.' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_active?: boolean;
}
