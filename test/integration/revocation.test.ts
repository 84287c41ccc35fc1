import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { describeOnBackends } from '../support/backends';
import { hashSecret, newSecret } from '../../server/auth/secrets';
import { createStoreFixture } from '../support/fixtures';
import { connectTerminal, eventsOf, type TerminalClient } from '../support/terminal-socket';

/**
 * A terminal revoked behind the hub's back (an admin tool writing to the database directly, without
 * the announcement server/admin/service.ts makes) is still cut off: every node re-checks the
 * terminals it holds sockets for. So is a socket on a token re-issued that way.
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

  // Written straight to the database: PostgreSQL only (PGlite's data dir belongs to the hub alone,
  // and the test above already runs the check there).
  if (backend.kind === 'postgres')
    it('drops a socket on a token re-issued since, untold, and keeps the one on the new token', async () => {
      const hub = await backend.startHub({ env: { HUB_REVOCATION_CHECK_MS: '200' } });
      const store = await createStoreFixture(hub);
      const [terminal] = store.terminals;
      const old = await connectTerminal(hub, terminal!.token);
      sockets.push(old);
      const disconnected = new Promise<string>((resolve) => old.once('disconnect', resolve));
      const client = new pg.Client({ connectionString: hub.options.databaseUrl });
      await client.connect();
      try {
        const token = newSecret('sgt');
        // No NOTIFY: only the periodic check can find it.
        await client.query('update terminals set token_hash = $2 where id = $1', [
          terminal!.id,
          hashSecret(token),
        ]);
        const current = await connectTerminal(hub, token);
        sockets.push(current);
        expect(await disconnected).toBe('io server disconnect');
        expect(eventsOf(old, 'terminal:revoked')).toEqual([]);
        // A later check leaves the current token's socket. Checks stamp the connected terminal as
        // seen, so does its connect (once, within a second): of two stamps after `since`, one is
        // a check's.
        const since = (await client.query<{ at: string }>('select now()::text as at')).rows[0]!.at;
        const stamps = new Set<string>();
        const stampsSince = async () => {
          const { rows } = await client.query<{ at: string; later: boolean }>(
            `select last_seen_at::text as at, last_seen_at > $2::timestamptz as later
               from terminals where id = $1`,
            [terminal!.id, since],
          );
          if (rows[0]!.later) stamps.add(rows[0]!.at);
          return stamps.size;
        };
        await expect.poll(stampsSince, { timeout: 5_000, interval: 50 }).toBeGreaterThanOrEqual(2);
        expect(current.connected).toBe(true);
      } finally {
        await client.end();
      }
      expect(hub.logs.filter((l) => l.msg === 'revocation check failed')).toEqual([]);
    });
});
