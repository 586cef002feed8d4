import { PageQueryDto } from '../../core/pagination/pagination';
import { BooleanFilter, IdFilter } from '../../core/validation/fields';

export class ListAssignmentsQuery extends PageQueryDto {
  @IdFilter('Patient id.')
  patient?: number;

  @IdFilter('Doctor id.')
  doctor?: number;

  @IdFilter("Clinic id: the records of that clinic's patients.")
  clinic?: number;

  @BooleanFilter('true: active assignments only; false: ended ones only.')
  is_active?: boolean;
}
