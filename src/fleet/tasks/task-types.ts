// The task resource as the API shows it: state, every transition, outputs, timing, usage, cost.
export const TASK_STATES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const ACTIVE_STATES: readonly TaskState[] = ["pending", "running"];

export interface TaskTransition {
  state: TaskState;
  at: string;
  reason: string | null;
}

export interface TaskOutput {
  id: string;
  kind: "text";
  content_type: string;
  content: string;
  created_at: string;
}

export interface TaskError {
  /** blocked | timeout | cost_exceeded | upstream_error | interrupted | agent_unavailable | file_unavailable | internal_error */
  code: string;
  message: string;
  /** The Shield scan that blocked the prompt, when code is "blocked". */
  scan_id: string | null;
}

export interface Task {
  id: string;
  object: "task";
  agent_id: string;
  instructions: string;
  file_ids: string[];
  metadata: Record<string, unknown>;
  state: TaskState;
  attempts: number;
  transitions: TaskTransition[];
  outputs: TaskOutput[];
  error: TaskError | null;
  model: string | null;
  timing: {
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
    /** Time spent pending before the (last) start, or until now / the end if never started. */
    queued_ms: number | null;
    run_ms: number | null;
  };
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  cost_usd: number | null;
  sandbox: boolean;
  created_at: string;
  updated_at: string;
}

export interface TaskInput {
  agent_id: string;
  instructions: string;
  file_ids?: string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface TaskFilter {
  state?: TaskState | undefined;
  agent_id?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}
