import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches, ValidateIf } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Also a day that exists: `2030-02-30` would otherwise roll over into March. */
const REAL_DAY = { strict: true, strictSeparator: true } as const;

export class SlotsQuery {
  @ApiProperty({ required: false, format: 'date', description: "One day, in the doctor's time zone." })
  @ValidateIf((query: SlotsQuery) => query.from === undefined && query.to === undefined)
  @Matches(DATE, { message: 'date must be YYYY-MM-DD (or give from and to)' })
  @IsISO8601(REAL_DAY, { message: 'date must be a day that exists' })
  date?: string;

  @ApiProperty({ required: false, format: 'date', description: 'First day of a range of at most 31 days.' })
  @ValidateIf((query: SlotsQuery) => query.date === undefined || query.from !== undefined)
  @Matches(DATE, { message: 'from must be YYYY-MM-DD' })
  @IsISO8601(REAL_DAY, { message: 'from must be a day that exists' })
  from?: string;

  @ApiProperty({ required: false, format: 'date', description: 'Last day of the range, inclusive.' })
  @ValidateIf((query: SlotsQuery) => query.date === undefined || query.to !== undefined)
  @Matches(DATE, { message: 'to must be YYYY-MM-DD' })
  @IsISO8601(REAL_DAY, { message: 'to must be a day that exists' })
  to?: string;
}

export class SlotDto {
  @ApiProperty({ format: 'date-time', description: 'UTC.' })
  start!: string;

  @ApiProperty({ format: 'date-time', description: 'UTC.' })
  end!: string;
}
