import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError, DomainErrorKind } from '../errors';

/** RFC 9457 problem details, the one shape of every error response. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  /** Validation problems by field name. */
  errors?: Record<string, string[]>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A 4xx with per-field messages, thrown by the pipes that validate a request's shape (services throw InvalidFieldError). */
export class FieldProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    detail: string,
    readonly errors: Record<string, string[]>,
  ) {
    super(detail, status);
  }
}

/** The status of each kind of domain error: the one place where a domain error becomes HTTP. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorKind, HttpStatus>> = {
  not_found: HttpStatus.NOT_FOUND,
  not_allowed: HttpStatus.FORBIDDEN,
  not_authenticated: HttpStatus.UNAUTHORIZED,
  conflict: HttpStatus.CONFLICT,
  invalid_field: HttpStatus.BAD_REQUEST,
  stale_version: HttpStatus.PRECONDITION_FAILED,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Unique and exclusion constraints whose violation means "that already exists". */
const CONSTRAINT_MESSAGES: Record<string, { detail: string; field?: string }> = {};

/** Services register friendly messages for their constraints, e.g. `users_email_key`. */
export function describeConstraint(name: string, detail: string, field?: string): void {
  CONSTRAINT_MESSAGES[name] = { detail, field };
}

/** The database is unreachable, shutting down, overloaded or too slow: worth a retry (503). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** What `pg` throws when a connection is lost mid-query or cannot be had in time; these carry no code. */
const UNAVAILABLE_MESSAGES = new RegExp(
  [
    'timeout exceeded when trying to connect', // no free pooled connection in time
    '^timeout expired$', // a new connection not established in time
    'Connection terminated', // lost mid-query, or closed by a connect timeout
    'Client has encountered a connection error',
    'Client was closed',
  ].join('|'),
  'i',
);

/** Whether `error` (or what it wraps: a driver error, a cause, an AggregateError's errors) says the database is unavailable. */
function isUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  // TypeORM releases a transaction's connection as soon as the connection fails (the server's
  // "terminating connection" arriving between two statements, say); the next statement of the
  // transaction then meets one of these instead of the network error: QueryRunnerAlreadyReleasedError
  // from the query runner itself (a repository's or query builder's statement, the COMMIT), and
  // QueryRunnerProviderAlreadyReleasedError from the transaction's manager (`manager.query()`,
  // a nested `manager.transaction()`), which checks the runner before handing it the statement.
  if (error instanceof QueryRunnerAlreadyReleasedError || error instanceof QueryRunnerProviderAlreadyReleasedError) return true;
  const { code, message, driverError, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  const wrapped = [driverError, cause, ...(Array.isArray(errors) ? (errors as unknown[]) : [])];
  return wrapped.some((inner) => inner !== error && isUnavailable(inner, depth + 1));
}

/**
 * A problem's `instance`: the request's path without its query string, which may hold what a
 * client should never have put in a URL (an `?access_token=`), and would echo it back.
 */
export function problemInstance(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...extra };
}

/** Maps anything thrown while serving a request to a problem; `undefined` status means unexpected. */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) {
    return problem(DOMAIN_ERROR_STATUS[error.kind], error.message, error.errors ? { errors: error.errors } : {});
  }
  if (error instanceof FieldProblemException) {
    return problem(error.getStatus(), error.message, { errors: error.errors });
  }
  if (error instanceof HttpException) {
    // Nest wraps Fastify's own 4xx errors (malformed JSON, body too large, ...) with the original as the cause.
    const cause = error.cause as { code?: unknown; message?: string } | undefined;
    if (typeof cause?.code === 'string' && cause.code.startsWith('FST_')) {
      return problem(error.getStatus(), fastifyDetail({ code: cause.code, message: cause.message ?? '' }, error.getStatus()));
    }
    return problem(error.getStatus(), httpExceptionDetail(error));
  }
  // Before the constraint mapping: a lost connection surfaces as a QueryFailedError without a code.
  if (isUnavailable(error)) return unavailable();
  if (error instanceof QueryFailedError) {
    return databaseProblem(error.driverError as { code?: string; constraint?: string });
  }
  const status = (error as { statusCode?: number } | null)?.statusCode;
  if (status && status >= 400 && status < 500) {
    // Errors from Fastify before Nest sees the request: malformed JSON, body too large, ...
    return problem(status, fastifyDetail(error as { code?: string; message: string }, status));
  }
  return problem(500, 'An unexpected error occurred. Quote the request id when reporting it.');
}

function httpExceptionDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}

function databaseProblem(driverError: { code?: string; constraint?: string }): Problem {
  const known = driverError.constraint ? CONSTRAINT_MESSAGES[driverError.constraint] : undefined;
  switch (driverError.code) {
    case '23505': // unique_violation
    case '23P01': // exclusion_violation
      return problem(
        409,
        known?.detail ?? 'The request conflicts with an existing record.',
        known?.field ? { errors: { [known.field]: [known.detail] } } : {},
      );
    case '23503': // foreign_key_violation
      return problem(409, known?.detail ?? 'The request refers to a record that does not exist or is still referenced.');
    case '23514': // check_violation
    case '22P02': // invalid_text_representation
    case '22003': // numeric_value_out_of_range
    case '22007': // invalid_datetime_format
    case '22008': // datetime_field_overflow
    case '22001': // string_data_right_truncation
    case '22021': // character_not_in_repertoire (e.g. a NUL byte in text)
      return problem(400, known?.detail ?? 'A value is out of the range the record allows.');
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return problem(409, 'The record was changed by a concurrent request; retry.');
    default:
      return problem(500, 'An unexpected error occurred. Quote the request id when reporting it.');
  }
}

/** The detail of a 415: what the service reads instead. */
export const UNSUPPORTED_MEDIA_TYPE =
  'Unsupported content type; send application/json, application/x-www-form-urlencoded or multipart/form-data.';

/** What a client hears whenever the database is away, from the API and the readiness probe alike. */
export const DATABASE_UNAVAILABLE = 'The database is unavailable; retry shortly.';

function unavailable(): Problem {
  return problem(503, DATABASE_UNAVAILABLE);
}

function fastifyDetail(error: { code?: string; message: string }, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than the service accepts.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return UNSUPPORTED_MEDIA_TYPE;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'The request body is not valid JSON.';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'A part of the path is longer than the service accepts.';
    case 'FST_ERR_BAD_URL':
      return 'The path is not a valid URL (malformed percent-encoding).';
    default:
      if (status === 400 && error instanceof SyntaxError) return 'The request body is not valid JSON.';
      return status === 400 ? 'The request is malformed.' : (STATUS_CODES[status] ?? 'Error');
  }
}
