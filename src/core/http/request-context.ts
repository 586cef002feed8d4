import { AsyncLocalStorage } from 'node:async_hooks';

/** What every layer may want to know about the request it serves (for the audit trail). */
export interface RequestContext {
  requestId: string;
  clientIp: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  /** Runs the rest of the request inside its context; called from a Fastify onRequest hook. */
  run: (context: RequestContext, next: () => void) => storage.run(context, next),
  current: (): RequestContext | undefined => storage.getStore(),
};
