import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/*
 * Usernames and emails, wherever they come in (registration, the create-admin script, the seed,
 * login): one normal form, one refusal of invisible characters and one "looks the same as" key.
 */

/** NFKC: full-width letters, ligatures and other compatibility forms become the plain characters they stand for. */
export function normaliseAccountName(value: string): string {
  return value.normalize('NFKC');
}

/**
 * Characters that show as nothing, or change how their neighbours show: controls, format
 * characters (zero-width space and joiners, bidi overrides, soft hyphen, BOM), line and paragraph
 * separators, and the rest of Unicode's default-ignorable code points (fillers, variation selectors).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

const invisibleMessage = (field: string) => `${field} must not contain invisible or control characters (such as zero-width spaces).`;

/** Why `value` (already normalised) cannot be a username or email, if it cannot. */
export function invisibleCharacterProblem(field: string, value: string): string | undefined {
  return INVISIBLE.test(value) ? invisibleMessage(field) : undefined;
}

/** unhomoglyph's table (6,000 entries, 100 KB of JSON), read at the first skeleton rather than at start. */
let prototypes: Map<string, string> | undefined;
function prototypeOf(char: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  prototypes ??= new Map(Object.entries(require('unhomoglyph/data.json') as typeof import('unhomoglyph/data.json')));
  return prototypes.get(char);
}

/**
 * The confusable skeleton of Unicode TR39 (section 4): NFD, every character replaced by its
 * prototype from confusables.txt, NFD again; two names with the same skeleton look alike
 * (Cyrillic `а` and Latin `a`, `0` and `O`, `I` and `l`, `rn` and `m`). unhomoglyph supplies the
 * table (confusables.txt as a map of single code points); its own function skips both NFD steps,
 * so the mapping is applied here. Names are case-insensitive (citext columns), so the skeleton is
 * lower-cased: `0` maps to `O`, which must meet `o`. Not before the mapping, which would turn the
 * `I` of `paypaI` into an `i` that looks like nothing else; a name's case variants are refused by
 * citext already.
 */
export function accountNameSkeleton(value: string): string {
  let mapped = '';
  for (const char of normaliseAccountName(value).normalize('NFD')) mapped += prototypeOf(char) ?? char;
  return mapped.normalize('NFD').toLowerCase();
}

/** A username or email field of a request body, taken to NFKC before it is validated. */
export const NormalisedAccountName = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normaliseAccountName(value) : value));

/**
 * A username or email field of a new account: normalised to NFKC before it is validated (so
 * `ｊａｎｅ` is checked, and stored, as `jane`) and refused with a clear message when it holds an
 * invisible or control character.
 */
export function AccountName(): PropertyDecorator {
  const normalise = NormalisedAccountName();
  const visible = ValidateBy({
    name: 'accountNameVisible',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !INVISIBLE.test(value),
      defaultMessage: (args) => invisibleMessage(args?.property ?? 'value'),
    },
  });
  return (target, property) => {
    normalise(target, property);
    visible(target, property);
  };
}

/**
 * The username and email of an account being created outside HTTP (scripts): normalised like a
 * request's, or an Error naming what is wrong.
 */
export function normaliseAccount<T extends { username: string; email: string }>(account: T): T {
  const normalised = { ...account, username: normaliseAccountName(account.username), email: normaliseAccountName(account.email) };
  const problems = [invisibleCharacterProblem('username', normalised.username), invisibleCharacterProblem('email', normalised.email)];
  const found = problems.filter((problem) => problem !== undefined);
  if (found.length > 0) throw new Error(found.join(' '));
  return normalised;
}

/** Room kept after a derived username's base for the number that makes it unique (`jane2`). */
const USERNAME_SUFFIX_ROOM = 7;

/**
 * The username an account registered with only an email starts from: the email's local part in
 * the characters a username may have (accents dropped, `josé` is `jose`; others left out), at
 * least 3 characters (`jo` is `jo_user`, nothing at all is `user`), with room for a number after it.
 */
export function usernameBaseFromEmail(email: string): string {
  const normalised = normaliseAccountName(email);
  const local = normalised.slice(0, Math.max(normalised.lastIndexOf('@'), 0));
  const base = local
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9@.+_-]/g, '')
    .slice(0, 150 - USERNAME_SUFFIX_ROOM);
  if (base.length >= 3) return base;
  return base ? `${base}_user` : 'user';
}

/** The usernames tried for `base`, in order: `jane`, `jane2`, `jane3`, … */
export function* usernameCandidates(base: string): Generator<string> {
  yield base;
  for (let n = 2; n < 10 ** USERNAME_SUFFIX_ROOM; n++) yield `${base}${n}`;
}
