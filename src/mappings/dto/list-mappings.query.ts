import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import { PageQueryDto } from '../../core/pagination/pagination';
import { QueryBoolean } from '../../core/validation/validators';

export class ListMappingsQuery extends PageQueryDto {
  @ApiProperty({ required: false, description: 'Patient id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  patient?: number;

  @ApiProperty({ required: false, description: 'Doctor id.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  doctor?: number;

  @ApiProperty({ required: false, type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_active?: boolean;
}
