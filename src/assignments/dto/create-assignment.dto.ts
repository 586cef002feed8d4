import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { Equals, IsOptional } from 'class-validator';
import { Aliased } from '../../core/validation/aliases';
import { IdField, StringField } from '../../core/validation/fields';

// The document keeps the API's schema name (clients generate types from it).
@ApiSchema({ name: 'CreateMappingDto' })
export class CreateAssignmentDto {
  @IdField({ description: "Id of one of the caller's patients.", example: 1 })
  patient!: number;

  @IdField({ description: 'Id of a doctor in the directory.', example: 1 })
  doctor!: number;

  @Aliased(StringField({ max: 2000, nullable: true, example: 'Referral for a cardiac check-up.' }), {
    reason: '000',
    reason_for_assignment: '004',
  })
  notes?: string | null;

  @ApiProperty({
    required: false,
    deprecated: true,
    type: Boolean,
    enum: [true],
    description: 'Only `true`, for the clients of seed 004: an assignment starts active (end one with `DELETE`).',
  })
  @IsOptional()
  @Equals(true, { message: 'is_active must be true: an assignment starts active (end one with DELETE).' })
  is_active?: true;
}
