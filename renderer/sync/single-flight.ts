/**
 * One run at a time per key. A call during a run asks for exactly one more run after it — even
 * when the run it joined fails: a drain started offline fails, while the caller who joined it just
 * as the network came back gets the run it asked for, not that failure. `stopped` ends the
 * repeats (a revoked terminal runs nothing more).
 */
export class SingleFlights {
  private readonly flights = new Map<string, { promise: Promise<void>; again: boolean }>();

  constructor(private readonly stopped: () => boolean) {}

  get size(): number {
    return this.flights.size;
  }

  run(key: string, task: () => Promise<void>): Promise<void> {
    const current = this.flights.get(key);
    if (current) {
      current.again = true;
      return current.promise;
    }
    const flight = { promise: Promise.resolve(), again: false };
    flight.promise = (async () => {
      try {
        do {
          flight.again = false;
          try {
            await task();
          } catch (error) {
            if (!flight.again || this.stopped()) throw error;
          }
        } while (flight.again && !this.stopped());
      } finally {
        this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight.promise;
  }

  /** Resolves when the runs in flight now have ended (never rejects). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.flights.values()].map((f) => f.promise));
  }
}
