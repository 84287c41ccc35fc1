import { describe, expect, it } from 'vitest';
import { TrailingRun } from './trailing-run';

/** A task whose runs the test ends by hand. */
function controlledTask() {
  const ends: (() => void)[] = [];
  let started = 0;
  const task = () => {
    started++;
    return new Promise<void>((resolve) => ends.push(resolve));
  };
  const endRun = async (n: number) => {
    ends[n]?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { task, endRun, started: () => started };
}

describe('TrailingRun', () => {
  it('answers calls during a run with one shared next run, never the run already going', async () => {
    const { task, endRun, started } = controlledTask();
    const runs = new TrailingRun(task);
    const done: string[] = [];
    void runs.run().then(() => done.push('first'));
    void runs.run().then(() => done.push('second'));
    void runs.run().then(() => done.push('third'));
    expect(started()).toBe(1);
    await endRun(0);
    expect(done).toEqual(['first']);
    expect(started()).toBe(2);
    await endRun(1);
    expect(done).toEqual(['first', 'second', 'third']);
    expect(started()).toBe(2);
  });

  it('under calls that never stop, every caller is answered by the run after the one in progress', async () => {
    const { task, endRun, started } = controlledTask();
    const runs = new TrailingRun(task);
    const answered: number[] = [];
    for (let round = 0; round < 20; round++) {
      const caller = round;
      void runs.run().then(() => answered.push(caller));
      // a run ends while the next callers keep coming
      if (round > 0) await endRun(round - 1);
      expect(answered.length).toBeGreaterThanOrEqual(round - 1);
    }
    expect(started()).toBe(20);
    expect(answered.slice(0, 18)).toEqual([...Array(18).keys()]);
  });

  it('a failed run fails the callers it answers; the next call runs again', async () => {
    let fail = true;
    let runsStarted = 0;
    const runs = new TrailingRun(async () => {
      runsStarted++;
      if (fail) throw new Error('database down');
    });
    await expect(runs.run()).rejects.toThrow('database down');
    fail = false;
    await expect(runs.run()).resolves.toBeUndefined();
    expect(runsStarted).toBe(2);
  });
});
