import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { Role } from '../core/auth/role';
import type { UsersService } from '../users/users.service';
import { JwtStrategy } from './jwt.strategy';

const SECRET = 's'.repeat(40);
const signer = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256', expiresIn: 60 } });
const verifier = new JwtService({ secret: SECRET, verifyOptions: { algorithms: ['HS256'] } });

const requestWith = (authorization?: string) => ({ headers: { authorization } }) as FastifyRequest;
const accessToken = (claims: object = {}) => signer.sign({ sub: '7', username: 'u', role: Role.Patient, type: 'access', ...claims });

describe('JwtStrategy.check', () => {
  const strategy = new JwtStrategy(verifier, {} as UsersService);

  it('verifies a request’s token once, however many guards ask', () => {
    const verify = vi.spyOn(verifier, 'verify');
    const request = requestWith(`Bearer ${accessToken({ jti: 'once' })}`);
    const first = strategy.check(request);
    expect(strategy.check(request)).toBe(first);
    expect(first).toMatchObject({ claims: { sub: '7', type: 'access' } });
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockRestore();
  });

  it('verifies a token once for all the requests that carry it, and a different one anew', () => {
    const verify = vi.spyOn(verifier, 'verify');
    const token = accessToken({ jti: 'reused' });
    for (let i = 0; i < 3; i++) expect(strategy.check(requestWith(`Bearer ${token}`))).toMatchObject({ claims: { jti: 'reused' } });
    expect(verify).toHaveBeenCalledTimes(1);
    // Same header and payload, another signature: not the token verified before.
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    expect(strategy.check(requestWith(`Bearer ${forged}`))).toEqual({ refusal: expect.stringContaining('not valid') as string });
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });

  it('refuses a token it verified before once it has expired', () => {
    vi.useFakeTimers({ now: Date.now() });
    try {
      const own = new JwtStrategy(verifier, {} as UsersService);
      const token = accessToken({ jti: 'short' }); // valid 60 s
      expect(own.check(requestWith(`Bearer ${token}`))).toHaveProperty('claims');
      vi.advanceTimersByTime(59_000);
      expect(own.check(requestWith(`Bearer ${token}`))).toHaveProperty('claims');
      vi.advanceTimersByTime(2_000);
      expect(own.check(requestWith(`Bearer ${token}`))).toEqual({ refusal: 'The access token has expired.' });
      expect(own.check(requestWith(`Bearer ${token}`))).toEqual({ refusal: 'The access token has expired.' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a bounded number of verified tokens, forgetting the oldest first', () => {
    const own = new JwtStrategy(verifier, {} as UsersService);
    const verify = vi.spyOn(verifier, 'verify');
    const tokens = Array.from({ length: 2001 }, (_, i) => accessToken({ jti: `t${i}` }));
    for (const token of tokens) own.check(requestWith(`Bearer ${token}`));
    expect(verify).toHaveBeenCalledTimes(2001);
    own.check(requestWith(`Bearer ${tokens[2000]}`));
    expect(verify).toHaveBeenCalledTimes(2001);
    own.check(requestWith(`Bearer ${tokens[0]}`));
    expect(verify).toHaveBeenCalledTimes(2002);
    verify.mockRestore();
  });

  it('refuses a missing header, another scheme, a refresh token and a bad signature', () => {
    const refusals = [
      undefined,
      `Basic ${accessToken()}`,
      `Bearer ${accessToken({ type: 'refresh' })}`,
      `Bearer ${accessToken({ sub: 'seven' })}`,
      `Bearer ${new JwtService({ secret: 'x'.repeat(40) }).sign({ sub: '7', type: 'access' })}`,
    ].map((header) => strategy.check(requestWith(header)));
    for (const result of refusals) expect(result).toEqual({ refusal: expect.stringContaining('not valid') as string });
  });

  it('takes a token only from the Authorization header, never from the query string or the body', () => {
    const token = accessToken();
    const elsewhere = { headers: {}, query: { access_token: token, token }, body: { access: token, token } } as unknown as FastifyRequest;
    expect(strategy.check(elsewhere)).toEqual({ refusal: expect.stringContaining('not valid') as string });
  });

  it('says so when the token has expired', () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = new JwtService({ secret: SECRET }).sign({ sub: '7', type: 'access', iat: now - 120, exp: now - 60 });
    expect(strategy.check(requestWith(`Bearer ${expired}`))).toEqual({ refusal: 'The access token has expired.' });
  });
});
