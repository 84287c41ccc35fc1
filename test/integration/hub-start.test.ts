import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../support/hub-process';
import { freshPgliteDataDir } from '../support/pglite-template';

/**
 * A hub whose port is taken (another hub, another program) must say so and exit non-zero, so IT
 * staff and a supervisor see why; it used to die with "non-error value thrown; not logged".
 */
describe('hub start on a taken port', () => {
  const hubs: HubProcess[] = [];
  let blocker: Server | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    for (const hub of hubs) await hub.kill();
    blocker?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 1 naming the address, and leaves its data dir free for the next start', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    dataDir = await freshPgliteDataDir();

    const failed = await startHub({ dataDir, port }).then(
      (hub) => hub.kill().then(() => 'it started'),
      (error: unknown) => String(error),
    );
    expect(failed).toMatch(/exited with 1 before listening/);
    expect(failed).toContain(
      `hub: cannot listen on 127.0.0.1:${port}: the address is already in use`,
    );
    expect(failed).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace

    // The data dir's lock went with it: a hub on another port starts on the same data dir.
    const hub = await startHub({ dataDir });
    hubs.push(hub);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });
});

/**
 * The listen backlog: connections the kernel queues before the hub accepts them. libuv accepts one
 * connection per event-loop turn, so while a busy node takes over a dead one's terminals they wait
 * in this queue; Node's default, 511, overflowed (dropped SYNs, retried after 1, 3, 7, 15 s —
 * docs/scaling.md, "A reconnect storm"). Read back from the kernel (`ss`: a listener's Send-Q is its backlog).
 */
describe('hub listen backlog', () => {
  const hubs: HubProcess[] = [];
  afterAll(async () => {
    for (const hub of hubs) await hub.kill();
  });
  const backlogOf = (port: number): number => {
    const out = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' });
    const fields = out.trim().split(/\s+/);
    return Number(fields[2]);
  };

  it('listens with HUB_LISTEN_BACKLOG, by default 4,096 (as far as net.core.somaxconn allows)', async () => {
    const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    const byDefault = await startHub();
    hubs.push(byDefault);
    expect(backlogOf(Number(new URL(byDefault.url).port))).toBe(Math.min(4_096, somaxconn));

    const set = await startHub({ env: { HUB_LISTEN_BACKLOG: '1234' } });
    hubs.push(set);
    expect(backlogOf(Number(new URL(set.url).port))).toBe(Math.min(1_234, somaxconn));
  });
});
