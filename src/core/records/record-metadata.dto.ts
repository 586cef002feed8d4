import { ApiProperty } from '@nestjs/swagger';
import { isoTime } from './iso-time';

/** What a record kept by the service carries about itself: who created it, when, and its version. */
export abstract class RecordMetadataDto {
  /** Subclasses say who that is for their record, redeclaring it with their own description. */
  @ApiProperty({ type: 'integer', readOnly: true, description: 'Id of the user who created the record.' })
  created_by!: number;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  created_at!: string;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ type: 'integer', readOnly: true, minimum: 1, description: 'Changes on every write; also sent as the ETag.', example: 1 })
  version!: number;
}

/** The fields above, in the order a record sends them: after its own. */
export const RECORD_METADATA_FIELDS = [
  'created_by',
  'created_at',
  'updated_at',
  'version',
] as const satisfies readonly (keyof RecordMetadataDto)[];

/** The RecordMetadataDto fields of a record. */
export function recordMetadataOf(record: { createdById: number; createdAt: Date; updatedAt: Date; version: number }): RecordMetadataDto {
  return {
    created_by: record.createdById,
    created_at: isoTime(record.createdAt),
    updated_at: isoTime(record.updatedAt),
    version: record.version,
  };
}
