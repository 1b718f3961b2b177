// The agent resource as the API shows it, and the inputs that create and change one.
export const AGENT_STATUSES = ["active", "paused"] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export const RESTART_POLICIES = ["fail", "retry"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export interface AgentConstraints {
  /** Sent as max_tokens on every model call. */
  max_tokens: number | null;
  /** A task running longer is stopped (its upstream call aborted) and failed. */
  timeout_seconds: number | null;
  /** A task whose recorded cost exceeds this fails. */
  max_cost_usd: number | null;
  /** Tasks of this agent running at once. */
  concurrency: number;
}

export interface Agent {
  id: string;
  object: "agent";
  name: string;
  model: string;
  description: string | null;
  status: AgentStatus;
  labels: string[];
  skills: string[];
  constraints: AgentConstraints;
  restart_policy: RestartPolicy;
  max_attempts: number;
  metadata: Record<string, unknown>;
  sandbox: boolean;
  created_at: string;
  updated_at: string;
}

export interface AgentInput {
  name: string;
  model: string;
  description?: string | null | undefined;
  status?: AgentStatus | undefined;
  labels?: string[] | undefined;
  skills?: string[] | undefined;
  /** A null field takes the default. */
  constraints?: ConstraintsInput | undefined;
  restart_policy?: RestartPolicy | undefined;
  max_attempts?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export type ConstraintsInput = { [K in keyof AgentConstraints]?: AgentConstraints[K] | null };

export interface AgentPatch {
  name?: string | undefined;
  model?: string | undefined;
  description?: string | null | undefined;
  status?: AgentStatus | undefined;
  labels?: string[] | undefined;
  skills?: string[] | undefined;
  /** Merged into the current constraints; a null field clears it. */
  constraints?: ConstraintsInput | undefined;
  restart_policy?: RestartPolicy | undefined;
  max_attempts?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
}

export interface AgentFilter {
  status?: AgentStatus | undefined;
  label?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}

export const DEFAULT_CONSTRAINTS: AgentConstraints = { max_tokens: null, timeout_seconds: null, max_cost_usd: null, concurrency: 1 };
