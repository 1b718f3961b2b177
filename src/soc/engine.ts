// Assembles the SOC's processing parts from a rule set: threshold windows, alert engine,
// correlator, tool tracker and the pipeline that drives them. The module, the rule-fixture
// replays and the benchmark all build the SOC through this one function.
import type { Kysely } from "kysely";
import type { EventBus } from "../app/events.ts";
import type { AuditLog } from "../audit/audit-log.ts";
import type { Database } from "../store/schema.ts";
import { AlertEngine } from "./alerts/alert-engine.ts";
import { ThresholdTracker } from "./alerts/thresholds.ts";
import { Correlator, type Tracked } from "./correlation/correlator.ts";
import { eventFromRow } from "./pipeline/normalize.ts";
import { type PipelineDeps, SocPipeline } from "./pipeline/pipeline.ts";
import { ToolTracker } from "./pipeline/tools.ts";
import type { SocRuleSet } from "./rulebook/load.ts";

export interface SocEngineDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  bus: EventBus;
  rules: SocRuleSet;
  execTools: readonly string[];
  batchSize: number;
  clock: () => Date;
  onError(err: unknown): void;
  onCommitted?: PipelineDeps["onCommitted"];
}

export interface SocEngine {
  pipeline: SocPipeline;
  alerts: AlertEngine;
  correlator: Correlator;
  tools: ToolTracker;
  /** Rebuilds in-memory state from the store: known tools, open incidents, recent events. */
  warm(): Promise<{ events: number; incidents: number }>;
}

/** Warm start reads at most this many recent events. */
const MAX_WARM_EVENTS = 200_000;

export function createSocEngine(deps: SocEngineDeps): SocEngine {
  const alerts = new AlertEngine(deps.rules.alerts, new ThresholdTracker(), deps.clock);
  const correlator = new Correlator(deps.rules.correlations);
  const tools = new ToolTracker(new Set(deps.execTools));
  const pipeline = new SocPipeline({ db: deps.db, audit: deps.audit, alerts, correlator, tools, bus: deps.bus, clock: deps.clock, batchSize: deps.batchSize, onError: deps.onError, onCommitted: deps.onCommitted });

  async function warm(): Promise<{ events: number; incidents: number }> {
    await tools.load(deps.db);
    const now = deps.clock().getTime();
    const horizon = new Date(now - Math.max(correlator.maxWindowMs, alerts.maxWindowMs)).toISOString();
    const byId = new Map(correlator.rules.map((r) => [r.id, r]));
    const open = await deps.db.selectFrom("soc_incidents").selectAll().where("status", "!=", "resolved").where("last_seen", ">=", new Date(now - correlator.maxWindowMs).toISOString()).execute();
    let bound = 0;
    for (const incident of open) {
      const rule = byId.get(incident.rule_id);
      if (!rule || Date.parse(incident.last_seen) < now - rule.windowMs) continue;
      const links = await deps.db
        .selectFrom("soc_incident_events as l")
        .innerJoin("soc_events as e", "e.id", "l.event_id")
        .selectAll("e")
        .select(["l.step_id", "l.position"])
        .where("l.incident_id", "=", incident.id)
        .orderBy("l.position", "asc")
        .limit(1000)
        .execute();
      const tracked = new Map<string, Tracked>();
      for (const link of links) {
        const { step_id, position, ...row } = link;
        const entry = tracked.get(row.id);
        if (entry) entry.steps.push(step_id);
        else tracked.set(row.id, { event: eventFromRow(row), arrival: -1_000_000 + Number(position), steps: [step_id] });
      }
      correlator.bind(rule, incident.workspace, JSON.parse(incident.group_values) as Record<string, string | null>, incident.id, [...tracked.values()], Date.parse(incident.last_seen));
      bound++;
    }
    // Events of incidents resolved since must not seed a new incident after the restart.
    const closed = await deps.db
      .selectFrom("soc_incident_events as l")
      .innerJoin("soc_incidents as i", "i.id", "l.incident_id")
      .select("l.event_id")
      .where("i.status", "=", "resolved")
      .where("i.last_seen", ">=", horizon)
      .execute();
    const skip = new Set(closed.map((c) => c.event_id));
    const rows = await deps.db.selectFrom("soc_events").selectAll().where("ts", ">=", horizon).orderBy("ts", "asc").limit(MAX_WARM_EVENTS).execute();
    for (const row of rows) {
      if (skip.has(row.id)) continue;
      const event = eventFromRow(row);
      correlator.observe(event, true);
      alerts.remember(event);
    }
    return { events: rows.length, incidents: bound };
  }

  return { pipeline, alerts, correlator, tools, warm };
}
