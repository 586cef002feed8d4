import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { IntField } from '../../core/validation/fields';
import type { ZonedSchedule } from '../schedules.repository';
import { isoTime } from '../../core/records/iso-time';

const CLOCK = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

export class ScheduleEntryDto {
  @IntField({ min: 0, max: 6, example: 0, description: '0 = Monday … 6 = Sunday.' })
  weekday!: number;

  @ApiProperty({ example: '09:00', pattern: CLOCK.source, description: 'Local time in the schedule time zone.' })
  @IsString()
  @Matches(CLOCK, { message: 'start must be a time HH:MM' })
  start!: string;

  @ApiProperty({ example: '17:00', pattern: CLOCK.source, description: 'Local time, after start; 24:00 for midnight.' })
  @IsString()
  @Matches(CLOCK, { message: 'end must be a time HH:MM (24:00 for midnight)' })
  end!: string;
}

export class PutScheduleDto {
  @ApiProperty({
    type: 'string',
    nullable: true,
    required: false,
    example: 'Europe/Berlin',
    description:
      "The doctor's IANA time zone; openings are local times there. None (null or left out): the doctor's clinic's time zone, for a doctor of a clinic.",
  })
  @IsOptional()
  @IsString()
  timezone?: string | null;

  @IntField({ min: 5, max: 480, example: 30, description: 'Length of a bookable slot, in minutes.' })
  slot_minutes!: number;

  @ApiProperty({
    type: [ScheduleEntryDto],
    maxItems: 100,
    description: 'Openings; several per day are allowed (e.g. around a lunch break), overlapping ones are not.',
  })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ScheduleEntryDto)
  entries!: ScheduleEntryDto[];
}

export class ScheduleDto extends PutScheduleDto {
  @ApiProperty({ type: 'integer', readOnly: true, description: 'Doctor id.' })
  doctor!: number;

  @ApiProperty({
    readOnly: true,
    example: 'Europe/Berlin',
    description: "The time zone the openings are in: `timezone`, or else the clinic's.",
  })
  effective_timezone!: string;

  @ApiProperty({ readOnly: true, format: 'date-time' })
  updated_at!: string;

  @ApiProperty({ type: 'integer', readOnly: true, minimum: 1, description: 'Changes on every write; also sent as the ETag.', example: 1 })
  version!: number;
}

export function toScheduleDto(schedule: ZonedSchedule): ScheduleDto {
  return {
    doctor: schedule.doctorId,
    timezone: schedule.timezone,
    effective_timezone: schedule.effectiveTimezone ?? 'UTC',
    slot_minutes: schedule.slotMinutes,
    entries: schedule.entries,
    updated_at: isoTime(schedule.updatedAt),
    version: schedule.version,
  };
}
