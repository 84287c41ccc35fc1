import { rmSync } from 'node:fs';
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
