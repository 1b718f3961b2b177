// Stores the correlator's decisions inside the pipeline's transaction: a new incident (audited)
// with its ordered events, or more events and a new score for an open one. An incident resolved
// meanwhile (by an analyst, possibly in another process) is not reopened: the group continues as
// a new incident.
import type { Kysely } from "kysely";
import type { AppendFn } from "../../audit/audit-log.ts";
import type { Database } from "../../store/schema.ts";
import type { SeqAllocator } from "../alerts/alert-engine.ts";
import type { CorrelationAction, Tracked } from "../correlation/correlator.ts";
import type { SocIncidentsTable } from "../tables.ts";
import { breakdownOf, type Incident, incidentFromRow } from "./incident-types.ts";

export interface IncidentWrite {
  incident: Incident;
  created: boolean;
  /** Set when the correlator's incident was resolved in the store and continues under this id. */
  rebound?: { from: string; to: string } | undefined;
}

function eventRows(incidentId: string, tracked: Tracked[], startPosition: number) {
  return tracked.flatMap((t, i) => t.steps.map((step) => ({ incident_id: incidentId, event_id: t.event.id, step_id: step, ts: t.event.ts, position: startPosition + i })));
}

async function insertEvents(trx: Kysely<Database>, rows: ReturnType<typeof eventRows>): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await trx
      .insertInto("soc_incident_events")
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

function span(events: Tracked[]): { first: string; last: string } {
  let first = events[0]?.event.ts ?? "";
  let last = first;
  for (const t of events) {
    if (t.event.ts < first) first = t.event.ts;
    if (t.event.ts > last) last = t.event.ts;
  }
  return { first, last };
}

export async function writeIncident(trx: Kysely<Database>, append: AppendFn, action: CorrelationAction, seq: SeqAllocator, now: string, reopenId: string): Promise<IncidentWrite> {
  const { rule, evaluation } = action;
  const breakdown = JSON.stringify(breakdownOf(evaluation, rule.threshold, rule.ordered, rule.windowMs));
  const { first, last } = span(action.events);
  if (action.type === "update") {
    const current = await trx.selectFrom("soc_incidents").selectAll().where("id", "=", action.incidentId).executeTakeFirst();
    if (current && current.status !== "resolved") {
      const next: Partial<SocIncidentsTable> = {
        score: Math.max(Number(current.score), evaluation.score),
        explanation: evaluation.explanation,
        breakdown,
        event_count: action.events.length,
        last_seen: last > current.last_seen ? last : current.last_seen,
        updated_at: now,
      };
      await trx.updateTable("soc_incidents").set(next).where("id", "=", current.id).execute();
      await insertEvents(trx, eventRows(current.id, action.added, action.events.length - action.added.length));
      return { incident: incidentFromRow({ ...current, ...next }), created: false };
    }
  }
  const id = action.type === "open" ? action.incidentId : reopenId;
  const row: SocIncidentsTable = {
    seq: await seq.next(trx),
    id,
    workspace: action.workspace,
    rule_id: rule.id,
    title: rule.title,
    severity: rule.severity,
    status: "open",
    group_key: action.groupKey,
    group_values: JSON.stringify(action.groupValues),
    score: evaluation.score,
    explanation: evaluation.explanation,
    breakdown,
    event_count: action.events.length,
    first_seen: first,
    last_seen: last,
    created_at: now,
    updated_at: now,
    status_by: null,
    status_reason: null,
    suppressed_until: null,
  };
  await trx.insertInto("soc_incidents").values(row).execute();
  await insertEvents(trx, eventRows(id, action.events, 0));
  await append({ actor: "soc", action: "soc.incident.created", target: `incident:${id}`, workspace: row.workspace, details: { rule_id: rule.id, score: row.score, severity: row.severity, events: row.event_count, group: action.groupValues } });
  return { incident: incidentFromRow(row), created: true, rebound: action.type === "update" ? { from: action.incidentId, to: id } : undefined };
}
