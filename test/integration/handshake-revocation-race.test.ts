import { afterAll, beforeAll, expect, it } from 'vitest';
import { endpoints } from '../../shared/protocol';
import { reissueTerminalToken, revokeTerminal } from '../../server/admin/service';
import { hashSecret } from '../../server/auth/secrets';
import { openDatabase, type Db } from '../../server/db/database';
import { notifyTerminalRevoked } from '../../server/db/terminal-revocations';
import { callRoute } from '../support/api';
import { describeOnPostgres } from '../support/backends';
import { createStoreFixture, type StoreFixture } from '../support/fixtures';
import { removeDataDir, startHub, type HubProcess } from '../support/hub-process';
import { TEST_DATABASE_URL, freshPostgresDatabase } from '../support/services';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import {
  connectTerminal,
  connected,
  eventsOf,
  openTerminalSocket,
  received,
  type TerminalClient,
} from '../support/terminal-socket';

/**
 * What a lookup of `token` sends PostgreSQL (server/auth/guards.ts, `terminalsForTokenHashes`): its
 * hash, the statement's parameter (the statement itself is prepared once per connection).
 */
const lookupOf = (token: string) => hashSecret(token);

/**
 * A socket handshake whose token lookup is under way when the terminal's revocation or re-issue is
 * announced: the announcement finds no socket of the terminal on the node yet, so the handshake
 * must not connect on what it read before the commit (auth/terminal-cache.ts reads the row again).
 *
 * Made deterministic with a TCP proxy between the hub and PostgreSQL: the lookup runs (PostgreSQL
 * has answered, from the row as it was) and its answer is held in the proxy; the revocation is
 * committed and announced (REST through the hub, or direct mode through PostgreSQL, whose
 * announcement a sentinel terminal's `terminal:revoked` shows the hub has heard); then the
 * answer is let through. The hub's periodic check runs every 10 minutes here: it finds nothing.
 */
describeOnPostgres('a socket handshake racing its terminal’s revocation', () => {
  let proxy: TcpProxy;
  let hub: HubProcess;
  let store: StoreFixture;
  let database: { url: string; drop(): Promise<void> };
  /** hub:admin's direct mode: straight to PostgreSQL (not through the proxy) */
  let direct: Db;
  const sockets: TerminalClient[] = [];

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    hub = await startHub({
      databaseUrl: proxy.via(database.url),
      env: { HUB_REVOCATION_CHECK_MS: '600000' },
    });
    store = await createStoreFixture(hub);
    direct = await openDatabase({ databaseUrl: database.url, dataDir: '' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await hub?.kill();
    if (hub) removeDataDir(hub);
    await proxy?.close();
    await direct?.close();
    await database?.drop();
  });

  /** A terminal this hub has never looked up (nothing cached). */
  const newTerminal = async (name: string) => {
    const created = await callRoute(hub, endpoints.adminCreateTerminal, {
      body: { storeId: store.storeId, name },
    });
    expect(created.status).toBe(201);
    return created.body;
  };
  /**
   * Opens a socket with `token` whose lookup's answer is held once PostgreSQL has given it;
   * `outcome`: 'connected' or the refusal, once released.
   */
  const stalledHandshake = async (token: string) => {
    const hold = proxy.holdAnswerTo(lookupOf(token));
    const lookups = proxy.countSent(lookupOf(token));
    const socket = openTerminalSocket(hub, token);
    sockets.push(socket);
    const outcome = connected(socket).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    await hold.answered();
    return { socket, outcome, release: () => hold.release(), lookups };
  };
  /** A connected terminal whose direct-mode revocation, committed after, shows the hub heard. */
  const sentinel = async () => {
    const { id, token } = await newTerminal('Sentinel');
    const socket = await connectTerminal(hub, token);
    sockets.push(socket);
    return {
      revokeAndWaitHeard: async () => {
        await revokeTerminal(direct, id, 'admin_cli');
        await received(socket, 'terminal:revoked');
      },
    };
  };

  it('a handshake whose lookup overlapped a direct-mode revocation is refused', async () => {
    const { id, token } = await newTerminal('Revoked in direct mode');
    const heard = await sentinel();
    const handshake = await stalledHandshake(token);

    await revokeTerminal(direct, id, 'admin_cli');
    // Announcements arrive in commit order: the sentinel's told means the hub evicted this one.
    await heard.revokeAndWaitHeard();
    handshake.release();

    expect(await handshake.outcome).toBe('unauthorized');
    // Read again, once the first answer came: the second read saw the revocation.
    expect(handshake.lookups()).toBe(2);
    expect(eventsOf(handshake.socket, 'terminal:revoked')).toEqual([]);
  });

  it('a handshake whose lookup overlapped a REST revocation is refused', async () => {
    const { id, token } = await newTerminal('Revoked through the hub');
    const handshake = await stalledHandshake(token);

    // The hub answers once it has forgotten the terminal and looked for its sockets.
    const r = await callRoute(hub, endpoints.adminRevokeTerminal, { params: { id } });
    expect(r.status).toBe(200);
    handshake.release();

    expect(await handshake.outcome).toBe('unauthorized');
    expect(handshake.lookups()).toBe(2);
  });

  it('a handshake on the old token whose lookup overlapped a re-issue is refused; the new token connects', async () => {
    const { id, token: oldToken } = await newTerminal('Re-issued');
    const heard = await sentinel();
    const handshake = await stalledHandshake(oldToken);

    const { token: newToken } = await reissueTerminalToken(direct, id, 'admin_cli');
    await heard.revokeAndWaitHeard();
    handshake.release();

    expect(await handshake.outcome).toBe('unauthorized');
    const current = await connectTerminal(hub, newToken);
    sockets.push(current);
    expect(current.connected).toBe(true);
  });

  it('a handshake overlapped by an announcement that changed nothing connects, read twice; otherwise once', async () => {
    // Re-resolved, not refused: an announcement of the terminal whose row is unchanged (one on
    // its way while the terminal reconnected) costs the handshake a second read, not its socket.
    const { id, token } = await newTerminal('Announced, unchanged');
    const heard = await sentinel();
    const handshake = await stalledHandshake(token);
    await direct.transaction((tx) => notifyTerminalRevoked(tx, id));
    await heard.revokeAndWaitHeard();
    handshake.release();
    expect(await handshake.outcome).toBe('connected');
    expect(handshake.lookups()).toBe(2);

    // The common path: a handshake that nothing overlapped reads its token once.
    const fresh = await newTerminal('Not overlapped');
    const lookups = proxy.countSent(lookupOf(fresh.token));
    const socket = await connectTerminal(hub, fresh.token);
    sockets.push(socket);
    expect(lookups()).toBe(1);
  });

  // Told once: the REST revoke's own announcement and PostgreSQL's at commit both reach this node
  // (two nodes: multi-node-revocation.test.ts).
  it('a REST revoke tells a terminal’s socket on a single node once', async () => {
    const { id, token } = await newTerminal('Told once here');
    const socket = await connectTerminal(hub, token);
    sockets.push(socket);
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const r = await callRoute(hub, endpoints.adminRevokeTerminal, { params: { id } });
    expect(r.status).toBe(200);
    // After the disconnect nothing more can arrive: the count is final.
    expect(await disconnected).toBe('io server disconnect');
    expect(eventsOf(socket, 'terminal:revoked')).toEqual([{ reason: 'revoked by head office' }]);
  });
});
