import { ApiProperty } from '@nestjs/swagger';
import { getMetadataStorage, ValidateBy, ValidateIf } from 'class-validator';
import { InvalidFieldError } from '../errors';

/**
 * Field aliases: the names the clients of the Django projects this service replaces send for
 * its fields (`contact` for `phone`, `speciality` for `specialization`, ...). An alias is
 * validated under its own name with the rules of its field, so an error names what the client
 * sent; it is documented as a deprecated property; and once the body is valid, the validation
 * pipe moves it onto its field (`resolveAliases`). A field that is required may then be left out
 * when an alias stands in for it.
 *
 * When a body carries an alias and its field with different values, the alias wins: an old
 * client reads the field (responses carry only `phone`), so a field it sends back beside the
 * alias is an echo of what it read, and the alias is what it meant to change.
 *
 * A part alias (`first_name` + `last_name` for `name`) is not moved: both parts are also returned,
 * so which one the client changed depends on the stored record, which the service knows
 * (`nameFromParts`).
 */

/** How an alias is documented and checked. */
export interface AliasOptions {
  /** The Django project(s) whose clients send it, e.g. `000`. */
  seed: string;
  /** Its own rules, when not the field's (a part of a name is shorter than the name). */
  field?: PropertyDecorator;
  /** A part of the field, left for the service to combine (`nameFromParts`), instead of the field under another name. */
  part?: boolean;
  /** Replaces "Alias of `field`". */
  description?: string;
}

/** The validation metadata that marks an alias: a rule that always holds, and so travels with PartialType and the like. */
const ALIAS_OF = 'aliasOf';

/**
 * The decorated property takes `field`'s rules, and so does each of `aliases` (alias → its seed
 * or options), as a deprecated, optional property of the same class.
 */
export function Aliased(field: PropertyDecorator, aliases: Record<string, string | AliasOptions>): PropertyDecorator {
  return (target, property) => {
    const canonical = String(property);
    const names = Object.keys(aliases);
    field(target, canonical);
    // A required field is not required when an alias stands in for it.
    ValidateIf((dto: Record<string, unknown>) => dto[canonical] !== undefined || names.every((alias) => dto[alias] === undefined))(
      target,
      canonical,
    );
    for (const [alias, given] of Object.entries(aliases)) {
      const options = typeof given === 'string' ? { seed: given } : given;
      (options.field ?? field)(target, alias);
      const what = options.description ?? `Alias of \`${canonical}\``;
      ApiProperty({ required: false, deprecated: true, description: `${what} (seed ${options.seed}).` })(target, alias);
      ValidateIf((dto: Record<string, unknown>) => dto[alias] !== undefined)(target, alias);
      ValidateBy({ name: ALIAS_OF, constraints: [canonical, options.part === true], validator: { validate: () => true } })(target, alias);
    }
  };
}

interface Alias {
  alias: string;
  canonical: string;
}

const aliasesByClass = new WeakMap<object, Alias[]>();

/** The aliases to move of a DTO class, found once. */
function aliasesOf(type: new (...args: never[]) => unknown): Alias[] {
  let aliases = aliasesByClass.get(type);
  if (!aliases) {
    aliases = getMetadataStorage()
      .getTargetValidationMetadatas(type, '', false, false)
      .filter((metadata) => metadata.name === ALIAS_OF && metadata.constraints[1] !== true)
      .map((metadata) => ({ alias: metadata.propertyName, canonical: String(metadata.constraints[0]) }));
    aliasesByClass.set(type, aliases);
  }
  return aliases;
}

/**
 * Moves the aliases in a validated DTO onto their fields, the alias winning over its field. Two
 * aliases of one field with different values are refused: neither is an echo of the other.
 */
export function resolveAliases(dto: object): void {
  const aliases = aliasesOf(dto.constructor as new () => unknown);
  if (aliases.length === 0) return;
  const values = dto as Record<string, unknown>;
  const movedFrom = new Map<string, string>();
  for (const { alias, canonical } of aliases) {
    if (values[alias] === undefined) continue;
    const other = movedFrom.get(canonical);
    if (other !== undefined && values[other] !== values[alias]) {
      const message = `${other} and ${alias} both stand for ${canonical}, with different values: send one.`;
      throw new InvalidFieldError(message, { [other]: [message], [alias]: [message] });
    }
    values[canonical] = values[alias];
    movedFrom.set(canonical, alias);
  }
  for (const { alias } of aliases) delete values[alias];
}
