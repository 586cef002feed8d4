import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { StringField } from '../../core/validation/fields';
import type { EventType } from '../../events/event-types';
import { EventTypesField } from './create-webhook.dto';

export class UpdateWebhookDto {
  @StringField({ min: 1, max: 2000, trim: true, optional: true, description: 'Where deliveries are POSTed.' })
  url?: string;

  @EventTypesField({ optional: true })
  events?: EventType[];

  @StringField({ max: 500, optional: true, description: 'What the endpoint is for.' })
  description?: string;

  @ApiProperty({
    required: false,
    description:
      'Whether deliveries are made. Turning an endpoint on again (after failures disabled it) starts its count of failures afresh.',
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
