import { IsOptional } from 'class-validator';
import { DateInput } from '../../core/validation/dates';
import { IdFilter, StringField } from '../../core/validation/fields';
import { PageQueryDto } from '../../core/pagination/pagination';

export class ListAuditEventsQuery extends PageQueryDto {
  @IdFilter('User id of the actor.')
  actor?: number;

  @StringField({ min: 1, max: 40, optional: true, description: 'The kind of record, such as `patient`.' })
  entity?: string;

  @IdFilter('Id of the record.')
  entity_id?: number;

  @StringField({ min: 1, max: 40, optional: true, description: 'What was done, such as `login`.' })
  action?: string;

  @IsOptional()
  @DateInput('date or date-time', { required: false, format: 'date-time', description: 'Events at or after this time.' })
  from?: string;

  @IsOptional()
  @DateInput('date or date-time', { required: false, format: 'date-time', description: 'Events before this time.' })
  to?: string;
}
