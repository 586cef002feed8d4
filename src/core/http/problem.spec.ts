import { BadRequestException } from '@nestjs/common';
import { DataSource, QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { problemInstance, toProblem } from './problem';

/** A TypeORM query error wrapping what the `pg` driver threw. */
const queryFailed = (driverError: Error & { code?: string }) => new QueryFailedError('SELECT 1', [], driverError);
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

/**
 * What the next statement of a transaction meets once TypeORM has released its connection, as
 * the query runner does on the connection's 'error' event (the server's "terminating connection
 * due to administrator command" arriving between two statements): thrown by TypeORM itself, on a
 * data source that never connects.
 */
async function afterConnectionLost(): Promise<{ viaManager: unknown; viaRunner: unknown }> {
  const dataSource = new DataSource({ type: 'postgres' });
  const runner = dataSource.createQueryRunner();
  await runner.release();
  const manager = dataSource.createEntityManager(runner);
  return {
    // `manager.query()` (the audit's INSERT), checked by the data source before the runner sees it.
    viaManager: await manager.query('INSERT INTO audit_events DEFAULT VALUES').catch((error: unknown) => error),
    // A repository's or query builder's statement, or the COMMIT, sent to the runner itself.
    viaRunner: await runner.query('COMMIT').catch((error: unknown) => error),
  };
}

describe('toProblem: the database being away is 503, never 500', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    [
      'a refused connection over IPv4 and IPv6',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed'),
    ],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['no new connection in time', new Error('timeout expired')],
    ['no answer in time (the client gave the connection up)', queryFailed(withCode('The database did not answer in time', 'ETIMEDOUT'))],
    ['a server shutting down', queryFailed(withCode('terminating connection due to administrator command', '57P01'))],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a connection lost mid-query (no code)', queryFailed(new Error('Connection terminated unexpectedly'))],
    ['a reset connection mid-query', queryFailed(withCode('read ECONNRESET', 'ECONNRESET'))],
    ['a statement timeout', queryFailed(withCode('canceling statement due to statement timeout', '57014'))],
    ['a transaction whose connection was released on failure', new QueryRunnerAlreadyReleasedError()],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
  ])('maps %s to 503', (_, error) => {
    expect(toProblem(error)).toMatchObject({ status: 503, detail: 'The database is unavailable; retry shortly.' });
  });

  it('maps a transaction whose connection TypeORM released on failure to 503, whichever way its next statement goes', async () => {
    const { viaManager, viaRunner } = await afterConnectionLost();
    expect(viaManager).toBeInstanceOf(QueryRunnerProviderAlreadyReleasedError);
    expect(viaRunner).toBeInstanceOf(QueryRunnerAlreadyReleasedError);
    for (const error of [viaManager, viaRunner]) {
      expect(toProblem(error)).toMatchObject({ status: 503, detail: 'The database is unavailable; retry shortly.' });
    }
  });

  it('keeps constraint violations and client errors as they were', () => {
    expect(toProblem(queryFailed(withCode('duplicate key', '23505'))).status).toBe(409);
    expect(toProblem(queryFailed(withCode('invalid byte sequence', '22021'))).status).toBe(400);
    expect(toProblem(new BadRequestException('nope')).status).toBe(400);
  });

  it('answers anything else with a 500 that names no internals', () => {
    const problem = toProblem(queryFailed(withCode('relation "users" does not exist', '42P01')));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/users|relation|42P01/);
  });

  it('describes the errors Fastify raises before routing', () => {
    const tooLong = Object.assign(new Error("'x' is exceeding the max param length"), {
      code: 'FST_ERR_MAX_PARAM_LENGTH',
      statusCode: 414,
    });
    expect(toProblem(tooLong)).toMatchObject({ status: 414, detail: 'A part of the path is longer than the service accepts.' });
    const badUrl = Object.assign(new Error("'%zz' is not a valid url component"), { code: 'FST_ERR_BAD_URL', statusCode: 400 });
    expect(toProblem(badUrl)).toMatchObject({ status: 400, detail: 'The path is not a valid URL (malformed percent-encoding).' });
  });
});

describe('problemInstance', () => {
  it('is the request path without its query string, which may carry what must not be echoed', () => {
    expect(problemInstance('/api/patients/7/?access_token=eyJ.secret&page=2')).toBe('/api/patients/7/');
    expect(problemInstance('/api/patients/7/?')).toBe('/api/patients/7/');
    expect(problemInstance('/api/patients/7/')).toBe('/api/patients/7/');
  });
});
