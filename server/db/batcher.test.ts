import { describe, expect, it } from 'vitest';
import { createBatcher, perDatabase } from './batcher';

/** A `run` that answers later, when the test says so, and records what each batch carried. */
function controlled() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: readonly number[]) => {
    batches.push([...items]);
    return new Promise<PromiseSettledResult<number>[]>((resolve) =>
      pending.push(() =>
        resolve(
          items.map((n) =>
            n < 0
              ? { status: 'rejected', reason: new Error(`bad ${n}`) }
              : { status: 'fulfilled', value: n * 10 },
          ),
        ),
      ),
    );
  };
  const answerAll = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { batches, run, answerAll };
}

describe('createBatcher', () => {
  it('runs a lone request at once, alone', async () => {
    const c = controlled();
    const ask = createBatcher(c.run, { maxBatch: 10, inFlight: 2 });
    const answer = ask(4);
    expect(c.batches).toEqual([[4]]);
    await c.answerAll();
    expect(await answer).toBe(40);
  });

  it('lets the requests that arrive while the slots are busy go together, up to maxBatch', async () => {
    const c = controlled();
    const ask = createBatcher(c.run, { maxBatch: 3, inFlight: 2 });
    const answers = Array.from({ length: 9 }, (_, i) => ask(i));
    // two run at once; the seven behind them wait
    expect(c.batches).toEqual([[0], [1]]);
    await c.answerAll();
    expect(c.batches).toEqual([[0], [1], [2, 3, 4], [5, 6, 7], [8]]);
    expect(await Promise.all(answers)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80]);
  });

  it('counts each request by its size when given one: a request bigger than maxBatch goes alone', async () => {
    const c = controlled();
    const ask = createBatcher(c.run, { maxBatch: 10, size: (n) => n, inFlight: 1 });
    const answers = [1, 2, 3, 4, 5, 20, 6, 4].map((n) => ask(n));
    await c.answerAll();
    // 1 alone (the slot was free); then 2+3+4 (5 more would make 14), 5 (20 would make 25),
    // 20 alone, 6+4
    expect(c.batches).toEqual([[1], [2, 3, 4], [5], [20], [6, 4]]);
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 200, 60, 40]);
  });

  it('fails only the request its batch answered as failed', async () => {
    const c = controlled();
    const ask = createBatcher(c.run, { maxBatch: 5, inFlight: 1 });
    const settled = Promise.allSettled([ask(1), ask(2), ask(-3), ask(4)]);
    await c.answerAll();
    const results = await settled;
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(String((results[2] as PromiseRejectedResult).reason)).toContain('bad -3');
  });

  it('fails every request of a batch whose run throws, and goes on with the next', async () => {
    let call = 0;
    const ask = createBatcher(
      async (items: readonly number[]) => {
        call += 1;
        if (call === 2) throw new Error('database unavailable');
        return items.map((n): PromiseSettledResult<number> => ({ status: 'fulfilled', value: n }));
      },
      { maxBatch: 2, inFlight: 1 },
    );
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => ask(n)));
    // batch 1: [1]; batch 2 (throws): [2, 3]; batch 3: [4, 5]
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await ask(6)).toBe(6);
  });

  it('with failsWaiting, fails the requests waiting behind a batch that found the database down', async () => {
    let call = 0;
    const ask = createBatcher(
      async (items: readonly number[]) => {
        call += 1;
        if (call === 1) throw Object.assign(new Error('connect ECONNREFUSED'), { down: true });
        return items.map((n): PromiseSettledResult<number> => ({ status: 'fulfilled', value: n }));
      },
      { maxBatch: 2, inFlight: 1, failsWaiting: (e) => (e as { down?: boolean }).down === true },
    );
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => ask(n)));
    // batch 1 ([1]) failed so: the four waiting behind it failed with it, no second statement
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    expect(call).toBe(1);
    // the next request tries again
    expect(await ask(6)).toBe(6);
    expect(call).toBe(2);
  });

  it('rejects a request its batch left unanswered instead of leaving it waiting', async () => {
    const ask = createBatcher(async () => [] as PromiseSettledResult<number>[], {
      maxBatch: 2,
      inFlight: 1,
    });
    await expect(ask(1)).rejects.toThrow('batch answered 0 of 1');
  });
});

describe('perDatabase', () => {
  it('makes one value per database, on first use', () => {
    let made = 0;
    const of = perDatabase((db: { name: string }) => ({ db: db.name, n: ++made }));
    const a = { name: 'a' };
    const b = { name: 'b' };
    expect(made).toBe(0);
    expect(of(a)).toBe(of(a));
    expect(of(b)).toEqual({ db: 'b', n: 2 });
    expect(made).toBe(2);
  });
});
