import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 for fault injection in front of a real service (PostgreSQL here).
 *
 * - `forward` (default): bytes flow both ways.
 * - `blackhole()`: the link goes silent — open connections stop carrying bytes in either
 *   direction (held, not closed, like a dead route) and new connections are accepted but never
 *   reach the target. Nothing is answered, so only the client's own timeouts can end a wait.
 * - `restore()`: held connections carry on, held new ones are connected to the target.
 * - `cutAll()`: every open connection is destroyed at once (a proxy or firewall dropping them).
 */
export type TcpProxy = {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's */
  via(url: string): string;
  blackhole(): void;
  restore(): void;
  cutAll(): void;
  /** connections open through the proxy now */
  openConnections(): number;
  close(): Promise<void>;
};

type Pair = { client: Socket; upstream: Socket | null };

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  if (target.host !== '127.0.0.1' && target.host !== 'localhost')
    throw new Error('the fault proxy only targets 127.0.0.1');
  const pairs = new Set<Pair>();
  let silent = false;

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const link = (pair: Pair) => {
    const upstream = connect({ host: '127.0.0.1', port: target.port });
    pair.upstream = upstream;
    // Manual forwarding instead of pipe(): pause() must hold bytes, and pipe() resumes on drain.
    pair.client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => pair.client.write(chunk));
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    if (!silent) pair.client.resume();
    else upstream.pause();
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    const pair: Pair = { client, upstream: null };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (!silent) link(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');

  return {
    port: address.port,
    via(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(address.port);
      return parsed.toString();
    },
    blackhole() {
      silent = true;
      for (const pair of pairs) {
        pair.client.pause();
        pair.upstream?.pause();
      }
    },
    restore() {
      silent = false;
      for (const pair of pairs) {
        if (!pair.upstream) link(pair);
        pair.client.resume();
        pair.upstream?.resume();
      }
    },
    cutAll() {
      for (const pair of [...pairs]) drop(pair);
    },
    openConnections: () => pairs.size,
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
