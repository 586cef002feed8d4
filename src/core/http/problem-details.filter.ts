import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UnavailableError } from '../errors';
import { redactUrl } from '../logging/redaction';
import { PROBLEM_CONTENT_TYPE, problemInstance, toProblem } from './problem';

const RETRY_UNAVAILABLE_SECONDS = 2;

/** The one exception filter: every error leaves as `application/problem+json`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), this.logger);
  }
}

export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const problem = toProblem(error);
  problem.instance = problemInstance(request.url);
  problem.request_id = String(request.id);
  // An UnavailableError is an answer the code chose (the readiness probe, which logs changes of
  // state itself), not a failure to log with its stack on every request.
  if (problem.status >= 500 && !(error instanceof UnavailableError)) {
    logger.error({ err: error, request_id: request.id }, `${request.method} ${redactUrl(request.url)} failed`);
  }
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  // The database is away: tell clients when to try again (a restart or failover takes seconds).
  if (problem.status === 503) reply.header('Retry-After', String(RETRY_UNAVAILABLE_SECONDS));
  void reply.status(problem.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
