import { EnumField, FieldOptions } from '../../core/validation/fields';
import { BLOOD_GROUPS, GENDERS, normalizeBloodGroup, normalizeGender } from '../patient.enums';

/** A gender, in any of the spellings old clients send (`Male`, `M`, ` female `), stored as one of GENDERS. */
export const GenderField = (options: FieldOptions) => EnumField(GENDERS, { ...options, normalize: normalizeGender });

/** A blood group, in either case. */
export const BloodGroupField = (options: FieldOptions) => EnumField(BLOOD_GROUPS, { ...options, normalize: normalizeBloodGroup });
