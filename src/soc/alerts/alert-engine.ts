// Raises alerts from events, inside the pipeline's store transaction. For every alert rule an
// event matches: if an alert with the same dedupe key (rule + the rule's dedupe fields, by default
// agent and target) is still active — not resolved, and last seen within the dedupe window — the
// event is folded into it (count, last seen, evidence); otherwise the event waits in the threshold
// window until enough have arrived, and then one alert is created (and audited) for all of them.
import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { AppendFn } from "../../audit/audit-log.ts";
import type { Database } from "../../store/schema.ts";
import { fieldValue, groupKey, maxSeverity, type SocEvent, type SocSeverity } from "../model.ts";
import type { AlertRule } from "../rulebook/schema.ts";
import type { SocAlertsTable } from "../tables.ts";
import { type Alert, alertFromRow, appendEventIds, mergeEvidence } from "./alert-types.ts";
import type { ThresholdTracker } from "./thresholds.ts";

export interface AlertChange {
  alert: Alert;
  created: boolean;
}

/** Hands out seq numbers within one transaction that holds the write lock. */
export class SeqAllocator {
  readonly #table: "soc_alerts" | "soc_incidents";
  #last: number | null = null;

  constructor(table: "soc_alerts" | "soc_incidents") {
    this.#table = table;
  }

  async next(trx: Kysely<Database>): Promise<number> {
    if (this.#last === null) {
      const row = await trx.selectFrom(this.#table).select(sql<string | number | null>`max(seq)`.as("max")).executeTakeFirst();
      this.#last = Number(row?.max ?? 0);
    }
    this.#last += 1;
    return this.#last;
  }
}

/**
 * The alerts one pipeline transaction has read or written, by dedupe key. The transaction holds
 * the write lock, so nobody else changes them meanwhile: a storm of events for one alert reads it
 * once and writes it once per batch, however many events fold into it.
 */
export class AlertBatch {
  readonly seq = new SeqAllocator("soc_alerts");
  readonly #rows = new Map<string, SocAlertsTable | null>();
  readonly #dirty = new Set<string>();

  async latest(trx: Kysely<Database>, workspace: string, key: string): Promise<SocAlertsTable | null> {
    const cacheKey = `${workspace}\u0000${key}`;
    if (this.#rows.has(cacheKey)) return this.#rows.get(cacheKey) ?? null;
    const row = await trx.selectFrom("soc_alerts").selectAll().where("workspace", "=", workspace).where("dedupe_key", "=", key).orderBy("seq", "desc").limit(1).executeTakeFirst();
    this.#rows.set(cacheKey, row ?? null);
    return row ?? null;
  }

  remember(row: SocAlertsTable, dirty: boolean): void {
    const cacheKey = `${row.workspace}\u0000${row.dedupe_key}`;
    this.#rows.set(cacheKey, row);
    if (dirty) this.#dirty.add(cacheKey);
  }

  /** Writes every alert changed in the batch, once each. */
  async finish(trx: Kysely<Database>): Promise<void> {
    for (const cacheKey of this.#dirty) {
      const row = this.#rows.get(cacheKey);
      if (!row) continue;
      const { count, last_seen, severity, updated_at, event_ids, evidence, status, status_by, status_reason, suppressed_until } = row;
      await trx.updateTable("soc_alerts").set({ count, last_seen, severity, updated_at, event_ids, evidence, status, status_by, status_reason, suppressed_until }).where("seq", "=", row.seq).execute();
    }
    this.#dirty.clear();
  }
}

export function alertId(): string {
  return `alr_${randomUUID().replaceAll("-", "")}`;
}

function render(template: string, event: SocEvent, count: number): string {
  return template
    .replace(/\{(attr\.[a-z0-9_]+|[a-z_]+)\}/g, (whole, name: string) => {
      if (name === "count") return String(count);
      if (name === "severity") return event.severity;
      if (name === "summary") return event.summary;
      const value = fieldValue(event, name);
      return value ?? (name.startsWith("attr.") || ["agent", "instance", "session", "sender", "target"].includes(name) ? "-" : whole);
    })
    .slice(0, 500);
}

export function alertSeverity(rule: AlertRule, event: SocEvent): SocSeverity {
  return rule.severity === "event" ? maxSeverity(event.severity, rule.minSeverity) : rule.severity;
}

export function dedupeKey(rule: AlertRule, event: SocEvent): string {
  const values: Record<string, string | null> = {};
  for (const field of rule.dedupe.by) values[field.replace(/\?$/, "")] = fieldValue(event, field);
  return groupKey(rule.id, event.workspace, values);
}

function distinctCount(events: SocEvent[], field: string): number {
  return new Set(events.map((e) => fieldValue(e, field)).filter((v) => v !== null)).size;
}

export class AlertEngine {
  readonly rules: readonly AlertRule[];
  readonly #tracker: ThresholdTracker;
  readonly #clock: () => Date;

