// Periodic housekeeping: finished tasks past their retention (30 days unless configured) and
// Idempotency-Keys past 24 hours are deleted. Runs at start, then hourly.
import type { IdempotencyStore } from "../http/idempotency.ts";
import type { TaskStore } from "./tasks/task-store.ts";

export interface MaintenanceLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class Maintenance {
  readonly #tasks: TaskStore;
  readonly #idempotency: IdempotencyStore;
  readonly #retentionDays: number;
  readonly #log: MaintenanceLog;
  #timer: NodeJS.Timeout | undefined;

  constructor(tasks: TaskStore, idempotency: IdempotencyStore, retentionDays: number, log: MaintenanceLog) {
    this.#tasks = tasks;
    this.#idempotency = idempotency;
    this.#retentionDays = retentionDays;
    this.#log = log;
  }

  /** One pass; returns what was removed. */
  async run(now = Date.now()): Promise<{ tasks: number; idempotencyKeys: number }> {
    const cutoff = new Date(now - this.#retentionDays * 86_400_000).toISOString();
    const tasks = await this.#tasks.purgeFinishedBefore(cutoff);
    const idempotencyKeys = await this.#idempotency.purgeExpired();
    if (tasks > 0 || idempotencyKeys > 0) this.#log.info({ tasks, idempotencyKeys, retentionDays: this.#retentionDays }, "fleet: purged expired task history and idempotency keys");
    return { tasks, idempotencyKeys };
  }

  start(intervalMs = 3_600_000): void {
    const pass = () => void this.run().catch((err: unknown) => this.#log.error({ err }, "fleet: purge failed"));
    pass();
    this.#timer = setInterval(pass, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
