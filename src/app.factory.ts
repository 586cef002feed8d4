import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { requestContext } from './core/http/request-context';
import { setUpOpenApi } from './core/openapi/openapi';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The whole HTTP application, configured but not listening: main.ts and the tests share it. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // The Django clients we replace call `/api/auth/login/`; both spellings reach one route.
    routerOptions: { ignoreTrailingSlash: true },
    // Keep a caller's own correlation id when it is a safe token; otherwise make one.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.trustProxy,
  });
  // JSON only: Nest's body parsers would add form-urlencoded, and Fastify parses text/plain by
  // default; either way a non-JSON body reached validation as a string. Fastify's own JSON
  // parser (the one Nest would register) stays, and anything else is 415.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  app.enableCors({
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    exposedHeaders: ['X-Total-Count', 'Link', 'Retry-After', 'X-Request-Id', 'ETag'],
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  // Lets the audit trail know which request (and client) it is recording for.
  fastify.addHook('onRequest', (request, _reply, done) =>
    requestContext.run({ requestId: String(request.id), clientIp: request.ip }, done),
  );
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });

  setUpOpenApi(app);
  for (const warning of config.warnings) app.get(Logger).warn(warning);
  return app;
}
