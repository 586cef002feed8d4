import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppLogger } from './app-logger';

/** An AppLogger at `level` writing into an array of parsed lines. */
function capture(level = 'trace'): { logger: AppLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = new AppLogger(level, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

const request = (url: string) => ({ id: 'req-7', method: 'GET', url, ip: '203.0.113.9' }) as FastifyRequest;
const reply = { statusCode: 404, elapsedTime: 3.4 } as FastifyReply;

describe('AppLogger', () => {
  afterEach(() => Logger.overrideLogger(false));

  it("takes Nest's calls: text, fields then text, an Error, and the Logger's name as context", () => {
    const { logger, lines } = capture();
    Logger.overrideLogger(logger);
    new Logger('Audit').log('flushed');
    new Logger('Audit').error({ batch: 3 }, 'Could not write');
    new Logger('Errors').warn(new Error('boom'));
    Logger.error('Nest could not start', 'Error: x\n    at y', 'ExceptionHandler');

    expect(lines.map(({ level, context, msg }) => ({ level, context, msg }))).toEqual([
      { level: 30, context: 'Audit', msg: 'flushed' },
      { level: 50, context: 'Audit', msg: 'Could not write' },
      { level: 40, context: 'Errors', msg: 'boom' },
      { level: 50, context: 'ExceptionHandler', msg: 'Nest could not start' },
    ]);
    expect(lines[1].batch).toBe(3);
    expect(lines[2].err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(lines[3].stack).toBe('Error: x\n    at y');
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.log('hello', 'Ctx');
    logger.debug('details', 'Ctx');
    logger.logResponse(request('/api/doctors/'), reply);
    logger.warn('careful', 'Ctx');
    expect(lines.map((line) => line.msg)).toEqual(['careful']);
  });

  it('redacts secrets in the fields it is given', () => {
    const { logger, lines } = capture();
    logger.log({ body: { username: 'jane', password: 'hunter2hunter2' } }, 'login', 'Auth');
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
    expect(lines[0].body).toEqual({ username: 'jane', password: '[redacted]' });
  });

  it('writes one line per response, without the health probes', () => {
    const { logger, lines } = capture('info');
    logger.logResponse(request('/api/patients/12/'), reply);
    logger.logResponse(request('/health/ready'), { statusCode: 200, elapsedTime: 1 } as FastifyReply);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      request_id: 'req-7',
      req: { method: 'GET', url: '/api/patients/12/', remote_address: '203.0.113.9' },
      res: { status_code: 404 },
      response_time_ms: 3,
    });
  });
});
