import { ApiSchema } from '@nestjs/swagger';
import { IdField, StringField } from '../../core/validation/fields';

// The document keeps the API's schema name (clients generate types from it).
@ApiSchema({ name: 'CreateMappingDto' })
export class CreateAssignmentDto {
  @IdField({ description: "Id of one of the caller's patients.", example: 1 })
  patient!: number;

  @IdField({ description: 'Id of a doctor in the directory.', example: 1 })
  doctor!: number;

  @StringField({ max: 2000, nullable: true, example: 'Referral for a cardiac check-up.' })
  notes?: string | null;
}
