import { Client, type ClientConfig, type Pool } from 'pg';
import { describe, expect, it, inject } from 'vitest';
import { ChannelListener } from '../src/core/database/channel-listener';
import { databaseUrl } from './support/database';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The listener's connections, on the real server. Its stop() must leave none open: right after it
 * the embedded server is stopped, which would cut a connection still open with a FATAL line.
 */
describe('ChannelListener (e2e)', () => {
  const clients: Client[] = [];
  const ended = new Set<Client>();
  /** Only what the listener reads of a pool: its client class and options. */
  const pool = {
    Client: class extends Client {
      constructor(config: ClientConfig) {
        super(config);
        clients.push(this);
        this.on('end', () => ended.add(this));
      }
    },
    options: { connectionString: databaseUrl(inject('serverUrl'), 'postgres') },
  } as unknown as Pool;

  it('closes a connection still being opened when it is stopped', async () => {
    const listener = new ChannelListener(pool, 'listener_test', { message: () => undefined, listening: () => undefined }, quiet);
    void listener.start();
    await listener.stop();
    expect(clients).toHaveLength(1);
    expect(ended.has(clients[0])).toBe(true);
  });
});
