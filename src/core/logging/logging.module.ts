import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
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

/**
 * Errors as pino serializes them, minus the bound values of a failed query: TypeORM puts them on
 * its QueryFailedError as `parameters`, and they can be a password hash, a token hash or a
 * patient's details. The SQL text (placeholders only) and the driver's error code stay.
 */
export function serializeError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  // pino-http hands this the already serialized error; a plain pino logger hands it the Error.
  const serialized: Record<string, unknown> = error instanceof Error ? { ...pino.stdSerializers.err(error) } : { ...error };
  delete serialized.parameters;
  if (typeof serialized.driverError === 'object' && serialized.driverError !== null) {
    const driverError: Record<string, unknown> = { ...serialized.driverError };
    delete driverError.parameters;
    serialized.driverError = driverError;
  }
  return serialized;
}

/** Where the logs go; stdout unless `createApp` is given another destination. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Module({})
class LogDestinationModule {}

/** Makes the log destination (or none: stdout) known to LoggingModule. */
export function logDestinationModule(destination?: DestinationStream): DynamicModule {
  return {
    module: LogDestinationModule,
    global: true,
    providers: [{ provide: LOG_DESTINATION, useValue: destination }],
    exports: [LOG_DESTINATION],
  };
}

/** Structured JSON logs with the request id on every line. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG, { token: LOG_DESTINATION, optional: true }],
      useFactory: (config: AppConfig, destination?: DestinationStream) => {
        const options: PinoHttpOptions = {
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
            err: serializeError,
          },
        };
        return {
          // On Fastify the request logger is middleware, and only this pattern matches every route.
          forRoutes: ['{*splat}'],
          pinoHttp: destination ? [options, destination] : options,
        };
      },
    }),
  ],
})
export class LoggingModule {}
