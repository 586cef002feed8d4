import { PageQueryDto } from '../../core/pagination/pagination';
import { BooleanFilter, IdFilter } from '../../core/validation/fields';

export class ListAssignmentsQuery extends PageQueryDto {
  @IdFilter('Patient id.')
  patient?: number;

  @IdFilter('Doctor id.')
  doctor?: number;

  @BooleanFilter('true: active assignments only; false: ended ones only.')
  is_active?: boolean;
}
