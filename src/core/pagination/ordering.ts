import { EnumField } from '../validation/fields';

/** `?ordering=` values allowed for a list: each field ascending, and descending with `-`. */
export function orderingChoices(fields: readonly string[]): string[] {
  return fields.flatMap((field) => [field, `-${field}`]);
}

/** Splits a validated `-name` into the field and its direction. */
export function parseOrdering(ordering: string): { field: string; direction: 'ASC' | 'DESC' } {
  return ordering.startsWith('-') ? { field: ordering.slice(1), direction: 'DESC' } : { field: ordering, direction: 'ASC' };
}

/** Escapes LIKE wildcards so `?search=50%` searches for the text "50%". */
export const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** `?ordering=`: one of `choices` (from orderingChoices), by id when left out. */
export const OrderingFilter = (choices: string[]) =>
  EnumField(choices, {
    optional: true,
    default: 'id',
    description: 'Sort field; `-` before it for descending.',
    message: `ordering must be one of: ${choices.join(', ')}`,
  });
