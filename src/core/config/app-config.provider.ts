import { DynamicModule, Inject } from '@nestjs/common';
import { ConfigModule, getConfigToken, registerAs } from '@nestjs/config';
import type { AppConfig } from './app-config';

/** The DI token of the validated AppConfig. */
export const APP_CONFIG = getConfigToken('app');

/** Injects the typed configuration: `constructor(@InjectAppConfig() config: AppConfig)`. */
export const InjectAppConfig = () => Inject(APP_CONFIG);

/**
 * `@nestjs/config` holding an AppConfig validated before the app is built (see app.factory.ts),
 * so the HTTP adapter, the modules and the tests all share one validated object.
 */
export function appConfigModule(config: AppConfig): Promise<DynamicModule> {
  return ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [registerAs('app', () => config)] });
}
