import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers helmet sets with `options`, worked out once. They are the same for every response,
 * and the Fastify plugin ran helmet's whole middleware chain again for each request (2% of a
 * read's CPU in the benchmark's profile).
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => {
      headers[name] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
  } as unknown as ServerResponse;
  let done = false;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => {
    if (error) throw new Error('helmet refused its options', { cause: error });
    done = true;
  });
  // helmet's middleware is synchronous; if that ever changes, fail loudly at start-up.
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}
