import { orderingChoices, OrderingFilter } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';
import { StringField } from '../../core/validation/fields';
import { RememberValidation } from '../../core/http/validation.pipe';

export const DOCTOR_ORDERING = orderingChoices(['id', 'name', 'specialization', 'experience_years', 'consultation_fee', 'created_at']);

@RememberValidation()
export class ListDoctorsQuery extends PageQueryDto {
  @StringField({ min: 1, max: 100, optional: true, description: 'Matches part of the name, specialization or email, ignoring case.' })
  search?: string;

  @StringField({ min: 1, max: 100, optional: true, description: 'Exact specialization, ignoring case, such as `Cardiology`.' })
  specialization?: string;

  @OrderingFilter(DOCTOR_ORDERING)
  ordering: string = 'id';
}
