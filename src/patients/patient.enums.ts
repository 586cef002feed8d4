export const GENDERS = ['male', 'female', 'other'] as const;
export type Gender = (typeof GENDERS)[number];

export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const;
export type BloodGroup = (typeof BLOOD_GROUPS)[number];

const GENDER_ALIASES: Record<string, Gender> = { m: 'male', f: 'female', o: 'other' };

/** `Male`, `M`, ` female ` and the like, as old clients send them; anything else is left for validation. */
export function normalizeGender(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  return GENDER_ALIASES[lower] ?? lower;
}

export function normalizeBloodGroup(value: unknown): unknown {
  return typeof value === 'string' ? value.trim().toUpperCase() : value;
}
