import { orderingChoices, OrderingFilter } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';
import { IdFilter, StringField } from '../../core/validation/fields';
import { SpecializationField } from '../specializations';

export const DOCTOR_ORDERING = orderingChoices(['id', 'name', 'specialization', 'experience_years', 'consultation_fee', 'created_at']);

export class ListDoctorsQuery extends PageQueryDto {
  @StringField({
    min: 1,
    max: 100,
    optional: true,
    description: 'Matches part of the name, specialization, email or hospital, ignoring case.',
  })
  search?: string;

  @SpecializationField({
    optional: true,
    description: "Exact specialization, ignoring case, such as `Cardiology`; seed 004's codes (`CAR`) stand for their names.",
  })
  specialization?: string;

  @OrderingFilter(DOCTOR_ORDERING)
  ordering: string = 'id';

  @IdFilter("Clinic id: that clinic's doctor profiles.")
  clinic?: number;
}
