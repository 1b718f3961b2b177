// Kysely shapes of the openclaw module's tables (created in src/store/migrations/0004_openclaw.ts).
// Timestamps are ISO-8601 UTC strings and JSON columns are text, as in the core tables. Counters
// declared `number | string` are bigint columns: PostgreSQL returns those as strings, so readers
// convert with Number().

type BigCount = number | string;

/** A registered OpenClaw instance (from the config file, the API or the CLI) and its last health. */
export interface OpenclawInstancesTable {
  id: string;
  workspace: string;
  name: string;
  /** config | api | cli | local */
  origin: string;
  state_dir: string | null;
  gateway_url: string | null;
  token_env: string | null;
  poll_interval_s: number;
  /** unknown | up | down */
  health: string;
  /** 1 ready, 0 not ready, null never answered. */
  ready: number | null;
  version: string | null;
  last_seen_at: string | null;
  last_poll_at: string | null;
  consecutive_failures: number;
  last_error: string | null;
  /** JSON: what the gateway's WebSocket status read returned (or why it could not). */
  gateway_status: string | null;
  watch_last_pass_at: string | null;
  watch_error: string | null;
  created_at: string;
  updated_at: string;
}

/** One agent of an instance: seen in its state dir, its transcripts or its gateway. */
export interface OpenclawAgentsTable {
  instance_id: string;
  agent_id: string;
  first_seen_at: string;
  /** Last transcript activity or gateway sighting. */
  last_seen_at: string | null;
  /** 1 while the agent is present (listed by its instance), 0 once it disappeared. */
  present: number;
  updated_at: string;
}

/** Where the watcher stands in one transcript: a SQLite session (last seq) or a JSONL file (byte offset). */
export interface OpenclawWatchCursorsTable {
  instance_id: string;
  /** sqlite:<agent>:<session> or jsonl:<agent>:<session> */
  source_key: string;
  agent_id: string;
  session_id: string;
  layout: string;
  /** The file last read (JSONL: the live file or the archive it was rotated into). */
  path: string;
  position: BigCount;
  /** JSONL: hash of the file's first bytes, to tell rotation and replacement from growth. */
  fingerprint: string | null;
  events_read: BigCount;
  updated_at: string;
}

/** Per-session totals: what the watcher read and what the session cost. */
export interface OpenclawSessionsTable {
  instance_id: string;
  agent_id: string;
  session_id: string;
  workspace: string;
  session_key: string | null;
  layout: string;
  provider: string | null;
  model: string | null;
  events_read: BigCount;
  events_skipped: BigCount;
  malformed: BigCount;
  unknown_types: BigCount;
  messages: BigCount;
  model_calls: BigCount;
  failed_calls: BigCount;
  input_tokens: BigCount;
  output_tokens: BigCount;
  cache_read_tokens: BigCount;
  cache_write_tokens: BigCount;
  total_tokens: BigCount;
  cost_usd: number;
  detections: BigCount;
  first_event_at: string | null;
  last_event_at: string | null;
  updated_at: string;
}

/** One assistant turn (model call) read from a transcript, and whether the gateway saw it. */
export interface OpenclawModelCallsTable {
  instance_id: string;
  session_id: string;
  event_id: string;
  agent_id: string;
  workspace: string;
  ts: string;
  provider: string | null;
  model: string | null;
  api: string | null;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  stop_reason: string | null;
  /** Set for failed calls (stopReason "error"): OpenClaw's errorMessage, cut short. */
  error: string | null;
  response_id: string | null;
  /** JSON array of the call's tool-call ids, normalised the way OpenClaw rewrites them upstream. */
  tool_call_ids: string;
  /** unknown | matched | bypassed */
  gateway_match: string;
  gateway_ref: string | null;
}

/** Links a transcript message part to the scan recorded for it, so re-reads never record twice. */
export interface OpenclawEventScansTable {
  instance_id: string;
  session_id: string;
  event_id: string;
  part: string;
  scan_id: string;
  verdict: string;
  created_at: string;
}

/** Fleet changes worth an operator's attention: disconnects, reconnects, agents appearing or leaving. */
export interface OpenclawFleetEventsTable {
  id: string;
  workspace: string;
  instance_id: string;
  agent_id: string | null;
  kind: string;
  at: string;
  details: string;
}

export interface OpenClawTables {
  openclaw_instances: OpenclawInstancesTable;
  openclaw_agents: OpenclawAgentsTable;
  openclaw_watch_cursors: OpenclawWatchCursorsTable;
  openclaw_sessions: OpenclawSessionsTable;
  openclaw_model_calls: OpenclawModelCallsTable;
  openclaw_event_scans: OpenclawEventScansTable;
  openclaw_fleet_events: OpenclawFleetEventsTable;
}
