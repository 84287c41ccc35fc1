import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { describeOnBackends } from '../support/backends';
import { createStoreFixture } from '../support/fixtures';
import { connectTerminal, type TerminalClient } from '../support/terminal-socket';

/**
 * A terminal revoked behind the hub's back (an admin tool writing to the database directly) is
 * still cut off: every node re-checks the terminals it holds sockets for.
 */
describeOnBackends('revocation written straight to the database', (backend) => {
  const sockets: TerminalClient[] = [];
  afterAll(async () => {
    for (const s of sockets) s.close();
    await backend.cleanup();
  });

  it('reaches the connected terminal as terminal:revoked, then disconnects it', async () => {
    const hub = await backend.startHub({ env: { HUB_REVOCATION_CHECK_MS: '200' } });
    const store = await createStoreFixture(hub);
    const [mine, other] = store.terminals;
    const socket = await connectTerminal(hub, mine!.token);
    const bystander = await connectTerminal(hub, other!.token);
    sockets.push(socket, bystander);
    const revoked = new Promise<{ reason: string }>((resolve) =>
      socket.once('terminal:revoked', resolve),
    );
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    if (backend.kind === 'postgres') {
      const client = new pg.Client({ connectionString: hub.options.databaseUrl });
      await client.connect();
      await client.query('update terminals set revoked_at = now() where id = $1', [mine!.id]);
      await client.end();
      expect((await revoked).reason).toMatch(/revoked/);
      expect(await disconnected).toBe('io server disconnect');
    } else {
      // PGlite's data dir belongs to the hub alone; here the check must simply run cleanly.
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(socket.connected).toBe(true);
    }
    expect(bystander.connected).toBe(true);
    expect(hub.logs.filter((l) => l.msg === 'revocation check failed')).toEqual([]);
  });
});
