import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../core/pagination/pagination';
import { DateInput } from '../../core/validation/dates';
import { EVENT_TYPES } from '../../events/event-types';
import type { DeliveryRow } from '../webhooks.repository';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook-delivery.entity';
import { isoTime } from '../../core/records/iso-time';

/** The body of a delivery, as sent (Standard Webhooks' shape). */
export class WebhookPayloadDto {
  @ApiProperty({ enum: [...EVENT_TYPES], example: 'appointment.booked' })
  type!: string;

  @ApiProperty({ format: 'date-time', description: 'When the event happened.' })
  timestamp!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The ids of the records, `changed_fields`, `status` for a status change, and `clinic` (null for a personal record). Never a field value.',
    example: { appointment: 7, patient: 3, doctor: 2, changed_fields: ['patient', 'doctor', 'appointment_datetime'], clinic: 1 },
  })
  data!: Record<string, unknown>;
}

export class WebhookDeliveryDto {
  @ApiProperty({ type: 'integer', readOnly: true, description: 'Delivery id.' })
  id!: number;

  @ApiProperty({
    readOnly: true,
    description: 'The `webhook-id` header of its every attempt: receivers dedupe on it.',
    example: 'delivery_42',
  })
  webhook_id!: string;

  @ApiProperty({ type: 'integer', readOnly: true, description: 'Event id.' })
  event!: number;

  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus', readOnly: true })
  status!: DeliveryStatus;

  @ApiProperty({ type: 'integer', readOnly: true })
  attempts!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    readOnly: true,
    description: "The receiver's status code at the last attempt; null when it did not answer.",
  })
  last_status_code!: number | null;

  @ApiProperty({ type: String, nullable: true, readOnly: true, description: 'Why the last attempt failed, in a few words.' })
  last_error!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, readOnly: true })
  last_attempt_at!: string | null;

  @ApiProperty({
    format: 'date-time',
    readOnly: true,
    description: 'Retries stop after this time; the next failed attempt fails the delivery.',
  })
  retry_until!: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  created_at!: string;

  @ApiProperty({ type: WebhookPayloadDto, readOnly: true })
  payload!: WebhookPayloadDto;
}

export class ListWebhookDeliveriesQuery extends PageQueryDto {
  @ApiProperty({
    required: false,
    enum: DELIVERY_STATUSES,
    enumName: 'WebhookDeliveryStatus',
    description: 'Only deliveries in this status.',
  })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class ReplayWebhookDto {
  @DateInput('date-time', { description: 'Events at or after this time.', example: '2030-01-01T00:00:00Z' })
  from!: string;

  @DateInput('date-time', { description: 'Events before this time.', example: '2030-01-02T00:00:00Z' })
  to!: string;
}

export class ReplayResultDto {
  @ApiProperty({ type: 'integer', readOnly: true, description: 'How many deliveries the replay made (each with a new `webhook-id`).' })
  deliveries!: number;
}

/** The payload of a delivery's event: the body sent to the receiver. */
export function payloadOf(event: {
  eventType: string;
  eventOccurredAt: Date;
  eventData: Record<string, unknown>;
  eventClinicId: number | null;
}) {
  return {
    type: event.eventType,
    timestamp: isoTime(new Date(event.eventOccurredAt)),
    data: { ...event.eventData, clinic: event.eventClinicId },
  };
}

export const webhookIdOf = (deliveryId: string | number) => `delivery_${deliveryId}`;

export function toWebhookDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: Number(row.id),
    webhook_id: webhookIdOf(row.id),
    event: Number(row.eventId),
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    last_attempt_at: row.lastAttemptAt ? isoTime(row.lastAttemptAt) : null,
    retry_until: isoTime(row.retryUntil),
    created_at: isoTime(row.createdAt),
    payload: payloadOf(row),
  };
}
