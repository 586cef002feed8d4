import { ApiProperty } from '@nestjs/swagger';
import { ValidateIf } from 'class-validator';
import { DateInput, DATE_BOUNDS } from '../../core/validation/dates';

export class SlotsQuery {
  @ValidateIf((query: SlotsQuery) => query.from === undefined && query.to === undefined)
  @DateInput(
    'date',
    { required: false, description: "One day, in the doctor's time zone." },
    { message: `date must be a date (YYYY-MM-DD) that exists, ${DATE_BOUNDS} (or give from and to)` },
  )
  date?: string;

  @ValidateIf((query: SlotsQuery) => query.date === undefined || query.from !== undefined)
  @DateInput('date', { required: false, description: 'First day of a range of at most 31 days.' })
  from?: string;

  @ValidateIf((query: SlotsQuery) => query.date === undefined || query.to !== undefined)
  @DateInput('date', { required: false, description: 'Last day of the range, inclusive.' })
  to?: string;
}

export class SlotDto {
  @ApiProperty({ format: 'date-time', description: 'UTC.' })
  start!: string;

  @ApiProperty({ format: 'date-time', description: 'UTC.' })
  end!: string;
}
