import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './database';
import { openTestPglite } from '../../test/support/pglite-template';
import { withSlowLog, type SlowEvent } from './slow-log';

describe('withSlowLog (HUB_SLOW_STATEMENT_MS)', () => {
  let raw: Db;
  beforeAll(async () => {
    raw = await openTestPglite();
  });
  afterAll(async () => {
    await raw.close();
  });

  it('reports slow statements and transactions with their SQL head, never the parameters', async () => {
    const seen: SlowEvent[] = [];
    const db = withSlowLog(raw, 40, (e) => seen.push(e));

    await db.query('select $1::text as phone', ['13800138000']);
    expect(seen).toEqual([]);

    await db.query(
      `select pg_sleep(0.06),
                      $1::text as phone`,
      ['13800138000'],
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      kind: 'statement',
      sql: 'select pg_sleep(0.06), $1::text as phone',
    });
    expect(seen[0]!.ms).toBeGreaterThanOrEqual(40);

    seen.length = 0;
    const answer = await db.transaction(async (tx) => {
      await tx.query('select 1');
      await tx.query('select pg_sleep(0.03)');
      await tx.query('select pg_sleep(0.03)');
      return 'done';
    });
    expect(answer).toBe('done');
    // each statement under the threshold, the transaction over it, named by its first statement
    expect(seen).toEqual([{ kind: 'transaction', ms: expect.any(Number), sql: 'select 1' }]);
    expect(JSON.stringify(seen)).not.toContain('13800138000');
  });

  it('passes errors and rollbacks through unchanged', async () => {
    const db = withSlowLog(raw, 1_000, () => undefined);
    await db.query('create table t (id int primary key)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t values (1)');
        await tx.query('insert into t values (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await db.query('select count(*)::int as n from t')).toEqual([{ n: 0 }]);
    expect(db.kind).toBe('pglite');
  });
});
