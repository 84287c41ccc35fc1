/**
 * Runs a task at most once at a time; a call while it runs is answered by the next run, which
 * every call meanwhile shares. So a caller always gets a run that started after its call, and
 * under steady calls each waits for at most the run in progress and one more — never for the
 * calls behind it (a "run again while anyone asked" loop would keep every caller waiting as long
 * as the calls kept coming). A failed run fails the callers it answers; the next call starts anew.
 */
export class TrailingRun {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (!this.running) return this.start();
    if (!this.next) {
      const after = () => {
        this.next = null;
        return this.start();
      };
      this.next = this.running.then(after, after);
    }
    return this.next;
  }

  private start(): Promise<void> {
    const run = this.task().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}
