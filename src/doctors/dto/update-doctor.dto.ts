import { PartialType } from '@nestjs/swagger';
import { CreateDoctorDto } from './create-doctor.dto';

/** PATCH: any subset; `null` clears an optional field, while required ones cannot be cleared. */
export class UpdateDoctorDto extends PartialType(CreateDoctorDto, { skipNullProperties: false }) {}
