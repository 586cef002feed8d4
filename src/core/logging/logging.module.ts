import { DynamicModule, Global, Module } from '@nestjs/common';
import pino, { type DestinationStream } from 'pino';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.provider';
import { AppLogger } from './app-logger';

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

/** Structured JSON logs: the framework's and the services' lines, and one line per response. */
@Global()
@Module({
  providers: [
    {
      provide: AppLogger,
      inject: [APP_CONFIG, { token: LOG_DESTINATION, optional: true }],
      useFactory: (config: AppConfig, destination?: DestinationStream) =>
        new AppLogger(config.logLevel, destination ?? pino.destination(1)),
    },
  ],
  exports: [AppLogger],
})
export class LoggingModule {}
