import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';

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

/** A 4xx with per-field messages; thrown by validation and by services naming a field. */
export class FieldProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    detail: string,
    readonly errors: Record<string, string[]>,
  ) {
    super(detail, status);
  }
}

/** Unique and exclusion constraints whose violation means "that already exists". */
const CONSTRAINT_MESSAGES: Record<string, { detail: string; field?: string }> = {};

/** Services register friendly messages for their constraints, e.g. `users_email_key`. */
export function describeConstraint(name: string, detail: string, field?: string): void {
  CONSTRAINT_MESSAGES[name] = { detail, field };
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, ...extra };
}

/** Maps anything thrown while serving a request to a problem; `undefined` status means unexpected. */
export function toProblem(error: unknown): Problem {
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
  if (error instanceof QueryFailedError) {
    return databaseProblem(error.driverError as { code?: string; constraint?: string });
  }
  const code = (error as { code?: string } | null)?.code;
  if (code && UNAVAILABLE_CODES.has(code)) return unavailable();
  if (error instanceof Error && /timeout exceeded when trying to connect|Connection terminated/i.test(error.message)) {
    return unavailable();
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
      if (driverError.code && UNAVAILABLE_CODES.has(driverError.code)) return unavailable();
      return problem(500, 'An unexpected error occurred. Quote the request id when reporting it.');
  }
}

function unavailable(): Problem {
  return problem(503, 'The database is unavailable; retry shortly.');
}

function fastifyDetail(error: { code?: string; message: string }, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is larger than the service accepts.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type; send application/json.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'The request body is not valid JSON.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is empty but its content type says JSON.';
    default:
      if (status === 400 && error instanceof SyntaxError) return 'The request body is not valid JSON.';
      return status === 400 ? 'The request is malformed.' : (STATUS_CODES[status] ?? 'Error');
  }
}