  constructor(rules: readonly AlertRule[], tracker: ThresholdTracker, clock: () => Date) {
    this.rules = rules;
    this.#tracker = tracker;
    this.#clock = clock;
  }

  /** The longest threshold window: how far back a restart replays events into the tracker. */
  get maxWindowMs(): number {
    return this.rules.reduce((m, r) => Math.max(m, r.threshold.windowMs), 0);
  }

  /** Warm start: puts a stored event back into the threshold windows without raising anything. */
  remember(event: SocEvent): void {
    for (const rule of this.rules) if ((rule.threshold.count > 1 || rule.threshold.distinct) && rule.matches(event)) this.#tracker.add(dedupeKey(rule, event), event, rule.threshold.windowMs);
  }

  async apply(trx: Kysely<Database>, append: AppendFn, event: SocEvent, batch: AlertBatch): Promise<AlertChange[]> {
    const changes: AlertChange[] = [];
    for (const rule of this.rules) {
      if (!rule.matches(event)) continue;
      const change = await this.#applyRule(trx, append, rule, event, batch);
      if (change) changes.push(change);
    }
    return changes;
  }

  async #applyRule(trx: Kysely<Database>, append: AppendFn, rule: AlertRule, event: SocEvent, batch: AlertBatch): Promise<AlertChange | null> {
    const key = dedupeKey(rule, event);
    const t = Date.parse(event.ts);
    const now = this.#clock().toISOString();
    const latest = await batch.latest(trx, event.workspace, key);
    if (latest && latest.status !== "resolved" && t <= Date.parse(latest.last_seen) + rule.dedupe.windowMs) return { alert: await this.#fold(append, latest, rule, event, now, batch), created: false };

    let after = t - rule.threshold.windowMs;
    if (latest) after = Math.max(after, Date.parse(latest.last_seen), latest.status === "resolved" ? Date.parse(latest.updated_at) : Number.NEGATIVE_INFINITY);
    if (t <= after) return null;
    // A one-event rule needs no window: only rules that count keep events in memory.
    const counting = rule.threshold.count > 1 || rule.threshold.distinct !== undefined;
    if (counting) this.#tracker.add(key, event, rule.threshold.windowMs);
    const pending = counting ? this.#tracker.window(key, after, t) : [event];
    if (pending.length < rule.threshold.count) return null;
    if (rule.threshold.distinct && distinctCount(pending, rule.threshold.distinct.field) < rule.threshold.distinct.min) return null;

    const severity = pending.reduce<SocSeverity>((s, e) => maxSeverity(s, alertSeverity(rule, e)), "info");
    const row: SocAlertsTable = {
      seq: await batch.seq.next(trx),
      id: alertId(),
      workspace: event.workspace,
      rule_id: rule.id,
      title: rule.title,
      severity,
      status: "open",
      dedupe_key: key,
      source: event.source,
      category: event.category,
      instance: event.instance,
      agent: event.agent,
      target: event.target,
      summary: rule.summary ? render(rule.summary, event, pending.length) : event.summary,
      count: pending.length,
      first_seen: pending[0]?.ts ?? event.ts,
      last_seen: event.ts,
      created_at: now,
      updated_at: now,
      status_by: null,
      status_reason: null,
      suppressed_until: null,
      event_ids: JSON.stringify(appendEventIds([], pending.map((e) => e.id))),
      evidence: JSON.stringify(pending.reduce((ev, e) => mergeEvidence(ev, e.evidence), {})),
    };
    await trx.insertInto("soc_alerts").values(row).execute();
    batch.remember(row, false);
    await append({ actor: "soc", action: "soc.alert.created", target: `alert:${row.id}`, workspace: row.workspace, details: { rule_id: rule.id, severity, count: row.count, agent: row.agent, target: row.target } });
    return { alert: alertFromRow(row), created: true };
  }

  async #fold(append: AppendFn, row: SocAlertsTable, rule: AlertRule, event: SocEvent, now: string, batch: AlertBatch): Promise<Alert> {
    const alert = alertFromRow(row);
    const next: Partial<SocAlertsTable> = {
      count: alert.count + 1,
      last_seen: event.ts > row.last_seen ? event.ts : row.last_seen,
      severity: maxSeverity(alert.severity, alertSeverity(rule, event)),
      updated_at: now,
      event_ids: JSON.stringify(appendEventIds(alert.event_ids, [event.id])),
      evidence: JSON.stringify(mergeEvidence(alert.evidence, event.evidence)),
    };
    // A suppression ends at its expiry: the next event after it reopens the alert.
    if (row.status === "suppressed" && row.suppressed_until !== null && row.suppressed_until <= event.ts) {
      Object.assign(next, { status: "open", status_by: "soc", status_reason: "suppression expired", suppressed_until: null });
      await append({ actor: "soc", action: "soc.alert.unsuppressed", target: `alert:${row.id}`, workspace: row.workspace, details: { reason: "suppression expired", suppressed_until: row.suppressed_until } });
    }
    const updated = { ...row, ...next };
    batch.remember(updated, true);
    return alertFromRow(updated);
  }
}
