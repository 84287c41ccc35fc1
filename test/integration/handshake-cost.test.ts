import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../shared/domain/ids';
import { newSecret, hashSecret } from '../../server/auth/secrets';
import type { Db } from '../../server/db/database';
import { migrate } from '../../server/db/migrate';
import { createRealtime, type Realtime } from '../../server/realtime/realtime';
import { describeOnPostgres } from '../support/backends';
import { openTestPglite } from '../support/pglite-template';
import { openFreshPostgres } from '../support/services';
import { connectTerminal, type TerminalClient } from '../support/terminal-socket';

const TERMINALS = 12;
const SOCKETS_EACH = 2;

/**
 * What a terminal's reconnect costs the hub's database (bench:chain's failover: ~6,000 terminals
 * of a dead node reconnecting to the survivor at once), in process on each backend: the socket
 * handshake resolves a token once however many sockets present it at once, and remembers it for
 * REST (auth/terminal-cache.ts); the connects are stamped "last seen" in one statement
 * (realtime/last-seen.ts), not one each. A revocation through the hub is seen at once.
 */
function suite(open: () => Promise<{ db: Db; drop: () => Promise<void> }>) {
  let db: Db;
  let drop: () => Promise<void>;
  let http: HttpServer;
  let realtime: Realtime;
  let url: string;
  const statements: { sql: string; params: readonly unknown[] }[] = [];
  const sockets: TerminalClient[] = [];
  const terminals: { id: string; token: string }[] = [];
  const count = (pattern: RegExp) => statements.filter(({ sql }) => pattern.test(sql)).length;
  /** Token hashes asked for, over every lookup statement (several share one under load). */
  const tokensLookedUp = () =>
    statements
      .filter(({ sql }) => TOKEN_LOOKUP.test(sql))
      .reduce((n, { params }) => n + (params[0] as string[]).length, 0);
  const TOKEN_LOOKUP = /from terminals\s+where token_hash/;
  const LAST_SEEN = /update terminals set last_seen_at/;

  beforeAll(async () => {
    ({ db, drop } = await open());
    await migrate(db);
    const storeId = newId();
    await db.query(
      `insert into stores(id, name, timezone, lat, lng) values ($1, 'S', 'Asia/Shanghai', 31.2, 121.4)`,
      [storeId],
    );
    for (let i = 0; i < TERMINALS; i++) {
      const terminal = { id: newId(), token: newSecret('sgt') };
      await db.query(
        'insert into terminals(id, store_id, name, token_hash) values ($1, $2, $3, $4)',
        [terminal.id, storeId, `T${i}`, hashSecret(terminal.token)],
      );
      terminals.push(terminal);
    }
    // Every statement the realtime layer runs, counted (its transactions too, statement by statement).
    const counted: Db = {
      ...db,
      kind: db.kind,
      query: (sql, params) => {
        statements.push({ sql, params: params ?? [] });
        return db.query(sql, params);
      },
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            query: (sql, params) => {
              statements.push({ sql, params: params ?? [] });
              return tx.query(sql, params);
            },
          }),
        ),
    };
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    realtime = await createRealtime({
      httpServer: http,
      db: counted,
      log: pino({ level: 'silent' }),
      redisUrl: undefined,
      redisPrefix: 'unused',
      corsOrigins: [],
      handlers: [],
      revocationCheckMs: 60_000,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await realtime?.close();
    await new Promise((resolve) => http?.close(resolve));
    await db?.close();
    await drop?.();
  });

  it('stamps concurrent connects in one statement, and resolves each token once', async () => {
    const before = Date.now();
    const opened = await Promise.all(
      terminals.flatMap((t) =>
        Array.from({ length: SOCKETS_EACH }, () => connectTerminal({ url }, t.token)),
      ),
    );
    sockets.push(...opened);
    expect(opened.every((s) => s.connected)).toBe(true);
    // Each token once: the second socket of a terminal joined the first's lookup, or hit the cache;
    // lookups that came in together shared a statement.
    expect(tokensLookedUp()).toBe(TERMINALS);
    expect(count(TOKEN_LOOKUP)).toBeLessThanOrEqual(TERMINALS);
    // Stamped within a second or so of the connects, all in one statement.
    const stamped = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from terminals where id = any($1::uuid[])
             and last_seen_at >= $2::timestamptz - interval '1 second'`,
          [terminals.map((t) => t.id), new Date(before).toISOString()],
        )
      )[0]?.n;
    await expect.poll(stamped, { timeout: 5_000, interval: 50 }).toBe(TERMINALS);
    expect(count(LAST_SEEN)).toBe(1);
    // Nothing more after another flush interval: nobody was left waiting.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(count(LAST_SEEN)).toBe(1);
  });

  it('answers REST authentication of a connected terminal from memory', async () => {
    const lookups = tokensLookedUp();
    for (const t of terminals)
      expect(await realtime.terminalForToken(t.token)).toMatchObject({ terminalId: t.id });
    expect(tokensLookedUp()).toBe(lookups);
    // An unknown token is never remembered: asked each time.
    expect(await realtime.terminalForToken(newSecret('sgt'))).toBeNull();
    expect(await realtime.terminalForToken(newSecret('sgt'))).toBeNull();
    expect(tokensLookedUp()).toBe(lookups + 2);
  });

  it('refuses a terminal revoked through the hub at once, cache or not', async () => {
    const [revoked, other] = terminals;
    const [row] = await db.query<{ token_hash: string }>(
      'update terminals set revoked_at = now() where id = $1 returning token_hash',
      [revoked!.id],
    );
    await realtime.revokeTerminal(revoked!.id, row!.token_hash);
    expect(await realtime.terminalForToken(revoked!.token)).toBeNull();
    await expect(connectTerminal({ url }, revoked!.token)).rejects.toThrow('unauthorized');
    expect(await realtime.terminalForToken(other!.token)).toMatchObject({ terminalId: other!.id });
  });
}

describe('handshake cost (PGlite)', () =>
  suite(async () => ({ db: await openTestPglite(), drop: async () => undefined })));

describeOnPostgres('handshake cost', () =>
  suite(async () => {
    const { db, drop } = await openFreshPostgres();
    // `drop` closes the pool itself.
    return { db: { ...db, close: async () => undefined }, drop };
  }),
);
