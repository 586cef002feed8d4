import { ApiProperty } from '@nestjs/swagger';
import { RecordMetadataDto, recordMetadataOf } from '../../core/records/record-metadata.dto';
import { EVENT_TYPES } from '../../events/event-types';
import { WebhookEndpoint } from '../webhook-endpoint.entity';
import { isoTime } from '../../core/records/iso-time';

export class WebhookDto extends RecordMetadataDto {
  @ApiProperty({ type: 'integer', readOnly: true, example: 1 })
  id!: number;

  @ApiProperty({ example: 'https://integrator.example/hooks/clinic' })
  url!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } })
  events!: string[];

  @ApiProperty({ type: 'integer', nullable: true, description: "Clinic id whose events it gets; null: every event (an admin's endpoint)." })
  clinic!: number | null;

  @ApiProperty()
  description!: string;

  @ApiProperty({ description: 'Whether deliveries are made.' })
  active!: boolean;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'Deliveries in a row that failed after all their retries.' })
  consecutive_failures!: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    readOnly: true,
    description: 'When failed deliveries disabled the endpoint; null when they did not (or it was turned on since).',
  })
  disabled_at!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    readOnly: true,
    description: 'Until when the secret before the last rotation still signs beside the current one; null outside an overlap.',
  })
  previous_secret_expires_at!: string | null;
}

/** An endpoint with its new secret: the answer of a create and of a rotation, the only ones that show it. */
export class WebhookWithSecretDto extends WebhookDto {
  @ApiProperty({
    readOnly: true,
    description: 'The signing secret (`whsec_` and base64), shown this once: keep it to verify `webhook-signature`.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
}

export function toWebhookDto(endpoint: WebhookEndpoint): WebhookDto {
  const live = endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date() ? endpoint.previousSecretExpiresAt : null;
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    clinic: endpoint.clinicId,
    description: endpoint.description,
    active: endpoint.isActive,
    consecutive_failures: endpoint.consecutiveFailures,
    disabled_at: endpoint.disabledAt ? isoTime(endpoint.disabledAt) : null,
    previous_secret_expires_at: live ? isoTime(live) : null,
    ...recordMetadataOf(endpoint),
  };
}
