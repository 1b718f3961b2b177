// The cost the gateway recorded for a task's model call. The gateway prices a call when it writes
// the traffic record (off the request path, within its flush interval) and announces it as
// "traffic.recorded" carrying the task id; the runner watches for its task's record from before
// the call, so the record cannot slip past between the answer and the wait.
import type { EventBus } from "../../app/events.ts";
import type { TrafficRecordedEvent } from "../../gateway/traffic-recorder.ts";

interface Watch {
  costs: Array<number | null>;
  notify: (() => void) | undefined;
}

export interface CostWatch {
  /** The recorded cost (summed over the task's records), null when unpriced or nothing arrived in time. */
  cost(timeoutMs: number): Promise<number | null>;
  stop(): void;
}

export class RecordedCosts {
  readonly #watches = new Map<string, Watch>();

  constructor(events: Pick<EventBus, "on">) {
    events.on("traffic.recorded", (event: TrafficRecordedEvent) => {
      const taskId = event.traffic.task_id;
      const watch = taskId ? this.#watches.get(taskId) : undefined;
      if (!watch) return;
      watch.costs.push(event.traffic.cost_usd === null ? null : Number(event.traffic.cost_usd));
      watch.notify?.();
    });
  }

  watch(taskId: string): CostWatch {
    const watch: Watch = { costs: [], notify: undefined };
    this.#watches.set(taskId, watch);
    const stop = () => {
      if (this.#watches.get(taskId) === watch) this.#watches.delete(taskId);
    };
    return {
      stop,
      cost: async (timeoutMs) => {
        if (watch.costs.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            watch.notify = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        stop();
        const known = watch.costs.filter((c): c is number => c !== null);
        return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
      },
    };
  }
}
