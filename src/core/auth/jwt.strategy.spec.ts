import { JwtService } from '@nestjs/jwt';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { Role } from '../../users/role';
import type { UsersService } from '../../users/users.service';
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
    const request = requestWith(`Bearer ${accessToken()}`);
    const first = strategy.check(request);
    expect(strategy.check(request)).toBe(first);
    expect(first).toMatchObject({ claims: { sub: '7', type: 'access' } });
    expect(verify).toHaveBeenCalledTimes(1);
    strategy.check(requestWith(`Bearer ${accessToken()}`));
    expect(verify).toHaveBeenCalledTimes(2);
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

  it('says so when the token has expired', () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = new JwtService({ secret: SECRET }).sign({ sub: '7', type: 'access', iat: now - 120, exp: now - 60 });
    expect(strategy.check(requestWith(`Bearer ${expired}`))).toEqual({ refusal: 'The access token has expired.' });
  });
});
