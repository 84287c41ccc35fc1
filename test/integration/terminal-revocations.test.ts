import pg from 'pg';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../server/db/database';
import {
  LISTENER_APPLICATION_NAME,
  listenForTerminalRevocations,
  notifyTerminalRevoked,
} from '../../server/db/terminal-revocations';
import { describeOnPostgres } from '../support/backends';
import { freshPostgresDatabase } from '../support/services';

/**
 * The PostgreSQL channel that carries a terminal's revocation to every hub node at commit (also
 * from hub:admin in direct mode): only committed revocations arrive, and a listener whose
 * connection is cut reconnects and reports the gap (the node then forgets its cached terminals).
 */
describeOnPostgres('terminal revocations announced by PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  let db: Db;
  const revoked: string[] = [];
  let gaps = 0;
  const warn = vi.fn();
  let listener: { close(): Promise<void> };

  beforeAll(async () => {
    ({ url, drop } = await freshPostgresDatabase());
    db = await openDatabase({ databaseUrl: url, dataDir: '' });
    listener = listenForTerminalRevocations({
      url,
      connectTimeoutMs: 5_000,
      log: { warn, info: vi.fn() },
      onRevoked: (id) => revoked.push(id),
      onGap: () => (gaps += 1),
    });
  });
  afterAll(async () => {
    await listener?.close();
    await db?.close();
    await drop?.();
  });

  it('delivers a committed revocation, never a rolled-back one', async () => {
    // Listening (the first connection counts as a gap: nothing was heard before it).
    await expect.poll(() => gaps, { timeout: 10_000 }).toBe(1);
    await db
      .transaction(async (tx) => {
        await notifyTerminalRevoked(tx, 'rolled-back');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await db.transaction((tx) => notifyTerminalRevoked(tx, 'committed'));
    await expect.poll(() => revoked, { timeout: 5_000 }).toEqual(['committed']);
  });

  it('reconnects after its connection is cut, reporting the gap, and listens again', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const cut = await admin.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where application_name = $1 and datname = current_database()`,
        [LISTENER_APPLICATION_NAME],
      );
      expect(cut.rows[0]!.n).toBe(1);
    } finally {
      await admin.end();
    }
    await expect.poll(() => gaps, { timeout: 15_000 }).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    await db.transaction((tx) => notifyTerminalRevoked(tx, 'after-gap'));
    await expect.poll(() => revoked, { timeout: 5_000 }).toEqual(['committed', 'after-gap']);
  });
});
