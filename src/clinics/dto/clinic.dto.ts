import { ApiProperty } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { Clinic } from '../clinic.entity';

export class ClinicDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ example: 'Riverside Clinic' })
  name!: string;

  @ApiProperty({ example: 'Europe/Berlin', description: "The clinic's IANA time zone." })
  timezone!: string;

  @ApiProperty({ type: String, nullable: true })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phone!: string | null;
}

export function toClinicDto(clinic: Clinic): ClinicDto {
  return {
    id: clinic.id,
    name: clinic.name,
    timezone: clinic.timezone,
    address: clinic.address,
    phone: clinic.phone,
    ...recordMetadataOf(clinic),
  };
}
