// The session watcher as a service: passes over each watched instance, one after another, then a
// pause; repeat until stopped. A pass for an instance never overlaps another pass for it. After
// each pass the bypass matcher compares the new model calls with the gateway's traffic.
import { setTimeout as sleep } from "node:timers/promises";
import type { Direction, ScanOutcome } from "../../shield/types.ts";
import type { WatcherConfig } from "../config-schema.ts";
import type { DetectionRecorder } from "./detections.ts";
import { type PassSummary, WatchPass, type WatchTarget } from "./pass.ts";
import { type Evaluator, inlineEvaluator } from "./scan-pool.ts";
import type { WatchStore } from "./watch-store.ts";

export interface WatcherDeps {
  store: WatchStore;
  recorder: DetectionRecorder;
  evaluate: (text: string, direction: Direction) => ScanOutcome;
  options: WatcherConfig;
  /** Starts the worker pool for large backlogs (absent: every scan runs inline). */
  createPool?: (() => Evaluator & { close(): Promise<void> }) | undefined;
  /** The instances to watch right now (re-read before every round, so new registrations apply). */
  targets: () => Promise<WatchTarget[]>;
  /** Called after every pass (instance bookkeeping, bypass matching). */
  afterPass?: (target: WatchTarget, summary: PassSummary | null, error: unknown) => Promise<void>;
  log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export class SessionWatcher {
  readonly #deps: WatcherDeps;
  readonly #running = new Map<string, Promise<PassSummary>>();
  #stopped = false;
  #loop: Promise<void> | null = null;
  #wake: AbortController | null = null;
  readonly #archivesDone = new Map<string, string>();
  readonly #inline: Evaluator;
  #pool: (Evaluator & { close(): Promise<void> }) | null = null;

  constructor(deps: WatcherDeps) {
    this.#deps = deps;
    this.#inline = inlineEvaluator(deps.evaluate, deps.options.sliceMs);
  }

  /** The worker pool, started on first use (a large backlog), shared by all passes. */
  #poolEvaluator(): Evaluator {
    const create = this.#deps.createPool;
    if (!create) return this.#inline;
    this.#pool ??= create();
    return this.#pool;
  }

  /** One pass over one instance; concurrent calls for the same instance share the running pass. */
  async passOnce(target: WatchTarget, options: { rescan?: boolean } = {}): Promise<PassSummary> {
    const running = this.#running.get(target.instanceId);
    if (running && !options.rescan) return running;
    if (running) await running.catch(() => undefined);
    const pass = (async () => {
      if (options.rescan) await this.#deps.store.resetInstance(target.instanceId);
      return new WatchPass(target, {
        store: this.#deps.store, recorder: this.#deps.recorder, options: this.#deps.options, stopped: () => this.#stopped, archivesDone: this.#archivesDone,
        inline: this.#inline, pool: this.#deps.createPool ? () => this.#poolEvaluator() : null,
      }).run();
    })();
    this.#running.set(target.instanceId, pass);
    try {
      return await pass;
    } finally {
      if (this.#running.get(target.instanceId) === pass) this.#running.delete(target.instanceId);
    }
  }

  start(): void {
    if (this.#loop) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /** Ends the loop; a pass in progress stops at its next slice with its progress committed. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.abort();
    await this.#loop;
    await Promise.allSettled(this.#running.values());
    this.#loop = null;
    await this.#pool?.close();
    this.#pool = null;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let targets: WatchTarget[] = [];
      try {
        targets = await this.#deps.targets();
      } catch (err) {
        this.#deps.log?.warn({ err }, "openclaw watcher: cannot list instances");
      }
      for (const target of targets) {
        if (this.#stopped) break;
        let summary: PassSummary | null = null;
        let error: unknown = null;
        try {
          summary = await this.passOnce(target);
          if (summary.eventsRead > 0 || summary.errors.length > 0) {
            this.#deps.log?.info({ instance: target.instanceName, events: summary.eventsRead, skipped: summary.eventsSkipped, detections: summary.detections.length, errors: summary.errors.length, ms: summary.durationMs }, "openclaw watcher pass");
          }
        } catch (err) {
          error = err;
          this.#deps.log?.warn({ err, instance: target.instanceName }, "openclaw watcher pass failed");
        }
        try {
          await this.#deps.afterPass?.(target, summary, error);
        } catch (err) {
          this.#deps.log?.warn({ err, instance: target.instanceName }, "openclaw watcher: after-pass step failed");
        }
      }
      if (this.#stopped) break;
      this.#wake = new AbortController();
      // Unref'd: the watcher alone never keeps the process alive.
      await sleep(this.#deps.options.intervalSeconds * 1000, undefined, { signal: this.#wake.signal, ref: false }).catch(() => undefined);
    }
  }
}
