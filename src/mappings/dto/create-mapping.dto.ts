import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export class CreateMappingDto {
  @ApiProperty({ description: "Id of one of the caller's patients.", example: 1 })
  @IsInt()
  @Min(1)
  patient!: number;

  @ApiProperty({ description: 'Id of a doctor in the directory.', example: 1 })
  @IsInt()
  @Min(1)
  doctor!: number;

  @ApiProperty({ required: false, nullable: true, type: String, maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}
