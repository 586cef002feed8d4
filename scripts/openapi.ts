/**
 * Writes the OpenAPI document to openapi.json, or with `--check` fails when the committed file
 * differs from what the code produces. Run it compiled (`npm run openapi`: `nest build`, then
 * `node dist/scripts/openapi.js`), so the document has what the Swagger CLI plugin adds at
 * build time (summaries and descriptions from JSDoc, property types, class-validator bounds).
 *
 * Nothing is started: the application is built in preview mode, where Nest resolves modules and
 * routes but instantiates no provider, so no database, embedded server or Redis is touched.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppModule } from '../src/app.module';
import { loadAppConfig } from '../src/core/config/app-config';
import { API_PREFIX, API_PREFIX_OPTIONS, buildOpenApiDocument, serializeOpenApiDocument } from '../src/core/openapi/openapi';

/** Unused values that pass validation: no provider runs in preview mode, so none is ever read. */
const PREVIEW_ENV = {
  NODE_ENV: 'test',
  // A closed port: were anything to connect, it would fail instead of reaching a real server.
  DATABASE_URL: 'postgres://openapi@127.0.0.1:9/unused',
  JWT_ACCESS_SECRET: 'openapi-preview-access-secret-not-used-0000',
  JWT_REFRESH_SECRET: 'openapi-preview-refresh-secret-not-used-000',
  LOG_LEVEL: 'silent',
};

export async function generateOpenApiJson(): Promise<string> {
  const config = loadAppConfig(PREVIEW_ENV);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    app.setGlobalPrefix(API_PREFIX, API_PREFIX_OPTIONS);
    return serializeOpenApiDocument(buildOpenApiDocument(app, config));
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const outIndex = args.indexOf('--out');
  const file = resolve(outIndex >= 0 ? args[outIndex + 1] : 'openapi.json');
  const generated = await generateOpenApiJson();
  const operations = Object.values((JSON.parse(generated) as { paths: Record<string, object> }).paths).reduce(
    (count, item) => count + Object.keys(item).length,
    0,
  );
  if (!check) {
    writeFileSync(file, generated);
    console.info(`Wrote ${file} (${operations} operations).`);
    return;
  }
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // Missing counts as different.
  }
  if (committed === generated) {
    console.info(`${file} is up to date (${operations} operations).`);
    return;
  }
  const [a, b] = [committed.split('\n'), generated.split('\n')];
  const line = a.findIndex((text, index) => text !== b[index]);
  console.error(
    `${file} is out of date: the code produces a different document (first difference at line ${line + 1}:\n` +
      `  committed: ${a[line] ?? '<end of file>'}\n  generated: ${b[line] ?? '<end of file>'}).\n` +
      'Run `npm run openapi` and commit openapi.json (and `npm run openapi:client` for the client types).',
  );
  process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
