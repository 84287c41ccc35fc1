import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeError } from '../http/log-safety';
import { retryOnLockConflict } from './lock-retry';
import { isConnectionError, type Db } from './database';
import { openPglite } from './pglite';
import { openPgliteThread } from './pglite-thread';

// PGlite boots a WebAssembly PostgreSQL: seconds each on a busy machine.
const BOOT = { timeout: 120_000 };

const SCHEMA = `create table people (
  id int primary key, phone text unique, at timestamptz, tags jsonb, photo bytea, n int8,
  ok boolean, price numeric(10,2)
)`;
const ROW = [
  1,
  '13812345678',
  '2026-03-01T02:03:04.005Z',
  JSON.stringify({ a: [1, 'x'], b: null }),
  new Uint8Array([0, 1, 254]),
  '9007199254740993',
  true,
  '12.50',
];
const INSERT = 'insert into people values ($1, $2, $3::timestamptz, $4::jsonb, $5, $6, $7, $8)';

/** The same statements against `db`: what the hub sees (rows and error fields). */
async function observe(db: Db) {
  await db.query(SCHEMA);
  await db.query(INSERT, ROW);
  const rows = await db.query(
    'select *, n::text as n_text, count(*) over ()::int as c from people',
  );
  const duplicate = (await db.query(INSERT, ROW).catch((e: unknown) => e)) as Error;
  const badInput = (await db
    .query('select $1::uuid', ['not-a-uuid'])
    .catch((e: unknown) => e)) as Error;
  const fields = (e: Error) => {
    const { code, constraint, table, severity, routine, query, params, name } = e as Error &
      Record<string, unknown>;
    return { code, constraint, table, severity, routine, query, params, name, message: e.message };
  };
  return {
    rows,
    duplicate: fields(duplicate),
    duplicateLogged: { ...safeError(duplicate), stack: undefined },
    badInput: fields(badInput),
  };
}

describe('PGlite in a worker thread answers as PGlite in-thread does', () => {
  let inThread: Db;
  let worker: Db;
  beforeAll(async () => {
    [inThread, worker] = await Promise.all([
      openPglite('memory://'),
      openPgliteThread('memory://'),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([inThread?.close(), worker?.close()]);
  });

  it('same rows (dates, JSON, bytes, numbers) and same error fields', async () => {
    const [expected, actual] = [await observe(inThread), await observe(worker)];
    expect(actual).toEqual(expected);
    expect(actual.duplicate.code).toBe('23505');
    expect(actual.rows[0]!.at).toBeInstanceOf(Date);
    // What log-safety keeps of a failed statement is the same, and never its parameters.
    expect(JSON.stringify(actual.duplicateLogged)).not.toContain('13812345678');
  });

  it('transactions commit, roll back on a throw, and keep other statements waiting', async () => {
    await worker.query('create table seats (n int primary key)');
    const order: string[] = [];
    let outside: Promise<unknown> = Promise.resolve();
    const committed = await worker.transaction(async (tx) => {
      await tx.query('insert into seats values (1)');
      // A statement outside the transaction waits for it, as on PGlite's single connection.
      outside = worker.query('select count(*)::int as c from seats').then((rows) => {
        order.push('outside');
        return rows;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.query('insert into seats values (2)');
      order.push('committing');
      return (await tx.query<{ c: number }>('select count(*)::int as c from seats'))[0]!.c;
    });
    expect(committed).toBe(2);
    expect(await outside).toEqual([{ c: 2 }]);
    expect(order).toEqual(['committing', 'outside']);

    const thrown = (await worker
      .transaction(async (tx) => {
        await tx.query('insert into seats values (3)');
        await tx.query('insert into seats values (1)'); // 23505: the transaction is aborted
      })
      .catch((e: unknown) => e)) as Error & { code?: string };
    expect(thrown.code).toBe('23505');
    expect(isConnectionError(thrown)).toBe(false);
    expect(await worker.query('select n from seats order by n')).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a deadlock-class error keeps its code for the order retry', async () => {
    let attempts = 0;
    const result = await retryOnLockConflict(() =>
      worker.transaction(async (tx) => {
        attempts += 1;
        if (attempts === 1)
          await tx.query(`do $$ begin raise exception using errcode = '40P01'; end $$`);
        return 'done';
      }),
    );
    expect([result, attempts]).toEqual(['done', 2]);
  });
});

describe('PGlite worker thread lifecycle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-pglite-thread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its data over a close and reopen of the data directory', BOOT, async () => {
    const first = await openPgliteThread(dir);
    await first.query('create table kept (v text)');
    await first.query(`insert into kept values ('before restart')`);
    await first.close();
    const second = await openPgliteThread(dir);
    try {
      expect(await second.query('select v from kept')).toEqual([{ v: 'before restart' }]);
    } finally {
      await second.close();
    }
  });

  it(
    'a crashed thread fails requests as unavailable (503), is reported, and comes back',
    BOOT,
    async () => {
      const crashes: Error[] = [];
      let recovered: () => void = () => undefined;
      const back = new Promise<void>((resolve) => (recovered = resolve));
      const db = await openPgliteThread(dir, {
        onCrash: (error) => crashes.push(error),
        onRecovered: () => recovered(),
      });
      try {
        await db.query(`insert into kept values ('before crash')`);
        const inFlight = db.query('select pg_sleep(0.5)').catch((e: unknown) => e);
        await db.terminateThreadForTest();
        const failed = await inFlight;
        expect(isConnectionError(failed)).toBe(true);
        expect((failed as Error).message).toMatch(/embedded database thread stopped/);
        expect(crashes).toHaveLength(1);
        expect(await db.ping()).toBe(false); // /readyz answers 503 meanwhile
        await back;
        expect(await db.ping()).toBe(true);
        expect(await db.query('select v from kept order by v')).toEqual([
          { v: 'before crash' },
          { v: 'before restart' },
        ]);
      } finally {
        await db.close();
      }
    },
  );
});
