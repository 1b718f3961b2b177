// Kysely shapes of the fleet module's tables (created in src/store/migrations/0003_fleet.ts).
// Timestamps are ISO-8601 UTC strings and JSON columns are text, as in the core tables. Every
// fleet row carries its workspace and a sandbox flag (0/1): the pair is the isolation boundary.

export interface FleetAgentsTable {
  id: string;
  workspace: string;
  sandbox: number;
  name: string;
  model: string;
  status: string;
  description: string | null;
  /** JSON array of strings (also indexed in fleet_agent_labels for filtering). */
  labels: string;
  /** JSON array of strings. */
  skills: string;
  /** JSON object: max_tokens, timeout_seconds, max_cost_usd, concurrency. */
  constraints: string;
  /** What happens to a task that was running when ClawNex stopped: "fail" or "retry". */
  restart_policy: string;
  max_attempts: number;
  metadata: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface FleetAgentLabelsTable {
  agent_id: string;
  label: string;
}

export interface FleetTasksTable {
  id: string;
  workspace: string;
  sandbox: number;
  agent_id: string;
  /** Key that created the task: the runner calls the model on its behalf. */
  key_id: string | null;
  instructions: string;
  /** JSON array of file ids. */
  file_ids: string;
  metadata: string;
  state: string;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  scan_id: string | null;
  model: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
  /** The runner process that holds the task while it runs, and until when (renewed while alive). */
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export interface FleetTaskTransitionsTable {
  task_id: string;
  seq: number;
  state: string;
  at: string;
  reason: string | null;
}

export interface FleetTaskOutputsTable {
  id: string;
  task_id: string;
  kind: string;
  content_type: string;
  content: string;
  created_at: string;
}

export interface FleetFilesTable {
  id: string;
  workspace: string;
  sandbox: number;
  /** The client's file name, for display only: storage uses the id. */
  filename: string;
  content_type: string;
  detected_type: string;
  size: number;
  sha256: string;
  /** clean | flagged | quarantined */
  status: string;
  /** JSON: the scan's findings (reasons, Shield scan ids, clamd answer). */
  scan: string;
  created_at: string;
}

export interface IdempotencyKeysTable {
  workspace: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  /** in_progress | completed */
  state: string;
  status_code: number | null;
  content_type: string | null;
  response_body: string | null;
  created_at: string;
  locked_at: string;
}

export interface FleetTables {
  fleet_agents: FleetAgentsTable;
  fleet_agent_labels: FleetAgentLabelsTable;
  fleet_tasks: FleetTasksTable;
  fleet_task_transitions: FleetTaskTransitionsTable;
  fleet_task_outputs: FleetTaskOutputsTable;
  fleet_files: FleetFilesTable;
  idempotency_keys: IdempotencyKeysTable;
}
