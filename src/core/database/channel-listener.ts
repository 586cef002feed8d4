import type { LoggerService } from '@nestjs/common';
import type { Client, ClientConfig, Pool } from 'pg';

export interface ChannelEvents {
  /** A notification's payload. */
  message(payload: string): void;
  /** Listening began (true) or ended (false); notifications sent while not listening are lost. */
  listening(listening: boolean): void;
}

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 30_000;

/**
 * LISTENs on one PostgreSQL channel over a connection of its own: the pool's connections are lent
 * to one request at a time, and a notification goes only to the session that listens. When the
 * connection breaks it connects again, waiting twice as long after each failure (up to 30 s).
 */
export class ChannelListener {
  private client?: Client;
  private retry?: NodeJS.Timeout;
  private retryMs = FIRST_RETRY_MS;
  private stopped = false;
  /** The attempt under way, which stop() waits for: its connection must be closed before the server stops. */
  private connecting?: Promise<void>;

  constructor(
    /** The pool whose connection settings (address, timeouts, client class) to use. */
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly events: ChannelEvents,
    private readonly logger: LoggerService,
  ) {}

  /** Connects and listens. Never rejects: a failure is logged and tried again later. */
  start(): Promise<void> {
    return this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    this.events.listening(false);
    await client.end().catch(() => undefined);
  }

  private attempt(): Promise<void> {
    return (this.connecting = this.connect().finally(() => (this.connecting = undefined)));
  }

  private async connect(): Promise<void> {
    // pg-pool builds its clients the same way: `new pool.Client(pool.options)`.
    const { Client: PoolClient, options } = this.pool as Pool & { Client: typeof Client; options: ClientConfig };
    const client = new PoolClient(options);
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', ({ channel, payload }) => {
      if (channel === this.channel) this.events.message(payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(`Cannot listen on "${this.channel}": ${(error as Error).message}; trying again in ${this.retryMs} ms`);
      this.retryLater();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    this.events.listening(true);
  }

  /** The listening connection broke (a failed attempt's events are its catch's concern). */
  private lost(client: Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    this.events.listening(false);
    this.logger.warn(`Stopped listening on "${this.channel}": ${error?.message ?? 'the connection closed'}; connecting again`);
    client.end().catch(() => undefined);
    this.retryLater();
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.attempt(), this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, LONGEST_RETRY_MS);
  }
}
