// Table shapes as Kysely sees them. Timestamps are ISO-8601 UTC strings (sortable as text and
// identical on SQLite and PostgreSQL); JSON columns are text.
import type { Generated } from "kysely";
import type { FleetTables } from "../fleet/tables.ts";
import type { GatewayTables } from "../gateway/tables.ts";
import type { OpenClawTables } from "../openclaw/tables.ts";
import type { PostureTables } from "../soc/posture/tables.ts";
import type { SocTables } from "../soc/tables.ts";
import type { WebhooksTables } from "../webhooks/tables.ts";

export interface ApiKeysTable {
  id: string;
  workspace: string;
  name: string;
  prefix: string;
  key_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  ts: string;
  workspace: string;
  actor: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

export interface ScansTable {
  id: string;
  ts: string;
  workspace: string;
  key_id: string | null;
  source: string;
  direction: string;
  verdict: string;
  score: number;
  mode: string;
  enforced: number;
  text_sha256: string;
  text_length: number;
  raw_text: string | null;
  detections: string;
  metadata: string | null;
  latency_ms: number;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface MigrationRow {
  id: Generated<number>;
}

export interface CoreTables {
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  scans: ScansTable;
  settings: SettingsTable;
}

/** Every table; each module declares its own in its tables.ts. */
export interface Database extends CoreTables, GatewayTables, FleetTables, OpenClawTables, SocTables, WebhooksTables, PostureTables {}
