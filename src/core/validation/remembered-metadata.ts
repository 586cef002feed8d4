import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Storage = ReturnType<typeof getMetadataStorage> & {
  getTargetValidationMetadatas(
    target: unknown,
    schema: string,
    always: boolean,
    strictGroups: boolean,
    groups?: string[],
  ): ValidationMetadata[];
  groupByPropertyName(metadata: ValidationMetadata[]): Record<string, ValidationMetadata[]>;
};

const remembering = Symbol('remembering');

/**
 * Makes class-validator remember, per DTO class, which of its rules apply, and those rules grouped
 * by field. It works them out anew for every object it validates, walking every class that has
 * rules (some two hundred here) to find the DTO's ancestors: a tenth of a doctor create's CPU went
 * to validation, a third of that to this. The rules are all declared when the DTOs' modules load;
 * should one be added later, everything remembered is forgotten.
 */
export function rememberValidationMetadata(): void {
  const storage = getMetadataStorage() as Storage & { [remembering]?: true };
  if (storage[remembering]) return;
  storage[remembering] = true;

  let applying = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  const forget = () => {
    applying = new WeakMap();
    grouped = new WeakMap();
  };
  for (const add of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original: (metadata: never) => void = storage[add].bind(storage);
    Object.assign(storage, {
      [add]: (metadata: never) => {
        forget();
        original(metadata);
      },
    });
  }

  const targetMetadatas = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    // A schema name instead of a class (class-validator's string schemas) is not remembered.
    if (typeof target !== 'function') return targetMetadatas(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = applying.get(target);
    if (!byOptions) applying.set(target, (byOptions = new Map<string, ValidationMetadata[]>()));
    let metadatas = byOptions.get(key);
    if (!metadatas) byOptions.set(key, (metadatas = targetMetadatas(target, schema, always, strictGroups, groups)));
    return metadatas;
  };

  const groupByPropertyName = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadatas) => {
    let byProperty = grouped.get(metadatas);
    if (!byProperty) grouped.set(metadatas, (byProperty = groupByPropertyName(metadatas)));
    return byProperty;
  };
}
