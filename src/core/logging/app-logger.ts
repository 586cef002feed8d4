import type { LoggerService } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { REDACTED_PATHS, redactUrl, serializeError } from './redaction';

/**
 * The service's one logger, JSON lines through pino: Nest's own lines and the services' (`new
 * Logger('Audit')` ends up here), and one line per response (with the request's id, which
 * error lines also carry).
 */
export class AppLogger implements LoggerService {
  private readonly lines: Logger;
  /**
   * The response lines, built here from a few chosen fields with nothing to redact but the URL's
   * secret query parameters: this keeps redaction (some 40 paths walked per line) off the
   * busiest line of all.
   */
  private readonly responses: Logger;

  constructor(level: string, destination: DestinationStream) {
    this.lines = pino(
      {
        level,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        serializers: { err: serializeError },
      },
      destination,
    );
    this.responses = pino({ level }, destination);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** The line of a finished response (health probes excepted: they would drown the rest). */
  logResponse(request: FastifyRequest, reply: FastifyReply): void {
    if (!this.responses.isLevelEnabled('info') || request.url.startsWith('/health/')) return;
    this.responses.info(
      {
        request_id: request.id,
        req: { method: request.method, url: redactUrl(request.url), remote_address: request.ip },
        res: { status_code: reply.statusCode },
        response_time_ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  }

  /**
   * Nest calls `log(message, ...params, context)`, the context being the `Logger`'s name;
   * `message` may be text, an Error, or an object of fields followed by the text
   * (`logger.error({ err }, 'Could not …')`); an error's stack may come as a second text.
   */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.lines.isLevelEnabled(level)) return;
    const rest = params.filter((param) => param !== undefined);
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? rest.pop() : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = message;
      text = message.message;
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      text = typeof rest[0] === 'string' ? rest[0] : undefined;
    } else {
      text = String(message);
      if (typeof rest[0] === 'string') fields.stack = rest[0];
    }
    this.lines[level](fields, text);
  }
}
