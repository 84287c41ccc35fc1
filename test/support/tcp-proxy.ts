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
 * - `holdAnswerTo(marker)`: on the next connection whose client sends `marker` (e.g. a statement's
 *   parameter: a prepared statement's text is sent once per connection), what the target answers is kept in the proxy until `release()` — the
 *   statement has run, its answer is late (a lookup overtaken by something else).
 * - `countSent(marker)`: from now on, how many client writes carry `marker` (statements run with
 *   that parameter).
 */
export type TcpProxy = {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's */
  via(url: string): string;
  blackhole(): void;
  restore(): void;
  cutAll(): void;
  holdAnswerTo(marker: string): HeldAnswer;
  countSent(marker: string): () => number;
  /** connections open through the proxy now */
  openConnections(): number;
  close(): Promise<void>;
};

export type HeldAnswer = {
  /**
   * Resolves once the target has answered the statement in full (PostgreSQL: the answer ends with
   * ReadyForQuery), the answer held.
   */
  answered(): Promise<void>;
  /** Passes the held answer on, and what follows. */
  release(): void;
};

type Hold = {
  marker: string;
  pair: Pair | null;
  chunks: Buffer[];
  released: boolean;
  onAnswer: (() => void) | null;
};
type Pair = { client: Socket; upstream: Socket | null };

/** PostgreSQL's ReadyForQuery message ('Z', length 5, status byte) ends a statement's answer. */
const endsWithReadyForQuery = (data: Buffer) =>
  data.length >= 6 && data.subarray(data.length - 6, data.length - 1).equals(READY_FOR_QUERY);
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  if (target.host !== '127.0.0.1' && target.host !== 'localhost')
    throw new Error('the fault proxy only targets 127.0.0.1');
  const pairs = new Set<Pair>();
  let silent = false;
  const holds: Hold[] = [];
  /** marker → client writes that carried it since `countSent` */
  const counted = new Map<string, number>();

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const link = (pair: Pair) => {
    const upstream = connect({ host: '127.0.0.1', port: target.port });
    pair.upstream = upstream;
    // Manual forwarding instead of pipe(): pause() must hold bytes, and pipe() resumes on drain.
    pair.client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      for (const [marker, n] of counted) if (text.includes(marker)) counted.set(marker, n + 1);
      for (const hold of holds)
        if (!hold.pair && !hold.released && text.includes(hold.marker)) hold.pair = pair;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const hold = holds.find((h) => h.pair === pair && !h.released);
      if (!hold) return void pair.client.write(chunk);
      hold.chunks.push(chunk);
      if (endsWithReadyForQuery(Buffer.concat(hold.chunks))) hold.onAnswer?.();
    });
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
    holdAnswerTo(marker) {
      const hold: Hold = { marker, pair: null, chunks: [], released: false, onAnswer: null };
      holds.push(hold);
      const answered = new Promise<void>((resolve) => {
        hold.onAnswer = resolve;
      });
      return {
        answered: () => answered,
        release() {
          hold.released = true;
          holds.splice(holds.indexOf(hold), 1);
          if (hold.pair) for (const chunk of hold.chunks) hold.pair.client.write(chunk);
          hold.chunks = [];
        },
      };
    },
    countSent(marker) {
      const from = counted.get(marker) ?? 0;
      counted.set(marker, from);
      return () => (counted.get(marker) ?? 0) - from;
    },
    openConnections: () => pairs.size,
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
