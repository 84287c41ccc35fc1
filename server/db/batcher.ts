/**
 * Requests answered together: a node's many small statements of one kind (an alert catch-up, a
 * presence sighting's lookup or write) become few statements of many rows each, when they come
 * in faster than the database answers them.
 *
 * At most `inFlight` batches run at a time; the requests that arrive meanwhile wait and go
 * together in the next one (up to `maxBatch` each). There is no timer: a request on a quiet node
 * runs at once, alone, exactly as it would unbatched; batches form only while earlier ones are
 * still under way, i.e. under load, where each statement's round trip, parse and commit is then
 * paid once per batch instead of once per request.
 *
 * `run` answers each request of a batch on its own (`PromiseSettledResult`, in the requests'
 * order), so one bad request need not fail the others; a `run` that throws fails every request it
 * carried, and none after it.
 */
export type Batcher<I, O> = (item: I) => Promise<O>;

export type BatcherOptions<I> = {
  /**
   * What one batch carries at most: requests, or their summed `size`. A request bigger than that
   * runs as a batch of its own.
   */
  maxBatch: number;
  /** a request's share of `maxBatch` (default 1: each request counts one) */
  size?: (item: I) => number;
  /** batches under way at once; the pool keeps its other connections for everything else */
  inFlight: number;
  /**
   * A `run` failing so (the database unreachable): the requests waiting behind it fail with it at
   * once, instead of each waiting out the same timeout in the next batch; the next request tries
   * again.
   */
  failsWaiting?: (error: unknown) => boolean;
};

export function createBatcher<I, O>(
  run: (items: readonly I[]) => Promise<readonly PromiseSettledResult<O>[]>,
  { maxBatch, size = () => 1, inFlight: inFlightMax, failsWaiting }: BatcherOptions<I>,
): Batcher<I, O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let inFlight = 0;
  const pump = () => {
    while (inFlight < inFlightMax && waiting.length > 0) {
      // The first request always goes; the next ones while they fit.
      let take = 1;
      for (let load = size(waiting[0]!.item); take < waiting.length; take++) {
        load += size(waiting[take]!.item);
        if (load > maxBatch) break;
      }
      const batch = waiting.slice(0, take);
      waiting = waiting.slice(take);
      inFlight += 1;
      // The slot is free before anyone hears their answer: a caller that asks again at once
      // finds it so.
      const settle = (answer: (request: Waiting, i: number) => void) => {
        inFlight -= 1;
        batch.forEach(answer);
        pump();
      };
      run(batch.map((w) => w.item)).then(
        (results) =>
          settle((request, i) => {
            const result = results[i];
            if (!result) request.reject(new Error(`batch answered ${results.length} of ${i + 1}`));
            else if (result.status === 'fulfilled') request.resolve(result.value);
            else request.reject(result.reason);
          }),
        (error: unknown) => {
          if (failsWaiting?.(error)) batch.push(...waiting.splice(0));
          settle((request) => request.reject(error));
        },
      );
    }
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}

/** A batch's answers when every request of it succeeded (`run`'s result). */
export const fulfilled = <O>(values: readonly O[]): PromiseSettledResult<O>[] =>
  values.map((value) => ({ status: 'fulfilled', value }));

/**
 * `make`'s result once per open database (a hub's batchers live as long as its database handle):
 * made on first use, kept in a WeakMap so a closed database takes its batchers with it.
 */
export function perDatabase<D extends object, T>(make: (db: D) => T): (db: D) => T {
  const made = new WeakMap<D, T>();
  return (db) => {
    let value = made.get(db);
    if (value === undefined) made.set(db, (value = make(db)));
    return value;
  };
}
