import { Global, Inject, Module } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';

export const JWT_ALGORITHM = 'HS256';

const ACCESS_TOKENS = Symbol('ACCESS_TOKENS');
const REFRESH_TOKENS = Symbol('REFRESH_TOKENS');

/** The JwtService that signs and checks access tokens. */
export const InjectAccessTokens = () => Inject(ACCESS_TOKENS);
/** The JwtService that signs and checks refresh tokens. */
export const InjectRefreshTokens = () => Inject(REFRESH_TOKENS);

/**
 * HS256 only, with the secret made a key once. Given a string, jsonwebtoken first tries to
 * parse it as a PEM public key on every call, and that failed attempt was a third of the CPU a
 * request cost.
 */
function hs256(secret: string, expiresInSeconds: number): JwtService {
  return new JwtService({
    secret: createSecretKey(Buffer.from(secret, 'utf8')),
    signOptions: { algorithm: JWT_ALGORITHM, expiresIn: expiresInSeconds },
    verifyOptions: { algorithms: [JWT_ALGORITHM] },
  });
}

/** One JwtService per kind of token, each bound to its own secret: one can never check the other. */
@Global()
@Module({
  providers: [
    {
      provide: ACCESS_TOKENS,
      inject: [APP_CONFIG],
      useFactory: ({ jwt }: AppConfig) => hs256(jwt.accessSecret, jwt.accessTtlSeconds),
    },
    {
      provide: REFRESH_TOKENS,
      inject: [APP_CONFIG],
      useFactory: ({ jwt }: AppConfig) => hs256(jwt.refreshSecret, jwt.refreshTtlSeconds),
    },
  ],
  exports: [ACCESS_TOKENS, REFRESH_TOKENS],
})
export class TokenSignersModule {}
