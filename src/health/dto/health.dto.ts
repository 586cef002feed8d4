import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';

/** The checks of a probe by name (`database`), each with its status. */
const INDICATORS: ApiPropertyOptions = {
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};

/** A probe that passed. */
export class HealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ ...INDICATORS, description: 'The checks that are up.', example: { database: { status: 'up' } } })
  info!: Record<string, { status: string }>;

  @ApiProperty({ ...INDICATORS, description: 'The checks that are down: none when the probe passes.', example: {} })
  error!: Record<string, { status: string }>;

  @ApiProperty({ ...INDICATORS, description: 'Every check.', example: { database: { status: 'up' } } })
  details!: Record<string, { status: string }>;
}
