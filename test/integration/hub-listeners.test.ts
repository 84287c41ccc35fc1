import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeHasReusePort } from '../../server/http/listeners';
import { createStoreFixture } from '../support/fixtures';
import { startHub, type HubProcess } from '../support/hub-process';
import { nodeWithReusePort } from '../support/node-with-reuse-port';
import { connectTerminal, type TerminalClient } from '../support/terminal-socket';

const LISTENERS = 4;

/** Each listening socket on the port, with its backlog (`ss`: a listener's Send-Q). */
function listenersOn(port: number): number[] {
  const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.trim().split(/\s+/)[2]));
}

/** One GET on a connection of its own (no keep-alive): each is a new accept on the hub's port. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

/**
 * HUB_LISTENERS: a node binds n listening sockets on its port with SO_REUSEPORT and accepts on all
 * of them, so a survivor taking over a dead node's terminals drains the reconnect storm n times
 * faster (libuv accepts one connection per listening socket and loop turn; docs/scaling.md, "A
 * reconnect storm"). The hub runs on a Node that has `reusePort` (≥ 22.12; CI's Node 20 gets one
 * from the npm registry, test/support/node-with-reuse-port.ts).
 */
describe('HUB_LISTENERS: several listening sockets on one port', () => {
  let node: string;
  const hubs: HubProcess[] = [];
  const sockets: TerminalClient[] = [];
  beforeAll(() => {
    node = nodeWithReusePort();
  }, 240_000);
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    for (const hub of hubs) await hub.kill();
  });

  it('binds n sockets with the backlog, serves HTTP and terminals through all of them, and stops cleanly', async () => {
    const hub = await startHub({
      node,
      env: { HUB_LISTENERS: String(LISTENERS), HUB_LISTEN_BACKLOG: '1234' },
    });
    hubs.push(hub);
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    expect(listenersOn(hub.port)).toEqual(Array(LISTENERS).fill(Math.min(1_234, somaxconn)));

    // The kernel spreads new connections over the sockets by their addresses: 120 connections
    // of their own, all answered, reach every one of them many times over.
    const statuses = await Promise.all(
      Array.from({ length: 120 }, () => getOnNewConnection(`${hub.url}/healthz`)),
    );
    expect(statuses).toEqual(Array(120).fill(200));

    // Terminals connect over websocket (the HTTP server's upgrade, whichever socket accepted).
    const store = await createStoreFixture(hub);
    for (let i = 0; i < 12; i++)
      sockets.push(await connectTerminal(hub, store.terminals[i % store.terminals.length]!.token));
    expect(sockets.every((socket) => socket.connected)).toBe(true);

    // SIGTERM: every listening socket closed, the terminals' sockets ended, exit 0.
    const disconnected = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('disconnect', () => resolve())),
    );
    expect(await hub.stop()).toBe(0);
    await Promise.all(disconnected);
    expect(listenersOn(hub.port)).toEqual([]);
  });

  it('lets requests in flight on every listening socket finish at shutdown, not only those on the first', async () => {
    const hub = await startHub({ node, env: { HUB_LISTENERS: '8' } });
    hubs.push(hub);
    // Connections of their own, spread by the kernel over the 8 sockets, each with a request whose
    // headers are not all sent yet: in flight, so the hub's close() must wait for each of them.
    const clients = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const client = connect(hub.port, '127.0.0.1');
        let answer = '';
        client.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
        client.on('error', () => undefined);
        const ended = new Promise<string>((resolve) =>
          client.on('close', () => resolve(answer.split('\r\n')[0] ?? '')),
        );
        await new Promise((resolve) => client.once('connect', resolve));
        client.write('GET /healthz HTTP/1.1\r\nHost: hub\r\n');
        return { client, ended };
      }),
    );
    const exited = hub.stop();
    // Once the hub stopped accepting (its HTTP server closing), the requests complete one after
    // the other, each once the one before was answered. Every one is answered, whichever socket
    // accepted it: a hub that waited only for its first socket's connections exited after the
    // last of those, and the requests completed after that went unanswered.
    while (listenersOn(hub.port).length > 0) await new Promise((r) => setTimeout(r, 20));
    const answers: string[] = [];
    for (const { client, ended } of clients) {
      client.write('\r\n');
      answers.push(await ended);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(answers).toEqual(Array(clients.length).fill('HTTP/1.1 503 Service Unavailable'));
    expect(await exited).toBe(0);
  });

  it('refuses a port another hub already shares this way, instead of binding beside it', async () => {
    const first = await startHub({ node, env: { HUB_LISTENERS: String(LISTENERS) } });
    hubs.push(first);
    // Without the check, SO_REUSEPORT would let this one bind too and take half the connections.
    const failed = await startHub({
      node,
      port: first.port,
      env: { HUB_LISTENERS: String(LISTENERS) },
    }).then(
      (hub) => hub.kill().then(() => 'it started'),
      (error: unknown) => String(error),
    );
    expect(failed).toMatch(/exited with 1 before listening/);
    expect(failed).toContain(
      `hub: cannot listen on 127.0.0.1:${first.port}: the address is already in use`,
    );
    expect(listenersOn(first.port)).toHaveLength(LISTENERS);
    expect(await getOnNewConnection(`${first.url}/healthz`)).toBe(200);
  });

  it('names a setting out of range in one line at start, not a stack trace', async () => {
    const failed = await startHub({ env: { HUB_LISTENERS: '99' } }).then(
      (hub) => hub.kill().then(() => 'it started'),
      (error: unknown) => String(error),
    );
    expect(failed).toMatch(/exited with 1 before listening/);
    expect(failed).toContain('hub: Invalid hub configuration: HUB_LISTENERS:');
    expect(failed).not.toMatch(/at .*\.ts:\d+/);
  });

  it('by default binds 8 on a Node with reusePort and 1 on one without; refuses 8 asked of one without', async () => {
    const byDefault = await startHub({ node, env: { HUB_LISTENERS: undefined } });
    hubs.push(byDefault);
    expect(listenersOn(byDefault.port)).toHaveLength(8);
    expect(byDefault.logs.find((l) => l.msg === 'hub listening')).toMatchObject({ listeners: 8 });

    // This Node (CI's is 20): its default, and an explicit 8.
    const here = nodeHasReusePort(process.versions.node);
    const onThisNode = await startHub({
      node: process.execPath,
      env: { HUB_LISTENERS: undefined },
    });
    hubs.push(onThisNode);
    expect(listenersOn(onThisNode.port)).toHaveLength(here ? 8 : 1);
    const asked = await startHub({ node: process.execPath, env: { HUB_LISTENERS: '8' } }).then(
      (hub) => {
        hubs.push(hub);
        return `listening on ${listenersOn(hub.port).length}`;
      },
      (error: unknown) => String(error),
    );
    if (here) expect(asked).toBe('listening on 8');
    else {
      expect(asked).toMatch(/exited with 1 before listening/);
      expect(asked).toContain(
        `hub: HUB_LISTENERS=8: several listening sockets need SO_REUSEPORT, which needs Node 22.12 (or 23.1) or later; this is Node ${process.versions.node}. Upgrade Node or set HUB_LISTENERS=1.`,
      );
    }
  });
});
