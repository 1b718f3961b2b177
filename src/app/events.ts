// An in-process bus for product events (scans, traffic, tasks, alerts). Producers emit, consumers
// (SOC alerting, webhooks, metrics) subscribe. Modules add their event types by augmenting
// EventMap from their own files:
//   declare module "../app/events.ts" { interface EventMap { "task.created": TaskEvent } }
// Handlers run after the emitting request has done its own work; a failing handler is logged,
// never thrown back at the producer.
import type { AccessDenied } from "../http/auth.ts";
import type { ScanResult } from "../scans/scan-service.ts";

export interface ScanCompletedEvent {
  scan: ScanResult;
  workspace: string;
  keyId: string | null;
  /** Where the text came from: "api", "cli", "gateway", "watcher", "task", ... */
  source: string;
  agentId?: string | undefined;
  sessionId?: string | undefined;
  instanceId?: string | undefined;
}

export interface EventMap {
  "scan.completed": ScanCompletedEvent;
  /** A request refused by authentication, scope or rate limit. */
  "access.denied": AccessDenied & { at: string };
}

export type EventType = keyof EventMap;
type Handler<K extends EventType> = (payload: EventMap[K]) => void | Promise<void>;

export class EventBus {
  readonly #handlers = new Map<EventType, Array<Handler<EventType>>>();
  readonly #onError: (type: string, err: unknown) => void;

  constructor(onError: (type: string, err: unknown) => void = () => {}) {
    this.#onError = onError;
  }

  on<K extends EventType>(type: K, handler: Handler<K>): () => void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as Handler<EventType>);
    this.#handlers.set(type, list);
    return () => {
      const current = this.#handlers.get(type) ?? [];
      this.#handlers.set(type, current.filter((h) => h !== handler));
    };
  }

  /**
   * Calls every handler; returns when all have settled (await it where ordering matters). Each
   * handler is called at once, in order; only those that return a promise cost one: the gateway
   * emits three events per request, mostly to handlers that just count, and a promise per handler
   * per event was young-generation garbage on the hot path.
   */
  emit<K extends EventType>(type: K, payload: EventMap[K]): Promise<void> {
    const list = this.#handlers.get(type);
    if (!list || list.length === 0) return SETTLED;
    let pending: Array<Promise<void>> | undefined;
    // The handlers present now: one added meanwhile (list.push) waits for the next event.
    for (let i = 0, n = list.length; i < n; i++) {
      try {
        const result = (list[i] as Handler<EventType>)(payload);
        if (result) (pending ??= []).push(Promise.resolve(result).then(undefined, (err: unknown) => this.#onError(type, err)));
      } catch (err) {
        this.#onError(type, err);
      }
    }
    if (!pending) return SETTLED;
    return pending.length === 1 ? (pending[0] as Promise<void>) : Promise.all(pending).then(() => undefined);
  }
}

const SETTLED: Promise<void> = Promise.resolve();
