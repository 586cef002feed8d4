/**
 * What services, the access rules and the CLI scripts throw when a request cannot be served as
 * asked. They carry the message a caller reads (and, for some, the messages by field) and know
 * nothing of HTTP: the one exception filter maps each kind to its status (core/http/problem.ts),
 * and a script prints the message.
 */

/** Messages by field name (API names: `user`, `password`, `email`). */
export type FieldErrors = Record<string, string[]>;

export type DomainErrorKind =
  'not_found' | 'not_allowed' | 'not_authenticated' | 'conflict' | 'invalid_field' | 'stale_version' | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    message: string,
    /** Messages by field, when the error is about named fields. */
    readonly errors?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The record does not exist, or the caller may not see it (which answers the same). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The caller sees the record but may not do this to it. */
export class NotAllowedError extends DomainError {
  readonly kind = 'not_allowed';
}

/** The caller's credentials or session are not (or no longer) good. */
export class NotAuthenticatedError extends DomainError {
  readonly kind = 'not_authenticated';
}

/** The request contradicts the state of the records: taken names, a limit reached, a move the statuses forbid. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** A value the request gave is not acceptable; always names its fields. */
export class InvalidFieldError extends DomainError {
  readonly kind = 'invalid_field';

  constructor(message: string, errors: FieldErrors) {
    super(message, errors);
  }

  /** One field with one message, which is also the error's message. */
  static of(field: string, message: string): InvalidFieldError {
    return new InvalidFieldError(message, { [field]: [message] });
  }
}

/** The record changed since the version the caller last read. */
export class StaleVersionError extends DomainError {
  readonly kind = 'stale_version';
}

/** Something the service depends on (the database) does not answer; worth a retry. */
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}
