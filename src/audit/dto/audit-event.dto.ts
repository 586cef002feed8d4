import { ApiProperty } from '@nestjs/swagger';
import { AUDIT_OUTCOMES, AuditEvent, AuditOutcome } from '../audit-event.entity';
import { isoTime } from '../../core/records/iso-time';

export class AuditEventDto {
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    readOnly: true,
    description:
      'Sequence number, in the order events were stored: batched ones (reads, sessions) are stored up to about 50 ms late, so `occurred_at` gives the order of events.',
  })
  id!: number;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Id of the user who acted; null for anonymous attempts and for the `create-admin` command.',
  })
  actor!: number | null;

  @ApiProperty({
    example: 'read',
    description:
      'What was done: `create`, `read`, `list`, `update`, `delete` (patients), `assign`, `unassign` (assignments), `create`, `update`, `cancel` (appointments), `create`, `update` (schedules), `create`, `update`, `delete`, `link`, `unlink` (doctor profiles), `create`, `update`, `login`, `logout`, `refresh_reuse` (accounts), `create`, `update` (clinics), `create`, `invite`, `accept`, `decline`, `update`, `delete` (clinic members), and possibly more in later versions.',
  })
  action!: string;

  @ApiProperty({
    example: 'patient',
    description:
      "The kind of record: `patient`, `mapping`, `appointment`, `schedule` (its id is the doctor's), `doctor`, `user`, `clinic`, `clinic_member`, `webhook`, and possibly more in later versions.",
  })
  entity!: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'Id of the record; null for a list.' })
  entity_id!: number | null;

  @ApiProperty({
    type: [String],
    description:
      'Names of the fields a write changed; never their values. A `link` or `unlink` also names the accounts before and after: `old_user:<id>`, `new_user:<id>` (`none` for no account). An account created or promoted by the `create-admin` command has `via:create-admin`.',
  })
  changed_fields!: string[];

  @ApiProperty({ type: String, nullable: true, description: 'The `X-Request-Id` of the request.' })
  request_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The client address (behind a proxy with `TRUST_PROXY`, the forwarded one).' })
  client_ip!: string | null;

  @ApiProperty({ enum: AUDIT_OUTCOMES, enumName: 'AuditOutcome' })
  outcome!: AuditOutcome;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description:
      "Id of the clinic the record belonged to when the event was stored (a clinic's patient, its assignments and appointments, a clinic's doctor profile and its schedule, the clinic and its members); null for personal records and for accounts.",
  })
  clinic!: number | null;
}

export function toAuditEventDto(event: AuditEvent): AuditEventDto {
  return {
    id: Number(event.id),
    occurred_at: isoTime(event.occurredAt),
    actor: event.actorId,
    action: event.action,
    entity: event.entity,
    entity_id: event.entityId,
    changed_fields: event.changedFields,
    request_id: event.requestId,
    client_ip: event.clientIp,
    outcome: event.outcome,
    clinic: event.clinicId,
  };
}
