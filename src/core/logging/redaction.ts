import pino from 'pino';

/** Keys whose values could let a reader of the logs act as a user, or as the service. */
const SECRET_KEYS = [
  'password',
  'passwordHash',
  'password_hash',
  'access',
  'refresh',
  'accessToken',
  'refreshToken',
  'token',
  'secret',
  'accessSecret',
  'refreshSecret',
];

/**
 * What the logger redacts. A pino path matches at one depth only (`*.password` misses both a
 * top-level `password` and `req.body.password`), so each key is listed at the top level and
 * under one and two levels of nesting.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/**
 * Query parameters whose values are or may be credentials, by a part of their name
 * (`access_token`, `api_key`, `client_secret`, an OAuth `code`). Tokens are only ever accepted in
 * the Authorization header, but a client may still put one in a URL, and URLs get logged.
 */
const SECRET_PARAM = /token|refresh|password|code|key|secret/i;
const QUERY_PARAM = /([?&])([^=&#]*)=([^&#]*)/g;

/** A URL as the log may show it: the values of secret-named query parameters replaced. */
export function redactUrl(url: string): string {
  if (!url.includes('?')) return url;
  return url.replace(QUERY_PARAM, (param, separator: string, name: string) =>
    SECRET_PARAM.test(decodedName(name)) ? `${separator}${name}=[redacted]` : param,
  );
}

/** A parameter's name as the server reads it (`access%5Ftoken` is `access_token`). */
function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Errors as pino serializes them, minus the bound values of a failed query: TypeORM puts them on
 * its QueryFailedError as `parameters`, and they can be a password hash, a token hash or a
 * patient's details. The SQL text (placeholders only) and the driver's error code stay.
 */
export function serializeError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  // Usually an Error; a caller may also log an error already serialized to a plain object.
  const serialized: Record<string, unknown> = error instanceof Error ? { ...pino.stdSerializers.err(error) } : { ...error };
  delete serialized.parameters;
  if (typeof serialized.driverError === 'object' && serialized.driverError !== null) {
    const driverError: Record<string, unknown> = { ...serialized.driverError };
    delete driverError.parameters;
    serialized.driverError = driverError;
  }
  return serialized;
}
