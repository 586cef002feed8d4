import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';

/** Anything that could let a reader of the logs act as a user. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.password_hash',
  '*.refresh',
  '*.access',
  '*.token',
  '*.secret',
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
