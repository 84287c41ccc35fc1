import { SingleFlights } from './single-flight';

/** A task whose runs the test ends one by one. */
function controlledTask() {
  const runs: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const task = () =>
    new Promise<void>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { task, runs };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('single flight', () => {
  it('runs once more for the calls made during a run, however many', async () => {
    const flights = new SingleFlights(() => false);
    const { task, runs } = controlledTask();
    const first = flights.run('drain', task);
    const joined = [flights.run('drain', task), flights.run('drain', task)];
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await Promise.all([first, ...joined]);
    expect(runs).toHaveLength(2);
    expect(flights.size).toBe(0);
  });

  it('a call that joined a failing run gets the run it asked for, not that failure', async () => {
    const flights = new SingleFlights(() => false);
    const { task, runs } = controlledTask();
    const started = flights.run('drain', task);
    const joined = flights.run('drain', task);
    runs[0]!.reject(new Error('network: fetch failed'));
    await tick();
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await expect(joined).resolves.toBeUndefined();
    await expect(started).resolves.toBeUndefined();
  });

  it('a failing run nobody joined fails its caller; a later call starts afresh', async () => {
    const flights = new SingleFlights(() => false);
    const { task, runs } = controlledTask();
    const alone = flights.run('drain', task);
    runs[0]!.reject(new Error('network: fetch failed'));
    await expect(alone).rejects.toThrow('network: fetch failed');
    const next = flights.run('drain', task);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await expect(next).resolves.toBeUndefined();
  });

  it('stopped (revoked): the failure stands and nothing runs again', async () => {
    let stopped = false;
    const flights = new SingleFlights(() => stopped);
    const { task, runs } = controlledTask();
    const started = flights.run('drain', task);
    const joined = flights.run('drain', task);
    stopped = true;
    runs[0]!.reject(new Error('terminal revoked'));
    await expect(joined).rejects.toThrow('terminal revoked');
    await expect(started).rejects.toThrow('terminal revoked');
    expect(runs).toHaveLength(1);
  });
});
