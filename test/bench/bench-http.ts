/**
 * Plain-HTTP helpers the benches share between the load generator and the socket child: a bounded
 * keep-alive JSON client and a stand-in for a load balancer in front of several hub nodes. Node
 * built-ins only, so the socket child (`socket-swarm.ts`) loads it cheaply.
 */
import { Agent, request as httpRequest } from 'node:http';

export type HttpAnswer = { status: number; body: string };

/**
 * A JSON client over a bounded pool of keep-alive connections, as a head-office integration (or a
 * load balancer's upstream pool) would use; an unbounded client opens a new connection per request
 * under backlog and measures that instead of the hub.
 */
export function keepAliveClient(maxSockets: number, timeoutMs = 60_000) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer> => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method,
          agent,
          headers: {
            ...(data === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.once('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.once('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.once('error', reject);
      req.end(data);
    });
  };
  return {
    post: (url: string, body: unknown, headers: Record<string, string> = {}) =>
      send('POST', url, headers, body),
    get: (url: string, headers: Record<string, string> = {}) => send('GET', url, headers),
    close: () => agent.destroy(),
  };
}

/**
 * What a load balancer in front of the hub nodes does, reduced to routing: a client is sticky to
 * its node while that node is healthy, and goes to a healthy one otherwise. Health is active (GET
 * `/healthz` every `everyMs`, 1 s timeout) and passive (a refused connection marks the node down
 * at once, like nginx's `max_fails=1`); a node comes back only when an active check passes.
 * A node that only answered its check late (overloaded, not gone) is down too, but when every node
 * is down one of those gets the traffic rather than a node that refused connections: a lone
 * survivor busy taking a dead peer's terminals is still the place to send them.
 */
export function createBalancer(urls: readonly string[], everyMs = 1_000) {
  /** node → why it is down: it refused connections, or its check timed out (`slow`) */
  const down = new Map<number, 'refused' | 'slow'>();
  const client = keepAliveClient(urls.length, 1_000);
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void Promise.all(
      urls.map((url, i) =>
        client.get(`${url}/healthz`).then(
          (a) => (a.status === 200 ? down.delete(i) : down.set(i, 'refused')),
          (error: unknown) => down.set(i, isConnectionFailure(error) ? 'refused' : 'slow'),
        ),
      ),
    ).finally(() => {
      checking = false;
    });
  }, everyMs);
  timer.unref();
  const firstOther = (preferred: number, ok: (i: number) => boolean) => {
    for (let i = 1; i < urls.length; i++) {
      const other = (preferred + i) % urls.length;
      if (ok(other)) return other;
    }
    return null;
  };
  return {
    urls,
    /** The node a client sticky to `preferred` is sent to now. */
    route(preferred: number): number {
      if (!down.has(preferred)) return preferred;
      const up = firstOther(preferred, (i) => !down.has(i));
      if (up !== null) return up;
      if (down.get(preferred) === 'slow') return preferred;
      return firstOther(preferred, (i) => down.get(i) === 'slow') ?? preferred;
    },
    /** A connection to node `i` was refused or reset. */
    markDown(i: number): void {
      down.set(i, 'refused');
    },
    isDown: (i: number) => down.has(i),
    stop(): void {
      clearInterval(timer);
      client.close();
    },
  };
}
export type Balancer = ReturnType<typeof createBalancer>;

/** Network-level failures (the node is gone), as opposed to an HTTP answer. */
export function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT'].includes(code)
  );
}
