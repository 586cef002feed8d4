/**
 * Copies the fields present in `dto` (API names) onto `entity` (properties, through `fields`);
 * returns the API names of those whose value changed, for the audit trail.
 */
export function applyChanges<TDto extends object, TEntity extends object>(
  entity: TEntity,
  dto: Partial<TDto>,
  fields: { readonly [K in keyof TDto]: keyof TEntity },
): string[] {
  const changed: string[] = [];
  for (const field of Object.keys(fields) as (keyof TDto & string)[]) {
    const value = dto[field];
    const property = fields[field];
    if (value === undefined || entity[property] === value) continue;
    (entity as Record<keyof TEntity, unknown>)[property] = value;
    changed.push(field);
  }
  return changed;
}
