import './core/thread-pool';
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createApp } from './app.factory';
import { ConfigError, loadAppConfig } from './core/config/app-config';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

bootstrap().catch((error: unknown) => {
  // A configuration problem is the operator's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
