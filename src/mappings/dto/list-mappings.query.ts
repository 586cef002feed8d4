import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';
import { PageQueryDto } from '../../core/pagination/pagination';
import { QueryBoolean } from '../../core/validation/validators';

export class ListMappingsQuery extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Patient id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient?: number;

  @ApiProperty({ required: false, description: 'Doctor id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor?: number;

  @ApiProperty({ required: false, type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_active?: boolean;
}
