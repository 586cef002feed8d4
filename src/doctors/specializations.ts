import { Transform } from 'class-transformer';
import { FieldOptions, StringField } from '../core/validation/fields';

/**
 * Seed 004's specialization codes and the names this service keeps for them (the names its
 * sample data uses). A client of that project sends and filters by codes; the directory holds names.
 */
export const SPECIALIZATION_CODES: Readonly<Record<string, string>> = {
  GP: 'General Practice',
  CAR: 'Cardiology',
  NEU: 'Neurology',
  PED: 'Pediatrics',
  ORTH: 'Orthopedics',
  DERM: 'Dermatology',
  PSY: 'Psychiatry',
  RAD: 'Radiology',
  SUR: 'Surgery',
  OTH: 'Other',
};

/** A code's name; any other value as it is. Codes are upper case, as seed 004 sent them: `Rad` stays free text. */
export function specializationName(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return Object.hasOwn(SPECIALIZATION_CODES, value.trim()) ? SPECIALIZATION_CODES[value.trim()] : value;
}

/** A specialization: free text of 1 to 100 characters, or one of seed 004's codes, stored as its name. */
export function SpecializationField(options: FieldOptions): PropertyDecorator {
  const field = StringField({ min: 1, max: 100, trim: true, ...options });
  const codes = Transform(({ value }: { value: unknown }) => specializationName(value));
  return (target, property) => {
    field(target, property);
    codes(target, property);
  };
}
