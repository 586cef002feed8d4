import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { QueryFailedError } from 'typeorm';
import { REDACTED_PATHS, redactUrl, serializeError } from './redaction';

const SECRET = 'S3cr3t-Value-That-Must-Not-Leak';

/** A logger configured like the application's, writing its lines into an array. */
function capture(): { logger: pino.Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
  return { logger, lines: () => chunks.join('').trim().split('\n') };
}

function logged(entry: Record<string, unknown>): { text: string; json: Record<string, unknown> } {
  const { logger, lines } = capture();
  logger.info(entry, 'message');
  const [line] = lines();
  return { text: line, json: JSON.parse(line) as Record<string, unknown> };
}

describe('log redaction', () => {
  it('hides the Authorization header and cookies of a request', () => {
    const { text, json } = logged({
      req: {
        method: 'GET',
        url: '/api/auth/me/',
        headers: { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}`, accept: 'application/json' },
      },
      res: { statusCode: 200, headers: { 'set-cookie': `session=${SECRET}` } },
    });
    expect(text).not.toContain(SECRET);
    expect(json.req).toMatchObject({
      method: 'GET',
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: 'application/json' },
    });
    expect(json.res).toMatchObject({ headers: { 'set-cookie': '[redacted]' } });
  });

  it.each([
    ['a password at the top level', { password: SECRET }],
    ['a password in an object', { body: { username: 'jane', password: SECRET } }],
    ['a password in a request body', { req: { body: { username: 'jane', password: SECRET } } }],
    ['a password hash', { user: { id: 1, passwordHash: SECRET, password_hash: SECRET } }],
    ['a token pair', { tokens: { access: SECRET, refresh: SECRET } }],
    ['a token pair at the top level', { access: SECRET, refresh: SECRET }],
    ['a refresh token in a request body', { req: { body: { refresh: SECRET } } }],
    ['a token', { payload: { token: SECRET } }],
    ['a secret', { config: { secret: SECRET } }],
    ['JWT secrets in the configuration', { config: { jwt: { accessSecret: SECRET, refreshSecret: SECRET } } }],
  ])('hides %s', (_, entry) => {
    const { text } = logged(entry);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
  });

  it('keeps everything else readable', () => {
    const { json } = logged({ req: { method: 'POST', url: '/api/auth/login/' }, user: { id: 7, username: 'jane' }, request_id: 'abc' });
    expect(json).toMatchObject({
      req: { method: 'POST', url: '/api/auth/login/' },
      user: { id: 7, username: 'jane' },
      request_id: 'abc',
      msg: 'message',
    });
    expect(JSON.stringify(json)).not.toContain('[redacted]');
  });

  it('drops the bound values of a failed query from a logged error, keeping what explains it', () => {
    const driverError = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const error = new QueryFailedError('INSERT INTO "users"("password_hash") VALUES ($1)', [`$argon2id$${SECRET}`], driverError);
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    pino({ serializers: { err: serializeError } }, stream).error({ err: error }, 'failed');
    const line = chunks.join('');
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line).err).toMatchObject({
      type: 'QueryFailedError',
      query: expect.stringContaining('INSERT'),
      driverError: { code: '57014' },
    });
  });
});

describe('redactUrl', () => {
  it.each([
    'access_token',
    'token',
    'refresh',
    'password',
    'code',
    'key',
    'secret',
    'api_key',
    'client_secret',
    'id_token',
    'Access%5FToken',
  ])('hides the value of a %s query parameter', (name) => {
    const url = redactUrl(`/api/patients/?page=2&${name}=${SECRET}&search=ann`);
    expect(url).toBe(`/api/patients/?page=2&${name}=[redacted]&search=ann`);
  });

  it('hides every secret parameter, also the first and a repeated one', () => {
    expect(redactUrl(`/api/auth/me/?token=${SECRET}&token=${SECRET}x`)).toBe('/api/auth/me/?token=[redacted]&token=[redacted]');
  });

  it('leaves other parameters, and URLs without a query, as they are', () => {
    expect(redactUrl('/api/patients/?search=ann&page_size=50&ordering=-name')).toBe(
      '/api/patients/?search=ann&page_size=50&ordering=-name',
    );
    expect(redactUrl('/api/patients/7/')).toBe('/api/patients/7/');
  });
});
