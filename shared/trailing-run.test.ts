import { describe, expect, it } from 'vitest';
import { TrailingRun, TrailingRuns } from './trailing-run';

/** A task whose runs the test ends one by one; counts the runs started and those at once. */
function controlledTask() {
  const runs: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const task = () => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise<void>((resolve, reject) => {
      runs.push({ resolve, reject });
    }).finally(() => inFlight--);
  };
  return { task, runs, maxInFlight: () => maxInFlight };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

/** The two forms, each as "a call": a TrailingRun, and one key of a TrailingRuns. */
const forms = [
  {
    name: 'TrailingRun',
    make: (task: () => Promise<void>) => {
      const one = new TrailingRun(task);
      return { call: () => one.run(), settled: () => one.settled() };
    },
  },
  {
    name: 'TrailingRuns (one key)',
    make: (task: () => Promise<void>) => {
      const keyed = new TrailingRuns();
      return { call: () => keyed.run('drain', task), settled: () => keyed.settled() };
    },
  },
];

describe.each(forms)('$name', ({ make }) => {
  it('answers calls during a run with one shared next run, never the run already going', async () => {
    const { task, runs } = controlledTask();
    const { call } = make(task);
    const done: string[] = [];
    void call().then(() => done.push('first'));
    void call().then(() => done.push('second'));
    void call().then(() => done.push('third'));
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await tick();
    expect(done).toEqual(['first']);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await tick();
    expect(done).toEqual(['first', 'second', 'third']);
    expect(runs).toHaveLength(2);
  });

  it('under calls that never stop, every caller is answered within two runs (no starvation)', async () => {
    const { task, runs, maxInFlight } = controlledTask();
    const { call } = make(task);
    /** per caller: the runs started when it called, and the run whose end answered it */
    const calledAt: number[] = [];
    const answeredBy: (number | undefined)[] = [];
    let ended = 0;
    for (let caller = 0; caller < 40; caller++) {
      calledAt.push(runs.length);
      void call().then(() => (answeredBy[caller] = ended));
      // a run ends every other call: the calls never stop while any run is going
      if (caller % 2 === 1) {
        runs[ended]!.resolve();
        ended++;
        await tick();
      }
    }
    expect(maxInFlight()).toBe(1);
    // each caller is answered by the first run to start after its call: the one after the run in
    // progress (calledAt runs had started), at most two runs' wait however many calls follow
    for (let caller = 0; caller < 38; caller++)
      expect(answeredBy[caller]).toBe(calledAt[caller]! + 1);
    expect(ended).toBe(20);
  });

  it('a call made as a run ends (from its caller) joins the queued run, never a second run beside it', async () => {
    const { task, runs, maxInFlight } = controlledTask();
    const { call } = make(task);
    const again = call().then(() => call());
    const joined = call();
    runs[0]!.resolve();
    await tick();
    // the queued run started for `joined`; the caller's second call queued behind it
    expect(runs).toHaveLength(2);
    expect(maxInFlight()).toBe(1);
    runs[1]!.resolve();
    await expect(joined).resolves.toBeUndefined();
    await tick();
    expect(runs).toHaveLength(3);
    runs[2]!.resolve();
    await expect(again).resolves.toBeUndefined();
    expect(maxInFlight()).toBe(1);
  });

  it('a caller who joined a run that then fails gets its own run, not that failure', async () => {
    const { task, runs } = controlledTask();
    const { call } = make(task);
    // a drain started offline; another asked for just as the network came back
    const started = call();
    const joined = call();
    runs[0]!.reject(new Error('network: fetch failed'));
    await expect(started).rejects.toThrow('network: fetch failed');
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await expect(joined).resolves.toBeUndefined();
  });

  it('a failed run fails only the callers it answers; the next call starts afresh', async () => {
    const { task, runs } = controlledTask();
    const { call } = make(task);
    const first = call();
    const [second, third] = [call(), call()];
    runs[0]!.resolve();
    await expect(first).resolves.toBeUndefined();
    runs[1]!.reject(new Error('database down'));
    await expect(second).rejects.toThrow('database down');
    await expect(third).rejects.toThrow('database down');
    expect(runs).toHaveLength(2);
    const later = call();
    expect(runs).toHaveLength(3);
    runs[2]!.resolve();
    await expect(later).resolves.toBeUndefined();
  });

  it('a task that throws before returning a promise fails its run like any other', async () => {
    let calls = 0;
    const { call } = make(() => {
      calls++;
      if (calls === 1) throw new Error('thrown at once');
      return Promise.resolve();
    });
    await expect(call()).rejects.toThrow('thrown at once');
    await expect(call()).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('settled() waits for the run in progress and the one queued behind it, and never rejects', async () => {
    const { task, runs } = controlledTask();
    const { call, settled } = make(task);
    const first = call();
    const joined = call();
    let done = false;
    const waiting = settled().then(() => (done = true));
    runs[0]!.reject(new Error('network: fetch failed'));
    await tick();
    expect(done).toBe(false);
    runs[1]!.reject(new Error('still down'));
    await waiting;
    expect(done).toBe(true);
    await expect(first).rejects.toThrow('network: fetch failed');
    await expect(joined).rejects.toThrow('still down');
    await expect(settled()).resolves.toBeUndefined();
  });
});

describe('TrailingRun', () => {
  it('busy while a run is in progress or queued', async () => {
    const { task, runs } = controlledTask();
    const one = new TrailingRun(task);
    expect(one.busy).toBe(false);
    const first = one.run();
    const joined = one.run();
    expect(one.busy).toBe(true);
    runs[0]!.resolve();
    await first;
    expect(one.busy).toBe(true);
    runs[1]!.resolve();
    await joined;
    expect(one.busy).toBe(false);
  });
});

describe('TrailingRuns', () => {
  it('keys run independently; size counts the keys with a run in progress or queued', async () => {
    const keyed = new TrailingRuns();
    const drain = controlledTask();
    const pull = controlledTask();
    const drained = keyed.run('drain', drain.task);
    const pulled = keyed.run('pull:catalog', pull.task);
    expect(drain.runs).toHaveLength(1);
    expect(pull.runs).toHaveLength(1);
    expect(keyed.size).toBe(2);
    drain.runs[0]!.resolve();
    await drained;
    expect(keyed.size).toBe(1);
    pull.runs[0]!.resolve();
    await pulled;
    expect(keyed.size).toBe(0);
  });

  it('a queued run takes the task of the latest call it answers', async () => {
    const keyed = new TrailingRuns();
    const ran: string[] = [];
    let end!: () => void;
    const first = keyed.run('k', () => new Promise<void>((resolve) => (end = resolve)));
    const a = keyed.run('k', async () => void ran.push('a'));
    const b = keyed.run('k', async () => void ran.push('b'));
    end();
    await Promise.all([first, a, b]);
    expect(ran).toEqual(['b']);
  });

  it('stopped (revoked): the queued run never starts; its callers get the failure of the run they joined', async () => {
    let stopped = false;
    const keyed = new TrailingRuns({ stopped: () => stopped });
    const { task, runs } = controlledTask();
    const started = keyed.run('drain', task);
    const joined = keyed.run('drain', task);
    stopped = true;
    runs[0]!.reject(new Error('terminal revoked'));
    await expect(joined).rejects.toThrow('terminal revoked');
    await expect(started).rejects.toThrow('terminal revoked');
    expect(runs).toHaveLength(1);
    expect(keyed.size).toBe(0);
  });

  it('stopped after a run that succeeded: its joiners resolve and nothing runs again', async () => {
    let stopped = false;
    const keyed = new TrailingRuns({ stopped: () => stopped });
    const { task, runs } = controlledTask();
    const started = keyed.run('drain', task);
    const joined = keyed.run('drain', task);
    stopped = true;
    runs[0]!.resolve();
    await expect(started).resolves.toBeUndefined();
    await expect(joined).resolves.toBeUndefined();
    await keyed.settled();
    expect(runs).toHaveLength(1);
    expect(keyed.size).toBe(0);
  });

  it('stopped ends repeats only: a call made while nothing runs starts (the task decides)', async () => {
    const keyed = new TrailingRuns({ stopped: () => true });
    let ran = 0;
    await keyed.run('drain', async () => void ran++);
    expect(ran).toBe(1);
  });

  it('settled() waits for the runs in flight and those queued behind them while they ran, not for keys started afterwards', async () => {
    const keyed = new TrailingRuns();
    const drain = controlledTask();
    const later = controlledTask();
    void keyed.run('drain', drain.task).catch(() => undefined);
    let done = false;
    const waiting = keyed.settled().then(() => (done = true));
    // asked for while the run settled() found is going: settled() waits for it too
    const joined = keyed.run('drain', drain.task);
    void keyed.run('pull:staff', later.task);
    drain.runs[0]!.reject(new Error('offline'));
    await tick();
    expect(done).toBe(false);
    drain.runs[1]!.resolve();
    await joined;
    await waiting;
    expect(done).toBe(true);
    expect(keyed.size).toBe(1);
    later.runs[0]!.resolve();
    await keyed.settled();
    expect(keyed.size).toBe(0);
  });
});
