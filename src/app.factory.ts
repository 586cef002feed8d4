import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { AppConfig } from './core/config/app-config';
import { answerClientError } from './core/http/client-error';
import { CONSOLE_CSP, isConsolePage, setUpConsole } from './core/http/console';
import { tagWithVersion } from './core/http/etag';
import { acceptFormBodies } from './core/http/form-body';
import { refuseDeepJsonBodies } from './core/http/json-body';
import { serializeResponsesAsDocumented } from './core/http/response-serializers';
import { locateCreated } from './core/http/location';
import { sendProblem } from './core/http/problem-details.filter';
import { securityHeaders } from './core/http/security-headers';
import { AppLogger } from './core/logging/app-logger';
import { sendPageAsArray } from './core/pagination/pagination';
import { setUpOpenApi } from './core/openapi/openapi';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Content-Security-Policy of everything the API serves: JSON, which a browser should never run
 * or render as a page.
 */
const API_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Of the documentation pages (Swagger UI at /swagger, ReDoc at /redoc), all served from here:
 * their scripts are files of this origin, but both apply inline styles, show data: images, and
 * ReDoc starts a blob: worker and compiles schema validators at run time (ajv: 'unsafe-eval').
 */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const isDocsPage = (url: string) => url.startsWith('/swagger') || url.startsWith('/redoc');

const frameworkLogger = new NestLogger('Errors');

/**
 * The headers of an API response, for the few Fastify sends before its hooks run (so without
 * helmet's): the request id and the essential security headers.
 */
function applyApiHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.headers({
    'X-Request-Id': String(request.id),
    'Content-Security-Policy': API_CSP,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  });
}

export interface CreateAppOptions {
  /** Where the logs go; stdout when absent. */
  logDestination?: DestinationStream;
}

/** The whole HTTP application, configured but not listening: main.ts and the tests share it. */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
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
    // Errors Fastify's router raises before any hook or Nest sees the request (a path segment
    // over 100 characters, a malformed percent-encoding): problem+json like every other error.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      applyApiHeaders(request, reply);
      sendProblem(error, request, reply, frameworkLogger);
    },
    // What the HTTP parser refuses before there is a request (a URL over 16 KB): problem+json too.
    clientErrorHandler: answerClientError,
  });
  // JSON and forms only, through our own parsers: a form body is marked for the validation pipe
  // to coerce (form-body.ts), which Nest's form parser would not do, and Fastify parses text/plain
  // by default, which reached validation as a string. Anything else is 415.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(AppLogger);
  app.useLogger(logger);
  // Exit (0) after a graceful shutdown rather than re-raise the signal: the log is written
  // asynchronously, and only an exit lets pino flush its last lines ("Embedded PostgreSQL stopped").
  app.enableShutdownHooks([], { useProcessExit: true });
  app.setGlobalPrefix('api', { exclude: ['health/live', 'health/ready'] });
  // No origin allowed (the default): no CORS at all, rather than a hook on every request that only
  // ever answers "no".
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      exposedHeaders: ['X-Total-Count', 'Link', 'Retry-After', 'X-Request-Id', 'ETag'],
    });
  }

  // Helmet's security headers on every response, errors included. Its Content-Security-Policy is
  // replaced by one per kind of response: the API's locks everything down, which would leave the
  // documentation pages and the console blank.
  const headers = securityHeaders({ contentSecurityPolicy: false, xFrameOptions: { action: 'deny' } });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    const csp = isDocsPage(request.url) ? DOCS_CSP : isConsolePage(request.url) ? CONSOLE_CSP : API_CSP;
    void reply.headers(headers).header('Content-Security-Policy', csp);
    done();
  });
  // What the route returned, as it is sent: a Page as a JSON array with its paging headers, a
  // record of a `@WithETag()` route with its ETag, a created one with its `Location`.
  fastify.addHook('preSerialization', (request, reply, payload: unknown, done) => {
    done(null, locateCreated(request, reply, tagWithVersion(request, reply, sendPageAsArray(request, reply, payload))));
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    logger.logResponse(request, reply);
    done();
  });
  fastify.removeContentTypeParser('text/plain');
  refuseDeepJsonBodies(fastify);
  acceptFormBodies(fastify);

  serializeResponsesAsDocumented(app, setUpOpenApi(app, config));
  await setUpConsole(app);
  for (const warning of config.warnings) logger.warn(warning);
  return app;
}
