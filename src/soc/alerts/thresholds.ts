// Events that matched an alert rule but have not raised an alert yet (a rule with count: 10
// waits for the tenth). Kept in memory per dedupe key, pruned to the rule's threshold window.
// Adding is idempotent per event id, so a retried store transaction does not count twice.
import type { SocEvent } from "../model.ts";

const MAX_KEYS = 100_000;
const MAX_PER_KEY = 10_000;

export class ThresholdTracker {
  readonly #pending = new Map<string, Map<string, SocEvent>>();

  add(key: string, event: SocEvent, windowMs: number): void {
    let events = this.#pending.get(key);
    if (!events) {
      if (this.#pending.size >= MAX_KEYS) this.#pending.delete(this.#pending.keys().next().value ?? "");
      events = new Map();
      this.#pending.set(key, events);
    }
    events.set(event.id, event);
    const cutoff = Date.parse(event.ts) - windowMs;
    for (const [id, e] of events) if (Date.parse(e.ts) < cutoff || events.size > MAX_PER_KEY) events.delete(id);
  }

  /** Pending events of `key` with after < ts ≤ until, oldest first. */
  window(key: string, after: number, until: number): SocEvent[] {
    const events = this.#pending.get(key);
    if (!events) return [];
    return [...events.values()].filter((e) => {
      const t = Date.parse(e.ts);
      return t > after && t <= until;
    }).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  }

  clear(key: string): void {
    this.#pending.delete(key);
  }

  get size(): number {
    return this.#pending.size;
  }
}
