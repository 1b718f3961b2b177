// Turns a producer's SocEventInput into a stored SocEvent: id and time filled in, severity checked,
// and every string and list capped, so no producer (or API client writing scan metadata) can
// bloat the event store or slip a large blob into an alert.
import { randomUUID } from "node:crypto";
import { type Attributes, type AttributeValue, type EvidenceRefs, isSeverity, parseJsonColumn, type SocEvent, type SocEventInput } from "../model.ts";
import type { SocEventsTable } from "../tables.ts";

const MAX_ID = 200;
const MAX_LIST = 50;
const MAX_ATTRIBUTES = 40;

const cap = (value: string | null | undefined, max = MAX_ID): string | null => (typeof value === "string" && value.length > 0 ? value.slice(0, max) : null);

function capList(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list
    .filter((v): v is string => typeof v === "string")
    .slice(0, MAX_LIST)
    .map((v) => v.slice(0, MAX_ID));
}

function attributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string") return value.slice(0, MAX_ID);
  return capList(value);
}

function attributes(input: Attributes | undefined): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(input ?? {}).slice(0, MAX_ATTRIBUTES)) {
    const v = attributeValue(value);
    if (v !== undefined && /^[a-z0-9_]{1,64}$/.test(key)) out[key] = v;
  }
  return out;
}

function evidence(input: EvidenceRefs | undefined): EvidenceRefs {
  const out: EvidenceRefs = {};
  if (!input) return out;
  for (const key of ["scan_ids", "traffic_ids", "audit_ids", "rule_ids", "refs"] as const) {
    const list = capList(input[key]);
    if (list && list.length > 0) out[key] = list;
  }
  if (Array.isArray(input.transcript)) {
    out.transcript = input.transcript.slice(0, MAX_LIST).map((t) => ({ session: String(t.session).slice(0, MAX_ID), event_id: String(t.event_id).slice(0, MAX_ID), ...(t.part ? { part: String(t.part).slice(0, MAX_ID) } : {}) }));
  }
  return out;
}

function isoOr(ts: string | undefined, fallback: Date): string {
  const ms = ts ? Date.parse(ts) : Number.NaN;
  return new Date(Number.isNaN(ms) ? fallback.getTime() : ms).toISOString();
}

export function normalizeEvent(input: SocEventInput, now: Date): SocEvent {
  return {
    id: `sev_${randomUUID().replaceAll("-", "")}`,
    workspace: cap(input.workspace, 100) ?? "default",
    ts: isoOr(input.ts, now),
    source: cap(input.source, 50) ?? "unknown",
    kind: cap(input.kind, 100) ?? "unknown",
    instance: cap(input.instance),
    agent: cap(input.agent),
    session: cap(input.session),
    sender: cap(input.sender),
    target: cap(input.target),
    severity: isSeverity(input.severity) ? input.severity : "info",
    category: cap(input.category, 64) ?? "unknown",
    summary: cap(input.summary, 500) ?? "",
    evidence: evidence(input.evidence),
    attributes: attributes(input.attributes),
  };
}

export function eventToRow(e: SocEvent): SocEventsTable {
  return { ...e, evidence: JSON.stringify(e.evidence), attributes: JSON.stringify(e.attributes) };
}

export function eventFromRow(row: SocEventsTable): SocEvent {
  return { ...row, severity: isSeverity(row.severity) ? row.severity : "info", evidence: parseJsonColumn<EvidenceRefs>(row.evidence, {}), attributes: parseJsonColumn<Attributes>(row.attributes, {}) };
}
