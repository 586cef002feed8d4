import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';

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

/** Structured JSON logs with the request id on every line. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // On Fastify the request logger is middleware, and only this pattern matches every route.
        forRoutes: ['{*splat}'],
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Fastify already chose the id (see app.factory.ts); middie copies it to the raw request.
          genReqId: (req) => (req as { id?: string }).id ?? 'unknown',
          customAttributeKeys: { reqId: 'request_id' },
          autoLogging: { ignore: (req) => req.url?.startsWith('/health/') ?? false },
          serializers: {
            req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
              remote_address: req.remoteAddress,
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
