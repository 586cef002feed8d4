import { PartialType } from '@nestjs/swagger';
import { CreatePatientDto } from './create-patient.dto';

/** PATCH: any subset; `null` clears an optional field, while `name` cannot be cleared. */
export class UpdatePatientDto extends PartialType(CreatePatientDto, { skipNullProperties: false }) {}
