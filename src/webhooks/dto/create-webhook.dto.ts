import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsOptional } from 'class-validator';
import { IdField, StringField } from '../../core/validation/fields';
import { EVENT_TYPES, type EventType } from '../../events/event-types';

/** The event types an endpoint takes: at least one, each once. */
export function EventTypesField(options: { optional?: boolean } = {}): PropertyDecorator {
  return (target, property) => {
    const decorators = [
      ApiProperty({
        type: 'array',
        items: { type: 'string', enum: [...EVENT_TYPES] },
        minItems: 1,
        maxItems: EVENT_TYPES.length,
        uniqueItems: true,
        required: !options.optional,
        description: 'The event types sent to the endpoint.',
        example: ['appointment.booked', 'appointment.status_changed'],
      }),
      ...(options.optional ? [IsOptional()] : []),
      IsArray(),
      ArrayNotEmpty(),
      ArrayMaxSize(EVENT_TYPES.length),
      ArrayUnique(),
      IsIn(EVENT_TYPES, { each: true, message: `each of events must be one of ${EVENT_TYPES.join(', ')}` }),
    ];
    for (const decorator of decorators.reverse()) decorator(target, property);
  };
}

export class CreateWebhookDto {
  @StringField({
    min: 1,
    max: 2000,
    trim: true,
    description: 'Where deliveries are POSTed: an http(s) URL of a public address (unless WEBHOOK_ALLOW_PRIVATE).',
    example: 'https://integrator.example/hooks/clinic',
  })
  url!: string;

  @EventTypesField()
  events!: EventType[];

  @IdField({
    nullable: true,
    description:
      "Clinic id: the endpoint gets that clinic's events only. Required unless the caller is an admin, whose endpoint without one gets every event.",
  })
  clinic?: number | null;

  @StringField({ max: 500, optional: true, description: 'What the endpoint is for.', example: 'Booking sync' })
  description?: string;
}
