// The correlation engine: keeps, per rule and group (e.g. per agent and session), the events of
// the rule's window in memory, and decides when a group becomes an incident and when a later
// event belongs to an open one. It does no I/O: the pipeline stores what it decides. An incident
// takes further matching events until its group has been quiet for a whole window (or it is
// resolved); after that, the group starts over.
import { randomUUID } from "node:crypto";
import { groupKey, groupValues, type SocEvent } from "../model.ts";
import type { CorrelationRule } from "../rulebook/schema.ts";
import { type Evaluation, evaluate, type Tracked } from "./scoring.ts";

export type { Tracked } from "./scoring.ts";

interface OpenIncident {
  id: string;
  events: Tracked[];
  ids: Set<string>;
  lastTs: number;
}

interface GroupState {
  rule: CorrelationRule;
  key: string;
  values: Record<string, string | null>;
  window: Tracked[];
  incident: OpenIncident | null;
  lastTs: number;
}

export interface CorrelationAction {
  type: "open" | "update";
  incidentId: string;
  rule: CorrelationRule;
  workspace: string;
  groupKey: string;
  groupValues: Record<string, string | null>;
  evaluation: Evaluation;
  /** Every event of the incident, in arrival order. */
  events: Tracked[];
  /** The events this action adds (all of them when opening). */
  added: Tracked[];
}

/** Memory bounds: groups kept, and events kept per group window and per incident. */
const MAX_GROUPS = 200_000;
const MAX_WINDOW_EVENTS = 500;
const MAX_INCIDENT_EVENTS = 1000;
const SWEEP_EVERY = 5000;

export function newIncidentId(): string {
  return `inc_${randomUUID().replaceAll("-", "")}`;
}

export class Correlator {
  readonly rules: readonly CorrelationRule[];
  readonly #groups = new Map<string, GroupState>();
  readonly #byIncident = new Map<string, string>();
  readonly #newId: () => string;
  #arrival = 0;

  constructor(rules: readonly CorrelationRule[], newId: () => string = newIncidentId) {
    this.rules = rules;
    this.#newId = newId;
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  /** The longest window of any rule: how far back a restart must replay events. */
  get maxWindowMs(): number {
    return this.rules.reduce((m, r) => Math.max(m, r.windowMs), 0);
  }

  /** Feeds one event; returns the incidents to open or update. `silent` only rebuilds state (warm start). */
  observe(event: SocEvent, silent = false): CorrelationAction[] {
    const arrival = ++this.#arrival;
    if (arrival % SWEEP_EVERY === 0) this.#sweep(Date.parse(event.ts));
    const actions: CorrelationAction[] = [];
    const t = Date.parse(event.ts);
    for (const rule of this.rules) {
      const steps = rule.steps.filter((s) => s.matches(event)).map((s) => s.id);
      if (steps.length === 0) continue;
      const values = groupValues(event, rule.groupBy);
      if (!values) continue;
      const key = groupKey(rule.id, event.workspace, values);
      const state = this.#state(rule, key, values);
      state.window = state.window.filter((x) => Date.parse(x.event.ts) >= t - rule.windowMs);
      if (state.incident && t - state.incident.lastTs > rule.windowMs) this.#detach(state);
      const tracked: Tracked = { event, arrival, steps };
      state.window.push(tracked);
      if (state.window.length > MAX_WINDOW_EVENTS) state.window.shift();
      state.lastTs = Math.max(state.lastTs, t);
      const incident = state.incident;
      if (incident) {
        if (incident.ids.has(event.id)) continue;
        incident.events.push(tracked);
        incident.ids.add(event.id);
        if (incident.events.length > MAX_INCIDENT_EVENTS) incident.events.splice(1, 1);
        incident.lastTs = Math.max(incident.lastTs, t);
        if (!silent) actions.push(this.#action("update", rule, state, incident, [tracked]));
        continue;
      }
      // A warm start only rebuilds windows: what fired before a restart is in the store already.
      if (silent) continue;
      const evaluation = evaluate(rule, state.window, values);
      if (!evaluation.fires) continue;
      const opened: OpenIncident = { id: this.#newId(), events: [...state.window], ids: new Set(state.window.map((x) => x.event.id)), lastTs: state.lastTs };
      state.incident = opened;
      this.#byIncident.set(opened.id, key);
      if (!silent) actions.push({ type: "open", incidentId: opened.id, rule, workspace: event.workspace, groupKey: key, groupValues: values, evaluation, events: opened.events, added: opened.events });
    }
    return actions;
  }

  /** Re-attaches an incident that is still open in the store (warm start). */
  bind(rule: CorrelationRule, workspace: string, values: Record<string, string | null>, incidentId: string, events: Tracked[], lastTs: number): void {
    const key = groupKey(rule.id, workspace, values);
    const state = this.#state(rule, key, values);
    state.incident = { id: incidentId, events: [...events], ids: new Set(events.map((e) => e.event.id)), lastTs };
    state.lastTs = Math.max(state.lastTs, lastTs);
    this.#byIncident.set(incidentId, key);
  }

  /** The incident was resolved: its group's next events start a new one. */
  release(incidentId: string): void {
    const key = this.#byIncident.get(incidentId);
    const state = key ? this.#groups.get(key) : undefined;
    if (state?.incident?.id === incidentId) {
      state.window = [];
      this.#detach(state);
    }
    this.#byIncident.delete(incidentId);
  }

  /** The store had the incident resolved (by another process): continue under a new id. */
  rebind(oldId: string, newId: string): void {
    const key = this.#byIncident.get(oldId);
    const state = key ? this.#groups.get(key) : undefined;
    if (!key || !state?.incident || state.incident.id !== oldId) return;
    state.incident.id = newId;
    this.#byIncident.delete(oldId);
    this.#byIncident.set(newId, key);
  }

  #action(type: "open" | "update", rule: CorrelationRule, state: GroupState, incident: OpenIncident, added: Tracked[]): CorrelationAction {
    const workspace = incident.events[0]?.event.workspace ?? "default";
    return { type, incidentId: incident.id, rule, workspace, groupKey: state.key, groupValues: state.values, evaluation: evaluate(rule, incident.events, state.values), events: incident.events, added };
  }

  #state(rule: CorrelationRule, key: string, values: Record<string, string | null>): GroupState {
    let state = this.#groups.get(key);
    if (state) {
      // Re-insert: Map order is then least-recently-used first, for eviction.
      this.#groups.delete(key);
    } else {
      state = { rule, key, values, window: [], incident: null, lastTs: Number.NEGATIVE_INFINITY };
      if (this.#groups.size >= MAX_GROUPS) this.#evictOldest();
    }
    this.#groups.set(key, state);
    return state;
  }

  #detach(state: GroupState): void {
    if (state.incident) this.#byIncident.delete(state.incident.id);
    state.incident = null;
  }

  #evictOldest(): void {
    const oldest = this.#groups.keys().next();
    if (oldest.done) return;
    const state = this.#groups.get(oldest.value);
    if (state) this.#detach(state);
    this.#groups.delete(oldest.value);
  }

  /** Drops groups quiet for longer than their rule's window. */
  #sweep(now: number): void {
    for (const [key, state] of this.#groups) {
      if (now - state.lastTs > state.rule.windowMs) {
        this.#detach(state);
        this.#groups.delete(key);
      }
    }
  }
}
