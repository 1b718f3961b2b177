// How a running task ends badly: failed with a reason (and the scan that blocked it), or, when
// its runner stopped, requeued or failed according to its agent's restart policy. Every end is a
// conditional transition, so it loses cleanly to a cancel that came first.
import type { AgentStore } from "../agents/agent-store.ts";
import { toAgent } from "../agents/agent-store.ts";
import type { FleetTasksTable } from "../tables.ts";
import type { TaskEvents } from "./task-events.ts";
import type { TaskStore } from "./task-store.ts";

export class TaskFailure extends Error {
  readonly code: string;
  readonly scanId: string | null;
  constructor(code: string, message: string, scanId: string | null = null) {
    super(message);
    this.code = code;
    this.scanId = scanId;
  }
}

const iso = () => new Date().toISOString();

export class TaskOutcomes {
  readonly #tasks: TaskStore;
  readonly #agents: AgentStore;
  readonly #events: TaskEvents;

  constructor(tasks: TaskStore, agents: AgentStore, events: TaskEvents) {
    this.#tasks = tasks;
    this.#agents = agents;
    this.#events = events;
  }

  async fail(id: string, failure: TaskFailure, extra: Record<string, unknown> = {}): Promise<void> {
    const at = iso();
    const failed = await this.#tasks.transition(id, ["running"], "failed", at, failure.message, {
      ...extra,
      finished_at: at,
      error_code: failure.code,
      error_message: failure.message,
      scan_id: failure.scanId,
      lease_owner: null,
      lease_expires_at: null,
    });
    if (failed) await this.#events.emitRow("task.failed", failed, at);
  }

  /** A running task whose runner stopped: requeue it (retry policy, attempts left) or fail it. */
  async interrupt(row: FleetTasksTable, why: string): Promise<void> {
    const at = iso();
    const agentRow = await this.#agents.getById(row.agent_id);
    const agent = agentRow && agentRow.deleted_at === null ? toAgent(agentRow) : null;
    const attempts = Number(row.attempts);
    if (agent && agent.restart_policy === "retry" && attempts < agent.max_attempts) {
      await this.#tasks.transition(row.id, ["running"], "pending", at, `${why}; requeued by the agent's retry policy (attempt ${attempts} of ${agent.max_attempts} was interrupted)`, {
        lease_owner: null,
        lease_expires_at: null,
      });
      return;
    }
    const policy = agent ? `restart_policy is ${agent.restart_policy}, attempt ${attempts} of ${agent.max_attempts}` : "its agent no longer exists";
    const message = `interrupted: ${why}; not retried (${policy})`;
    const failed = await this.#tasks.transition(row.id, ["running"], "failed", at, message, {
      finished_at: at,
      error_code: "interrupted",
      error_message: message,
      lease_owner: null,
      lease_expires_at: null,
    });
    if (failed) await this.#events.emitRow("task.failed", failed, at);
  }
}
