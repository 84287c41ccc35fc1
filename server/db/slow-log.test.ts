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

  it('reports a statement that takes the threshold or more, with its SQL head and never the parameters', async () => {
    const seen: SlowEvent[] = [];
    // the real clock: pg_sleep(0.06) can only take longer than 40 ms, never less
    const db = withSlowLog(raw, 40, (e) => seen.push(e));
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
    expect(JSON.stringify(seen)).not.toContain('13800138000');
  });

  it('measures on its clock: under the threshold nothing, at it a statement, a slow transaction named by its first statement', async () => {
    // a test clock: it moves only when the test moves it, so a loaded machine cannot change the answer
    let clock = 1_000;
    const seen: SlowEvent[] = [];
    const db = withSlowLog(
      raw,
      40,
      (e) => seen.push(e),
      () => clock,
    );

    const fast = db.query('select $1::text as phone', ['13800138000']);
    clock += 39;
    await fast;
    expect(seen).toEqual([]);

    const slow = db.query('select $1::text as phone', ['13800138000']);
    clock += 40;
    await slow;
    expect(seen).toEqual([{ kind: 'statement', ms: 40, sql: 'select $1::text as phone' }]);

    seen.length = 0;
    const answer = await db.transaction(async (tx) => {
      await tx.query('select 1');
      clock += 30; // the hub's own work between statements, inside the transaction
      await tx.query('select 2');
      clock += 30;
      await tx.query('select $1::text', ['13800138000']);
      return 'done';
    });
    expect(answer).toBe('done');
    // each statement under the threshold, the transaction over it, named by its first statement
    expect(seen).toEqual([{ kind: 'transaction', ms: 60, sql: 'select 1' }]);
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
