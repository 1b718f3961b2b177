// The alert resource as the API, the exports and the webhooks show it.
import { type EvidenceRefs, parseJsonColumn, type SocSeverity } from "../model.ts";
import type { SocAlertsTable } from "../tables.ts";

export const ALERT_STATUSES = ["open", "acknowledged", "resolved", "suppressed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  id: string;
  object: "alert";
  workspace: string;
  /** Creation order: the polling position (`since`). */
  seq: number;
  rule_id: string;
  title: string;
  severity: SocSeverity;
  status: AlertStatus;
  source: string;
  category: string;
  instance: string | null;
  agent: string | null;
  target: string | null;
  summary: string;
  dedupe_key: string;
  count: number;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
  status_by: string | null;
  status_reason: string | null;
  suppressed_until: string | null;
  event_ids: string[];
  evidence: EvidenceRefs;
}

export function alertFromRow(row: SocAlertsTable): Alert {
  return {
    id: row.id,
    object: "alert",
    workspace: row.workspace,
    seq: Number(row.seq),
    rule_id: row.rule_id,
    title: row.title,
    severity: row.severity as SocSeverity,
    status: row.status as AlertStatus,
    source: row.source,
    category: row.category,
    instance: row.instance,
    agent: row.agent,
    target: row.target,
    summary: row.summary,
    dedupe_key: row.dedupe_key,
    count: Number(row.count),
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    created_at: row.created_at,
    updated_at: row.updated_at,
    status_by: row.status_by,
    status_reason: row.status_reason,
    suppressed_until: row.suppressed_until,
    event_ids: parseJsonColumn<string[]>(row.event_ids, []),
    evidence: parseJsonColumn<EvidenceRefs>(row.evidence, {}),
  };
}

const MAX_REFS = 50;

/** Unions evidence lists, keeping at most MAX_REFS entries of each (the first ones). */
export function mergeEvidence(into: EvidenceRefs, add: EvidenceRefs): EvidenceRefs {
  const out: EvidenceRefs = { ...into };
  for (const key of ["scan_ids", "traffic_ids", "audit_ids", "rule_ids", "refs"] as const) {
    const extra = add[key];
    if (!extra || extra.length === 0) continue;
    const merged = [...new Set([...(out[key] ?? []), ...extra])];
    out[key] = merged.slice(0, MAX_REFS);
  }
  if (add.transcript && add.transcript.length > 0) out.transcript = [...(out.transcript ?? []), ...add.transcript].slice(0, MAX_REFS);
  return out;
}

/** Keeps the first 20 event ids and the most recent ones, 50 in all. */
export function appendEventIds(ids: string[], added: string[]): string[] {
  const all = [...ids, ...added];
  if (all.length <= MAX_REFS) return all;
  return [...all.slice(0, 20), ...all.slice(all.length - (MAX_REFS - 20))];
}
