import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  id: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it answered with (null: it never answered). */
  status: number | null;
}

/** How the receiver answers a request: a status, or `hang` (never answers, until closed). */
export type Answer = number | 'hang' | { status: number; headers: Record<string, string> };

/**
 * A webhook receiver: a real HTTP server on 127.0.0.1 in the test process, keeping every request
 * it gets and answering as `answer` says (200 unless told otherwise). It tracks the deliveries in
 * flight, so a test can tell whether two ever overlapped.
 */
export interface WebhookReceiver {
  url: string;
  received: Received[];
  answer: (request: Received, count: number) => Answer | Promise<Answer>;
  /** The largest number of requests with the same `webhook-id` in flight at once, so far. */
  maxConcurrentSameId: () => number;
  /** Waits until `predicate` holds for the requests received (up to `timeoutMs`). */
  waitFor: (predicate: (received: Received[]) => boolean, timeoutMs?: number, what?: string) => Promise<Received[]>;
  /** Stops accepting connections (the receiver is down); `start` brings it back on the same port. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startReceiver(port = 0): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const inFlight = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  let maxSame = 0;
  let server: Server;
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer: () => 200,
    maxConcurrentSameId: () => maxSame,
    async waitFor(predicate, timeoutMs = 20_000, what = 'the expected requests') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) {
          throw new Error(
            `The receiver did not get ${what} within ${timeoutMs} ms; it got ${JSON.stringify(received.map((r) => [r.id, r.status]))}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: () => listen(),
    close: () => receiver.stop(),
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const id = String(req.headers['webhook-id'] ?? '');
          const request: Received = { id, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: null };
          received.push(request);
          const now = (inFlight.get(id) ?? 0) + 1;
          inFlight.set(id, now);
          maxSame = Math.max(maxSame, now);
          const done = () => inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
          res.on('close', done);
          void Promise.resolve(receiver.answer(request, received.length)).then((answer) => {
            if (answer === 'hang') {
              hanging.add(res);
              return;
            }
            const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
            request.status = status;
            res.writeHead(status, headers).end('ok');
          });
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        receiver.url = `http://127.0.0.1:${port}/hooks`;
        resolve();
      });
    });
  await listen();
  return receiver;
}
