import { INestApplication, Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const REDOC_PATH = '/redoc';
export const REDOC_BUNDLE_FILE = 'redoc.standalone.js';

/**
 * Where ReDoc's standalone bundle is: copied next to this module by `npm run build` (so a
 * production image without dev dependencies has it), else in node_modules (development, tests).
 */
export function findRedocBundle(): string | undefined {
  const copied = join(__dirname, REDOC_BUNDLE_FILE);
  if (existsSync(copied)) return copied;
  try {
    return createRequire(join(process.cwd(), 'package.json')).resolve(`redoc/bundles/${REDOC_BUNDLE_FILE}`);
  } catch {
    return undefined;
  }
}

/**
 * The one resource ReDoc's bundle fetches from elsewhere: the logo of its "API docs by Redocly"
 * footer, which no option hides (2.5) and the docs pages' Content-Security-Policy blocks (an error
 * in the browser's console). It becomes an empty image, the footer's text stays.
 */
export const REDOC_REMOTE_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E";

/** No inline script or style, so a strict Content-Security-Policy (`script-src 'self'`) lets it run. */
const page = (specUrl: string) => `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Healthcare backend API - ReDoc</title>
  </head>
  <body>
    <redoc spec-url="${specUrl}"></redoc>
    <script src="${REDOC_PATH}/${REDOC_BUNDLE_FILE}"></script>
  </body>
</html>
`;

/** ReDoc at /redoc, served from this service: the page and the bundle, nothing from a CDN. */
export function setUpRedoc(app: INestApplication, specUrl: string): void {
  const bundlePath = findRedocBundle();
  if (!bundlePath) {
    new Logger('OpenAPI').warn(`ReDoc's bundle is missing (install the redoc package); ${REDOC_PATH} is not served.`);
    return;
  }
  let bundle: Buffer | undefined;
  const http = app.getHttpAdapter();
  http.get(REDOC_PATH, (_request: unknown, reply: unknown) => {
    http.setHeader(reply, 'Content-Type', 'text/html; charset=utf-8');
    http.reply(reply, page(specUrl), 200);
  });
  http.get(`${REDOC_PATH}/${REDOC_BUNDLE_FILE}`, (_request: unknown, reply: unknown) => {
    bundle ??= Buffer.from(readFileSync(bundlePath, 'utf8').replaceAll(REDOC_REMOTE_LOGO, EMPTY_IMAGE));
    http.setHeader(reply, 'Content-Type', 'application/javascript; charset=utf-8');
    http.setHeader(reply, 'Cache-Control', 'public, max-age=86400');
    http.reply(reply, bundle, 200);
  });
}
