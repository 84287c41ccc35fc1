/**
 * Coalesced runs of a task, one implementation for the hub and the terminal.
 *
 * A task runs at most once at a time. A call while it runs is answered by the NEXT run, which every
 * call meanwhile shares; so a caller always gets a run that started after its call, and under
 * steady calls waits for at most the run in progress and one more — never for the calls behind it.
 * (A "run again while anyone asked" loop kept every caller waiting for as long as calls kept
 * coming: under 200 arrivals/s on the hub nobody was answered until the load stopped,
 * docs/scaling.md.) It follows that:
 *
 * - a run fails only the callers it answers: a caller who joined a run that then fails gets its own
 *   run, not that failure (a drain started offline fails; the caller who joined it just as the
 *   network came back gets the run it asked for);
 * - the first call after a failure starts afresh.
 *
 * `stopped` ends the repeats: when it holds as a run ends, the run queued behind it does not start,
 * and the calls waiting for it settle as the run they joined did — its failure stands (a revoked
 * terminal runs nothing more). A call made while nothing runs still starts its run: the task checks
 * for itself whether it may.
 */

type Task = () => Promise<void>;

export type TrailingRunOptions = {
  /** Read as each run ends: when true, the run queued behind it is not started. */
  stopped?: () => boolean;
};

type Queued = {
  task: Task;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
};

const never = () => false;
const ignore = () => undefined;

/** Starts a task; a synchronous throw becomes a failed run like any other. */
function invoke(task: Task): Promise<void> {
  try {
    return task();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** One coalescing lane: the run in progress and the one queued behind it. */
class Lane {
  /** a run is in progress (set before its task is called, so a call from inside it queues) */
  private active = false;
  private running: Promise<void> | null = null;
  private queued: Queued | null = null;

  constructor(
    private readonly stopped: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  get idle(): boolean {
    return !this.active && this.queued === null;
  }

  run(task: Task): Promise<void> {
    if (this.queued) {
      // The calls sharing a run ask for the same work; the run takes the latest call's task.
      this.queued.task = task;
      return this.queued.promise;
    }
    if (this.active) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.queued = { task, promise, resolve, reject };
      return promise;
    }
    return this.start(task);
  }

  /** Resolves when this lane has nothing in progress or queued (never rejects). */
  async settled(): Promise<void> {
    while (!this.idle) await (this.queued?.promise ?? this.running)?.then(ignore, ignore);
  }

  private start(task: Task): Promise<void> {
    this.active = true;
    const run = invoke(task);
    this.running = run;
    // Registered before any caller's reaction: the queued run has started (and the lane's state
    // is current) by the time the callers of this one resume, so a call they make joins the queue
    // instead of starting a second run beside it.
    run.then(
      () => this.finish({ ok: true }),
      (error: unknown) => this.finish({ ok: false, error }),
    );
    return run;
  }

  private finish(outcome: { ok: true } | { ok: false; error: unknown }): void {
    this.active = false;
    this.running = null;
    const queued = this.queued;
    this.queued = null;
    if (queued && !this.stopped()) {
      this.start(queued.task).then(queued.resolve, queued.reject);
      return;
    }
    if (queued) {
      if (outcome.ok) queued.resolve();
      else queued.reject(outcome.error);
    }
    this.onIdle();
  }
}

/** One task, coalesced: see the top of this file. */
export class TrailingRun {
  private readonly lane: Lane;

  constructor(
    private readonly task: Task,
    options: TrailingRunOptions = {},
  ) {
    this.lane = new Lane(options.stopped ?? never, ignore);
  }

  /** A run that starts at or after this call: the one started now, or the one queued next. */
  run(): Promise<void> {
    return this.lane.run(this.task);
  }

  /** Whether a run is in progress or queued. */
  get busy(): boolean {
    return !this.lane.idle;
  }

  /**
   * Resolves when the run in progress, and the runs queued behind it while it ran, have ended
   * (never rejects). Under calls that never stop it waits for them to stop.
   */
  settled(): Promise<void> {
    return this.lane.settled();
  }
}

/**
 * Coalesced runs per key: each key is its own TrailingRun, and the task is given with each call
 * (the calls on one key ask for the same work; a queued run takes the latest call's task).
 */
export class TrailingRuns<K = string> {
  private readonly lanes = new Map<K, Lane>();

  constructor(private readonly options: TrailingRunOptions = {}) {}

  /** Keys with a run in progress or queued. */
  get size(): number {
    return this.lanes.size;
  }

  run(key: K, task: Task): Promise<void> {
    let lane = this.lanes.get(key);
    if (!lane) {
      const made = new Lane(this.options.stopped ?? never, () => {
        if (this.lanes.get(key) === made) this.lanes.delete(key);
      });
      this.lanes.set(key, made);
      lane = made;
    }
    return lane.run(task);
  }

  /**
   * Resolves when the keys busy now have nothing in progress or queued — the runs in flight and
   * those queued behind them while they ran (never rejects). Keys started afresh after this call
   * are not waited for.
   */
  async settled(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.settled()));
  }
}
