import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';

export class CreateMappingDto {
  @ApiProperty({ description: "Id of one of the caller's patients.", example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient!: number;

  @ApiProperty({ description: 'Id of a doctor in the directory.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor!: number;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}
