// The incident resource as the API, the exports and the webhooks show it.
import type { Evaluation } from "../correlation/scoring.ts";
import { parseJsonColumn, type SocEvent, type SocSeverity } from "../model.ts";
import type { Status } from "../lifecycle.ts";
import type { SocIncidentsTable } from "../tables.ts";

export interface StepBreakdown {
  id: string;
  label: string;
  weight: number;
  required: boolean;
  satisfied: boolean;
  events: number;
  strongest: SocSeverity | null;
  points: number;
}

export interface Breakdown {
  steps: StepBreakdown[];
  extra_events: number;
  bonus: number;
  threshold: number;
  ordered: boolean;
  window_seconds: number;
}

export interface Incident {
  id: string;
  object: "incident";
  workspace: string;
  seq: number;
  rule_id: string;
  title: string;
  severity: SocSeverity;
  status: Status;
  group: Record<string, string | null>;
  score: number;
  explanation: string;
  breakdown: Breakdown;
  event_count: number;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
  status_by: string | null;
  status_reason: string | null;
  suppressed_until: string | null;
}

export interface IncidentEventEntry {
  position: number;
  steps: string[];
  event: SocEvent;
}

export interface IncidentDetail extends Incident {
  events: IncidentEventEntry[];
}

export function breakdownOf(evaluation: Evaluation, threshold: number, ordered: boolean, windowMs: number): Breakdown {
  return {
    steps: evaluation.steps.map((s) => ({ id: s.step.id, label: s.step.label, weight: s.step.weight, required: s.step.required, satisfied: s.satisfied, events: s.events.length, strongest: s.strongest, points: s.points })),
    extra_events: evaluation.extraEvents,
    bonus: evaluation.bonus,
    threshold,
    ordered,
    window_seconds: Math.round(windowMs / 1000),
  };
}

export function incidentFromRow(row: SocIncidentsTable): Incident {
  return {
    id: row.id,
    object: "incident",
    workspace: row.workspace,
    seq: Number(row.seq),
    rule_id: row.rule_id,
    title: row.title,
    severity: row.severity as SocSeverity,
    status: row.status as Status,
    group: parseJsonColumn<Record<string, string | null>>(row.group_values, {}),
    score: Number(row.score),
    explanation: row.explanation,
    breakdown: parseJsonColumn<Breakdown>(row.breakdown, { steps: [], extra_events: 0, bonus: 0, threshold: 0, ordered: false, window_seconds: 0 }),
    event_count: Number(row.event_count),
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    created_at: row.created_at,
    updated_at: row.updated_at,
    status_by: row.status_by,
    status_reason: row.status_reason,
    suppressed_until: row.suppressed_until,
  };
}
