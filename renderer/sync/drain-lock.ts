/**
 * Never two outbox drains at once: across windows and tabs through the Web Locks API, and inside
 * one process (Node tests, fake environments without `navigator.locks`) through a mutex shared by
 * every engine in the process.
 */
export type DrainLock = { run<T>(name: string, task: () => Promise<T>): Promise<T> };

type LockManagerLike = {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
};

const tails = new Map<string, Promise<unknown>>();

export const processMutex: DrainLock = {
  run<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(name) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(name, tail);
    void tail.then(() => {
      if (tails.get(name) === tail) tails.delete(name);
    });
    return result;
  },
};

export function webLock(locks: LockManagerLike): DrainLock {
  return { run: (name, task) => locks.request(name, task) };
}

/** Web Locks when the environment has them (Chromium, Electron), the process mutex otherwise. */
export function defaultDrainLock(): DrainLock {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ? webLock(nav.locks) : processMutex;
}
