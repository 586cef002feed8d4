import { InvalidFieldError } from '../errors';
import { AliasOptions } from './aliases';
import { StringField } from './fields';

/**
 * A person's `name` as seed 004's clients send and read it: `first_name` and `last_name`. Both
 * are returned beside `name` (split at its first space), so a client that reads a record and
 * sends it back sends all three; which of them it changed is told by comparing with the record.
 */

/** The longest name, as the `name` columns hold it. */
const NAME_MAX = 200;

export interface NameParts {
  first_name: string;
  last_name: string;
}

/** `name` up to its first space, and the rest: how `first_name` and `last_name` are returned. */
export function splitName(name: string): NameParts {
  const space = name.search(/\s/);
  return space < 0 ? { first_name: name, last_name: '' } : { first_name: name.slice(0, space), last_name: name.slice(space).trim() };
}

const PART = StringField({ max: 100, trim: true });

/** The aliases of a `name` field (see `Aliased`), for patients and doctors. */
export const NAME_PARTS: Record<keyof NameParts, AliasOptions> = {
  first_name: { seed: '004', field: PART, part: true, description: 'The first part of `name`, joined to `last_name` with a space' },
  last_name: { seed: '004', field: PART, part: true, description: 'The rest of `name` after `first_name`' },
};

/** A body's name fields, as validated. */
type NameInput = { name?: string } & Partial<NameParts>;

/**
 * The `name` a body means, or undefined when it leaves the name as it is. `stored` is the
 * record's name on an update (undefined on a create).
 *
 * - Only `name`, or only parts: that. A part left out keeps its stored value on an update, and is
 *   empty on a create.
 * - `name` and parts: whichever differs from the stored name is the change. When both differ
 *   (on a create, always), they must agree: the parts must be `name` split at its first space.
 */
export function nameFromParts(body: NameInput, stored?: string): string | undefined {
  const sent = (['first_name', 'last_name'] as const).filter((part) => body[part] !== undefined);
  if (sent.length === 0) return body.name;
  const before = stored === undefined ? undefined : splitName(stored);
  const partsChanged = before === undefined || sent.some((part) => body[part] !== before[part]);
  if (!partsChanged) return body.name;
  if (body.name !== undefined && body.name !== stored) {
    const split = splitName(body.name);
    if (sent.every((part) => body[part] === split[part])) return body.name;
    const message = `name and ${sent.join(' and ')} disagree: ${sent.join(' and ')} must be name split at its first space, or send the new name in one of them.`;
    throw new InvalidFieldError(message, Object.fromEntries(['name', ...sent].map((field) => [field, [message]])));
  }
  const first = body.first_name ?? before?.first_name ?? '';
  const last = body.last_name ?? before?.last_name ?? '';
  const name = [first, last].filter((part) => part !== '').join(' ');
  if (name === '' || name.length > NAME_MAX) {
    const message = `first_name and last_name, joined with a space, must be from 1 to ${NAME_MAX} characters.`;
    throw new InvalidFieldError(message, Object.fromEntries(sent.map((field) => [field, [message]])));
  }
  return name;
}
