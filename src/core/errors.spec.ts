import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DomainError,
  DomainErrorKind,
  InvalidFieldError,
  NotAllowedError,
  NotAuthenticatedError,
  NotFoundError,
  StaleVersionError,
  UnavailableError,
} from './errors';
import { DOMAIN_ERROR_STATUS, toProblem } from './http/problem';

/** Every kind with the status and title a client has always received for it, written out by hand. */
const EXPECTED: [DomainErrorKind, (message: string) => DomainError, number, string][] = [
  ['not_found', (message) => new NotFoundError(message), 404, 'Not Found'],
  ['not_allowed', (message) => new NotAllowedError(message), 403, 'Forbidden'],
  ['not_authenticated', (message) => new NotAuthenticatedError(message), 401, 'Unauthorized'],
  ['conflict', (message) => new ConflictError(message), 409, 'Conflict'],
  ['invalid_field', (message) => new InvalidFieldError(message, { name: [message] }), 400, 'Bad Request'],
  ['stale_version', (message) => new StaleVersionError(message), 412, 'Precondition Failed'],
  ['unavailable', (message) => new UnavailableError(message), 503, 'Service Unavailable'],
];

describe('toProblem: a domain error becomes the problem of its kind', () => {
  it.each(EXPECTED)('%s answers its status and title, with the message as detail', (kind, make, status, title) => {
    const error = make('Something precise.');
    expect(error.kind).toBe(kind);
    expect(toProblem(error)).toMatchObject({ type: 'about:blank', title, status, detail: 'Something precise.' });
  });

  it('adds no field map to an error that has none', () => {
    expect(toProblem(new NotFoundError('Patient not found.'))).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Patient not found.',
    });
  });

  it('invalid_field answers 400 naming its fields', () => {
    expect(toProblem(InvalidFieldError.of('user', 'user must be a doctor.'))).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'user must be a doctor.',
      errors: { user: ['user must be a doctor.'] },
    });
    expect(toProblem(new InvalidFieldError('The schedule is not valid.', { days: ['a'], slot_minutes: ['b'] }))).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The schedule is not valid.',
      errors: { days: ['a'], slot_minutes: ['b'] },
    });
  });

  it('keeps the field map of any kind that has one (a refused link, taken names)', () => {
    expect(toProblem(new NotAllowedError('Only admins.', { user: ['Only admins.'] }))).toEqual({
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'Only admins.',
      errors: { user: ['Only admins.'] },
    });
    expect(toProblem(new ConflictError('Taken.', { email: ['Taken.'] }))).toMatchObject({ status: 409, errors: { email: ['Taken.'] } });
  });

  it('maps every kind, and no two kinds to one status', () => {
    const kinds = EXPECTED.map(([kind]) => kind).sort();
    expect(Object.keys(DOMAIN_ERROR_STATUS).sort()).toEqual(kinds);
    expect(new Set(Object.values(DOMAIN_ERROR_STATUS)).size).toBe(kinds.length);
  });

  it('is an Error with its own name and message, for logs and the CLI scripts', () => {
    const error = new StaleVersionError('Changed.');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StaleVersionError');
    expect(String(error)).toBe('StaleVersionError: Changed.');
  });
});

/** Where refusals are decided: services, the access rules, and what the CLI scripts and the seed call. */
const SRC = dirname(__dirname);
const DECIDERS = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
  (name) => /\.service\.ts$|^access\/.*\.ts$|^users\/create-admin\.ts$|^seed\/.*\.ts$/.test(name) && !name.endsWith('.spec.ts'),
);

describe('services', () => {
  it('throw domain errors, never HTTP exceptions', () => {
    const offenders = DECIDERS.flatMap((name) =>
      [...readFileSync(join(SRC, name), 'utf8').matchAll(/\b[A-Z]\w*Exception\b/g)].map((match) => `${name}: ${match[0]}`),
    );
    expect(DECIDERS.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
