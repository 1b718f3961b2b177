// Kysely shapes of the soc module's tables (created in src/store/migrations/0005_soc.ts).
// Timestamps are ISO-8601 UTC strings and JSON columns are text, as in the core tables.

/** Every security signal, normalised (src/soc/model.ts). */
export interface SocEventsTable {
  id: string;
  ts: string;
  workspace: string;
  source: string;
  kind: string;
  instance: string | null;
  agent: string | null;
  session: string | null;
  sender: string | null;
  target: string | null;
  severity: string;
  category: string;
  summary: string;
  /** JSON EvidenceRefs */
  evidence: string;
  /** JSON Attributes */
  attributes: string;
}

export interface SocAlertsTable {
  /** Assigned under the store-wide write lock at creation: commit order, the SIEM polling cursor. */
  seq: number;
  id: string;
  workspace: string;
  rule_id: string;
  title: string;
  severity: string;
  /** open, acknowledged, resolved, suppressed */
  status: string;
  dedupe_key: string;
  source: string;
  category: string;
  instance: string | null;
  agent: string | null;
  target: string | null;
  summary: string;
  count: number;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
  /** Who last changed the status, and why. */
  status_by: string | null;
  status_reason: string | null;
  suppressed_until: string | null;
  /** JSON: up to 50 event ids, the first ones and the latest. */
  event_ids: string;
  /** JSON EvidenceRefs merged over the events (capped). */
  evidence: string;
}

export interface SocIncidentsTable {
  seq: number;
  id: string;
  workspace: string;
  rule_id: string;
  title: string;
  severity: string;
  status: string;
  group_key: string;
  /** JSON: the grouping values, e.g. {"agent": "a1", "session": "s1"} */
  group_values: string;
  score: number;
  explanation: string;
  /** JSON: per-step contributions to the score. */
  breakdown: string;
  event_count: number;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
  status_by: string | null;
  status_reason: string | null;
  suppressed_until: string | null;
}

export interface SocIncidentEventsTable {
  incident_id: string;
  event_id: string;
  step_id: string;
  ts: string;
  /** Arrival order within the incident. */
  position: number;
}

/** Tools seen per agent, so a tool's first use can be flagged once. */
export interface SocKnownToolsTable {
  workspace: string;
  agent: string;
  tool: string;
  first_seen: string;
}

export interface SocTables {
  soc_events: SocEventsTable;
  soc_alerts: SocAlertsTable;
  soc_incidents: SocIncidentsTable;
  soc_incident_events: SocIncidentEventsTable;
  soc_known_tools: SocKnownToolsTable;
}
