// Runs a task after an initial delay and then every interval, one at a time: the next run is
// timed from the end of the previous one, so a slow scan never overlaps the next.

export interface ScheduleOptions {
  initialDelayMs: number;
  intervalMs: number;
  onError(err: unknown): void;
}

export class Scheduler {
  readonly #task: () => Promise<void>;
  readonly #options: ScheduleOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;

  constructor(task: () => Promise<void>, options: ScheduleOptions) {
    this.#task = task;
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(this.#options.initialDelayMs);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#task()
        .catch((err: unknown) => this.#options.onError(err))
        .finally(() => {
          this.#running = null;
          this.#schedule(this.#options.intervalMs);
        });
    }, delayMs);
    // Never the reason the process stays up.
    this.#timer.unref();
  }

  /** Stops scheduling and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
