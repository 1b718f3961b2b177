// The SOC's one event model: every security signal (Shield detections, trust and posture
// findings, fleet changes, break-glass, key misuse) becomes a SocEvent before alert rules and
// correlation rules see it. Events carry identifiers and evidence references only: never raw
// secrets, API keys or prompt text.

export const SOC_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type SocSeverity = (typeof SOC_SEVERITIES)[number];

const RANK: Record<SocSeverity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityRank(severity: SocSeverity): number {
  return RANK[severity];
}

export function maxSeverity(a: SocSeverity, b: SocSeverity): SocSeverity {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isSeverity(value: unknown): value is SocSeverity {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/** Pointers to where the evidence lives; resolvable through the scan, traffic and transcript APIs. */
export interface EvidenceRefs {
  scan_ids?: string[];
  traffic_ids?: string[];
  /** Positions in an OpenClaw transcript: session file and event id (and part), never the text. */
  transcript?: Array<{ session: string; event_id: string; part?: string | undefined }>;
  /** Audit events the signal came from. */
  audit_ids?: string[];
  /** Shield rule ids or check ids that matched. */
  rule_ids?: string[];
  /** Free-form identifiers (config paths, file paths, key prefixes, ip addresses). */
  refs?: string[];
}

/** Small typed features alert and correlation rules match on (role, verdict, tool, host, ...). */
export type AttributeValue = string | number | boolean | null | string[];
export type Attributes = Record<string, AttributeValue>;

/** What a producer hands in; the SOC fills in id and defaults. */
export interface SocEventInput {
  workspace?: string | undefined;
  /** ISO-8601; defaults to now. */
  ts?: string | undefined;
  /** Which part of ClawNex saw it: shield, trust, posture, fleet, openclaw, gateway, auth, ... */
  source: string;
  /** What happened, dotted: shield.detection, auth.denied, posture.finding, agent.disconnected, ... */
  kind: string;
  instance?: string | null | undefined;
  agent?: string | null | undefined;
  session?: string | null | undefined;
  /** Who sent the content (a channel user, an ip address): for grouping across agents. */
  sender?: string | null | undefined;
  /** What the signal is about (rule id, check id, host, route): part of the alert dedupe key. */
  target?: string | null | undefined;
  severity: SocSeverity;
  category: string;
  /** One line for humans. Identifiers only: no prompt text, no secret values. */
  summary: string;
  evidence?: EvidenceRefs | undefined;
  attributes?: Attributes | undefined;
}

export interface SocEvent {
  id: string;
  workspace: string;
  ts: string;
  source: string;
  kind: string;
  instance: string | null;
  agent: string | null;
  session: string | null;
  sender: string | null;
  target: string | null;
  severity: SocSeverity;
  category: string;
  summary: string;
  evidence: EvidenceRefs;
  attributes: Attributes;
}

/** The fields rules may group and dedupe by; also "attr.NAME". A trailing "?" lets the field be empty. */
export const GROUP_FIELDS = ["workspace", "instance", "agent", "session", "sender", "target", "source", "kind", "category"] as const;
export const GROUP_FIELD_PATTERN = /^(?:workspace|instance|agent|session|sender|target|source|kind|category|attr\.[a-z0-9_]{1,64})\??$/;

/** The value of a group field on an event, as a string; null when absent. */
export function fieldValue(event: SocEvent, field: string): string | null {
  const name = field.endsWith("?") ? field.slice(0, -1) : field;
  if (name.startsWith("attr.")) {
    const value = event.attributes[name.slice(5)];
    if (value === undefined || value === null) return null;
    return Array.isArray(value) ? value.join(",") : String(value);
  }
  switch (name) {
    case "workspace":
    case "source":
    case "kind":
    case "category":
      return event[name];
    case "instance":
    case "agent":
    case "session":
    case "sender":
    case "target":
      return event[name];
    default:
      return null;
  }
}

/**
 * The values of `fields` on an event joined into a key, or null when a required field is empty
 * (the rule does not apply to that event). Optional fields ("session?") group empties together.
 */
export function groupValues(event: SocEvent, fields: readonly string[]): Record<string, string | null> | null {
  const values: Record<string, string | null> = {};
  for (const field of fields) {
    const value = fieldValue(event, field);
    if (value === null && !field.endsWith("?")) return null;
    values[field.replace(/\?$/, "")] = value;
  }
  return values;
}

export function groupKey(ruleId: string, workspace: string, values: Record<string, string | null>): string {
  return [ruleId, workspace, ...Object.entries(values).map(([k, v]) => `${k}=${v ?? "-"}`)].join("|");
}

/** A JSON column read back defensively: a hand-edited row degrades to the fallback, not a failed list. */
export function parseJsonColumn<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
