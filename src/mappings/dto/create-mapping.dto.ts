import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../../core/http/id';

export class CreateMappingDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID, description: "Id of one of the caller's patients.", example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  patient!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_ID, description: 'Id of a doctor in the directory.', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  doctor!: number;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 2000, example: 'Referral for a cardiac check-up.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}
