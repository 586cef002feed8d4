import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { bareHost, isPublicAddress, NonPublicAddressError, publicOnlyLookup } from './public-address';

/** What one attempt came to: the receiver's status code, if it answered, and why it failed, if it did. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** A few words for the delivery log: never a header or a body we sent. */
  error: string | null;
}

export interface Outgoing {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Whether loopback, private and link-local addresses may be reached (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/**
 * POSTs one delivery. A 2xx within the timeout is a success; anything else is a failure: another
 * status (a 3xx too: redirects are not followed, they could lead anywhere), a network error, no
 * answer in time. The timeout covers the whole attempt, name lookup included. Without
 * `allowPrivate`, the connection is made only to public addresses, checked on the resolved ones.
 */
export async function sendDelivery({ url, headers, body, timeoutMs, allowPrivate }: Outgoing): Promise<AttemptResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, statusCode: null, error: 'invalid URL' };
  }
  const host = bareHost(target);
  // An IP literal is connected to without a lookup: checked here.
  if (!allowPrivate && isIP(host) !== 0 && !isPublicAddress(host)) {
    return { ok: false, statusCode: null, error: new NonPublicAddressError(host).message };
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'healthcare-backend-webhooks',
        },
        agent: false,
        ...(allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (res: IncomingMessage) => {
        const statusCode = res.statusCode ?? 0;
        // The answer's body means nothing to us: read and dropped, so the socket is let go.
        res.resume();
        const ok = statusCode >= 200 && statusCode < 300;
        settle({
          ok,
          statusCode,
          error: ok ? null : statusCode >= 300 && statusCode < 400 ? 'redirect not followed' : `HTTP ${statusCode}`,
        });
        req.destroy();
      },
    );
    const timer = setTimeout(() => {
      settle({ ok: false, statusCode: null, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => settle({ ok: false, statusCode: null, error: describe(error) }));
    req.end(body);
  });
}

/** A network error in a few words: its code and message, cut short. */
function describe(error: NodeJS.ErrnoException): string {
  const text = error instanceof NonPublicAddressError ? error.message : `${error.code ?? 'error'}: ${error.message}`;
  return text.slice(0, 300);
}
