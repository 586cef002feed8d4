import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The request a call arrived on, as the audit trail records it. Handed down explicitly rather
 * than kept in an AsyncLocalStorage: on Node 20 that installs promise hooks, which cost a fifth
 * of the CPU of a doctor list or a booking (measured with `npm run bench`).
 */
export interface RequestOrigin {
  requestId: string;
  clientIp: string;
  /** The client's User-Agent, cut to USER_AGENT_LENGTH characters: it names a session in its owner's list. */
  userAgent?: string;
}

export const USER_AGENT_LENGTH = 300;

export const originOf = (request: FastifyRequest): RequestOrigin => ({
  requestId: String(request.id),
  clientIp: request.ip,
  userAgent: request.headers['user-agent']?.slice(0, USER_AGENT_LENGTH),
});

/** The origin of the request being handled, for routes without an authenticated caller. */
export const Origin = createParamDecorator((_: unknown, context: ExecutionContext): RequestOrigin =>
  originOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
