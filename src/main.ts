import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { ConfigError, loadAppConfig } from './core/config/app-config';
import { DatabaseServer } from './core/database/database.module';
import { AppLogger } from './core/logging/app-logger';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig();
  const app = await createApp(config);
  if (config.workers === 'jobs') {
    // A job runner: the workers start with the application, and no HTTP port is opened.
    await app.init();
    app.get(AppLogger).log(`Running the job workers only (WORKERS=jobs); database ${app.get(DatabaseServer).description}`, 'Main');
    return;
  }
  await app.listen(config.port, config.host);
  // One line that says where everything is: the first thing a newcomer looks for.
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const base = `http://${host}:${port}`;
  const database = app.get(DatabaseServer).description;
  app.get(AppLogger).log(`Listening on ${base} (docs ${base}/swagger, ${base}/redoc); database ${database}`, 'Main');
}

bootstrap().catch((error: unknown) => {
  // A configuration problem is the operator's to fix: say what, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
