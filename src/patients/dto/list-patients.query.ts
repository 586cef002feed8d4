import { orderingChoices, OrderingFilter } from '../../core/pagination/ordering';
import { PageQueryDto } from '../../core/pagination/pagination';
import { BooleanFilter, IdFilter, StringField } from '../../core/validation/fields';
import { type BloodGroup, type Gender } from '../patient.enums';
import { BloodGroupField, GenderField } from './patient-fields';

export const PATIENT_ORDERING = orderingChoices(['id', 'name', 'date_of_birth', 'created_at', 'updated_at']);

export class ListPatientsQuery extends PageQueryDto {
  @StringField({ min: 1, max: 100, optional: true, description: 'Matches part of the name, email or phone, ignoring case.' })
  search?: string;

  @GenderField({ optional: true, description: 'Also accepts `Male`, `M`, `F` and the like.' })
  gender?: Gender;

  @BloodGroupField({ optional: true, description: 'Also accepts lower case.' })
  blood_group?: BloodGroup;

  @OrderingFilter(PATIENT_ORDERING)
  ordering: string = 'id';

  @IdFilter("Clinic id: that clinic's patients (for its managers and staff; with `assigned`, a clinician's there).")
  clinic?: number;

  @BooleanFilter('true: the patients assigned to the calling doctor instead of those they own.')
  assigned?: boolean;
}
