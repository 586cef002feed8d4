import { ApiProperty } from '@nestjs/swagger';
import { AppointmentReminder, REMINDER_STATUSES, ReminderStatus } from '../appointment-reminder.entity';
import { isoTime } from '../../core/records/iso-time';

export class ReminderDto {
  @ApiProperty({ type: 'integer' })
  id!: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'How long before the start it is sent, in seconds (one of `REMINDER_LEAD`).' })
  lead_seconds!: number;

  @ApiProperty({ format: 'date-time', description: 'When it is (or was) due: the start it was planned for, less the lead.' })
  send_at!: string;

  @ApiProperty({
    enum: REMINDER_STATUSES,
    enumName: 'ReminderStatus',
    description:
      '`planned`: waiting for its time. `sending`: being sent (a send cut off by a crash stays so: it is never sent twice). `sent`: the mail server accepted it. `failed`: the mail server refused it. `cancelled`: the appointment was moved or left SCHEDULED before. `skipped`: at its time the patient had no email any more or the appointment had started.',
  })
  status!: ReminderStatus;

  // Inline rather than a $ref-able type: OpenAPI 3.0 cannot make a $ref nullable.
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'When the mail server accepted it; null until then.' })
  sent_at!: string | null;
}

export function toReminderDto(reminder: AppointmentReminder): ReminderDto {
  return {
    id: reminder.id,
    lead_seconds: reminder.leadSeconds,
    send_at: isoTime(reminder.sendAt),
    status: reminder.status,
    sent_at: reminder.sentAt ? isoTime(reminder.sentAt) : null,
  };
}
