import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_OUTCOMES, AuditEvent, AuditOutcome } from '../audit-event.entity';

export class AuditEventDto {
  @ApiProperty({ readOnly: true, description: 'Sequence number (64-bit integer).' })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({ type: Number, nullable: true, description: 'The user who acted; null for anonymous attempts.' })
  actor!: number | null;

  @ApiProperty({ example: 'read' })
  action!: string;

  @ApiProperty({ example: 'patient' })
  entity!: string;

  @ApiProperty({ type: Number, nullable: true })
  entity_id!: number | null;

  @ApiProperty({ type: [String], description: 'Names of the fields a write changed; never their values.' })
  changed_fields!: string[];

  @ApiProperty({ type: String, nullable: true })
  request_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  client_ip!: string | null;

  @ApiProperty({ enum: AUDIT_OUTCOMES, enumName: 'AuditOutcome' })
  outcome!: AuditOutcome;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: Number(event.id),
    occurred_at: event.occurredAt.toISOString(),
    actor: event.actorId,
    action: event.action,
    entity: event.entity,
    entity_id: event.entityId,
    changed_fields: event.changedFields,
    request_id: event.requestId,
    client_ip: event.clientIp,
    outcome: event.outcome,
  };
}
