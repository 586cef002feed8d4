import { describe, expect, it } from 'vitest';
import { applyChanges } from './apply-changes';

interface Entity {
  name: string;
  dateOfBirth: string | null;
  phone: string | null;
}
interface Dto {
  name: string;
  date_of_birth: string | null;
  phone: string | null;
}
const FIELDS = { name: 'name', date_of_birth: 'dateOfBirth', phone: 'phone' } as const;

describe('applyChanges', () => {
  it('copies the fields present onto the entity and names those that changed', () => {
    const entity: Entity = { name: 'Old', dateOfBirth: '1990-01-01', phone: '555 0100' };
    const changed = applyChanges<Dto, Entity>(entity, { name: 'New', date_of_birth: '1990-01-01' }, FIELDS);
    expect(changed).toEqual(['name']);
    expect(entity).toEqual({ name: 'New', dateOfBirth: '1990-01-01', phone: '555 0100' });
  });

  it('treats null as a value that clears a field, and undefined as absent', () => {
    const entity: Entity = { name: 'Same', dateOfBirth: '1990-01-01', phone: '555 0100' };
    const changed = applyChanges<Dto, Entity>(entity, { phone: null, date_of_birth: undefined }, FIELDS);
    expect(changed).toEqual(['phone']);
    expect(entity).toEqual({ name: 'Same', dateOfBirth: '1990-01-01', phone: null });
  });

  it('ignores properties that are not mapped fields', () => {
    const entity: Entity = { name: 'Same', dateOfBirth: null, phone: null };
    const changed = applyChanges<Dto, Entity>(entity, { id: 5 } as Partial<Dto>, FIELDS);
    expect(changed).toEqual([]);
    expect(entity).toEqual({ name: 'Same', dateOfBirth: null, phone: null });
  });
});
