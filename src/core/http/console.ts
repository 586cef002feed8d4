import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../errors';
import { sendProblem } from './problem-details.filter';

/** Where the console (the `admin` workspace, a single-page app) is served. */
export const CONSOLE_PATH = '/admin';

/**
 * Its Content-Security-Policy: its scripts and styles are files of this origin and it talks only
 * to this API. MUI styles components through emotion, which inserts `<style>` elements at run time
 * and sets `style` attributes: without a per-response nonce (these are static files) that needs
 * 'unsafe-inline' for styles, never for scripts.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const isConsolePage = (url: string) =>
  url === CONSOLE_PATH || url.startsWith(`${CONSOLE_PATH}/`) || url.startsWith(`${CONSOLE_PATH}?`);

/** Hashed file names: a file's content never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The built console: `admin/dist` of the project, found from here both as source (src/core/http,
 * the tests) and compiled (dist/src/core/http).
 */
export function findConsoleBuild(): string | undefined {
  const candidates = [join(__dirname, '..', '..', '..', 'admin', 'dist'), join(__dirname, '..', '..', '..', '..', 'admin', 'dist')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

const notBuilt = () =>
  new NotFoundError('The console is not built: run `npm run build` (or `npm run build:admin`) and restart the service.');

/**
 * Serves the console's files under /admin/ and its index.html for any other path there (the
 * client-side routes). Public files, outside Nest: no guard runs, the API they call still wants a
 * token. Without a build, /admin answers a 404 problem saying how to make one.
 */
export async function setUpConsole(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('Console');
  const root = findConsoleBuild();
  if (!root) {
    logger.warn(`The console is not built (npm run build); ${CONSOLE_PATH} answers 404.`);
    const answer = (request: FastifyRequest, reply: FastifyReply) => sendProblem(notBuilt(), request, reply, logger);
    fastify.get(CONSOLE_PATH, answer);
    fastify.get(`${CONSOLE_PATH}/*`, answer);
    return;
  }
  // One route per file that exists at start (wildcard: false), so every other path is free for
  // index.html below; a rebuilt console is served after a restart, as a rebuilt server is.
  await app.register(fastifyStatic, {
    root,
    prefix: `${CONSOLE_PATH}/`,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      void res.header('Cache-Control', path.startsWith(join(root, 'assets')) ? IMMUTABLE : 'no-cache');
    },
  });
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    // /admin and /admin/ are one route (ignoreTrailingSlash); the app's links are relative to /admin/.
    if (path === CONSOLE_PATH) return reply.redirect(`${CONSOLE_PATH}/${request.url.slice(path.length)}`, 301);
    // A missing file (a name with an extension) is a 404, not the page in its place.
    if (/\/[^/]*\.[^/]*$/.test(path)) return sendProblem(new NotFoundError('No such file in the console.'), request, reply, logger);
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  };
  fastify.get(CONSOLE_PATH, sendIndex);
  fastify.get(`${CONSOLE_PATH}/*`, sendIndex);
}
