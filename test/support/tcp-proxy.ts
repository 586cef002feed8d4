import net from 'node:net';

/**
 * A TCP proxy to a local port that can simulate a network partition: while partitioned, it
 * accepts connections but forwards nothing, either way, so both sides see silence, neither a
 * refusal nor a reset (unlike a stopped server). Healing closes the connections that lived
 * through the partition (their streams lost bytes) and forwards new ones again.
 */
export interface TcpProxy {
  port: number;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let partitioned = false;
  const sockets = new Set<net.Socket>();
  const stale = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stale.delete(socket);
    });
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (partitioned) {
      // Accepted, never answered.
      stale.add(client);
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    track(upstream);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (!partitioned) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    partition: () => {
      partitioned = true;
      for (const socket of sockets) stale.add(socket);
    },
    heal: () => {
      partitioned = false;
      for (const socket of stale) socket.destroy();
      stale.clear();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
