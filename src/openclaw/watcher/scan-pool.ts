// Where the watcher's Shield scans run. Small passes scan inline, cut into time slices so the event
// loop keeps serving requests. A large backlog (a first pass over months of history) moves to a
// pool of worker threads, each with its own engine: the scans run in parallel, off the thread that
// serves the API. Both answer the same question: which texts have detections, and what they are.
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { Direction, ScanOutcome, ShieldOptions } from "../../shield/types.ts";
import type { ScanRequestMessage, ScanWorkerData } from "./scan-worker.ts";

export interface ScanItem {
  text: string;
  direction: Direction;
}

export interface Evaluator {
  /** Outcomes aligned with `items`; null for texts without detections. */
  evaluate(items: ScanItem[]): Promise<Array<ScanOutcome | null>>;
}

export function inlineEvaluator(evaluate: (text: string, direction: Direction) => ScanOutcome, sliceMs: number): Evaluator {
  return {
    async evaluate(items) {
      const out: Array<ScanOutcome | null> = [];
      let sliceStart = performance.now();
      for (const item of items) {
        const outcome = evaluate(item.text, item.direction);
        out.push(outcome.detections.length > 0 ? outcome : null);
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
      return out;
    },
  };
}

/** Workers for a machine: leave a core to the API, at most 4. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

interface Pending {
  resolve(results: Array<{ index: number; outcome: ScanOutcome }>): void;
  reject(err: Error): void;
}

export class WorkerScanPool implements Evaluator {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #failure: Error | null = null;

  constructor(shield: { rulesDir: string; options: ShieldOptions }, size: number) {
    const workerData: ScanWorkerData = { rulesDir: shield.rulesDir, options: shield.options };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL("./scan-worker.ts", import.meta.url), { workerData });
      worker.unref();
      worker.on("message", (message: { id: number; results: Array<{ index: number; outcome: ScanOutcome }> }) => {
        this.#pending.get(message.id)?.resolve(message.results);
        this.#pending.delete(message.id);
      });
      worker.on("error", (err) => this.#fail(err));
      worker.on("exit", (code) => {
        if (code !== 0) this.#fail(new Error(`scan worker exited with code ${code}`));
      });
      this.#workers.push(worker);
    }
  }

  #fail(err: Error): void {
    this.#failure = err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }

  #send(worker: Worker, items: ScanItem[]): Promise<Array<{ index: number; outcome: ScanOutcome }>> {
    return new Promise((resolve, reject) => {
      const id = ++this.#nextId;
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, items } satisfies ScanRequestMessage);
    });
  }

  async evaluate(items: ScanItem[]): Promise<Array<ScanOutcome | null>> {
    if (this.#failure) throw this.#failure;
    const out: Array<ScanOutcome | null> = items.map(() => null);
    const size = Math.ceil(items.length / this.#workers.length);
    await Promise.all(
      this.#workers.map(async (worker, w) => {
        const start = w * size;
        const slice = items.slice(start, start + size);
        if (slice.length === 0) return;
        for (const { index, outcome } of await this.#send(worker, slice)) out[start + index] = outcome;
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#workers.length = 0;
  }
}
