// Tasks as the API sees them: submit (pending, the runner picks it up), read, list, cancel.
import { AppError, notFound } from "../../errors.ts";
import type { AgentStore } from "../agents/agent-store.ts";
import type { FileService } from "../files/file-service.ts";
import { newId } from "../../store/ids.ts";
import type { Page, PageRequest, Paginator } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetTasksTable } from "../tables.ts";
import type { TaskEvents } from "./task-events.ts";
import { type TaskStore, toTask } from "./task-store.ts";
import type { Task, TaskFilter, TaskInput } from "./task-types.ts";

export interface TaskServiceDeps {
  store: TaskStore;
  agents: AgentStore;
  files: Pick<FileService, "usable">;
  events: TaskEvents;
  paginator: Paginator;
  /** Tells the runner there is work (a new task) or a task to stop (cancelled). */
  runner: { wake(): void; abort(taskId: string, reason: string): void };
  clock?: () => number;
}

export class TaskService {
  readonly #deps: TaskServiceDeps;

  constructor(deps: TaskServiceDeps) {
    this.#deps = deps;
  }

  async create(space: Space, input: TaskInput, keyId: string | null): Promise<Task> {
    const agent = await this.#deps.agents.get(space, input.agent_id);
    if (!agent) throw notFound(`agent '${input.agent_id}'`);
    const fileIds = [...new Set(input.file_ids ?? [])];
    await this.#deps.files.usable(space, fileIds);
    const { id, at } = newId("task", this.#deps.clock);
    const row: FleetTasksTable = {
      id,
      workspace: space.workspace,
      sandbox: sandboxFlag(space),
      agent_id: agent.id,
      key_id: keyId,
      instructions: input.instructions,
      file_ids: JSON.stringify(fileIds),
      metadata: JSON.stringify(input.metadata ?? {}),
      state: "pending",
      attempts: 0,
      error_code: null,
      error_message: null,
      scan_id: null,
      model: null,
      prompt_tokens: null,
      completion_tokens: null,
      total_tokens: null,
      cost_usd: null,
      created_at: at,
      started_at: null,
      finished_at: null,
      updated_at: at,
      lease_owner: null,
      lease_expires_at: null,
    };
    await this.#deps.store.insert(row, "submitted");
    const task = toTask(row, [{ task_id: id, seq: 1, state: "pending", at, reason: "submitted" }], [], at);
    await this.#deps.events.emitTask("task.created", row, task, at);
    this.#deps.runner.wake();
    return task;
  }

  async get(space: Space, id: string): Promise<Task> {
    const row = await this.#deps.store.getRow(space, id);
    if (!row) throw notFound(`task '${id}'`);
    const [task] = await this.#deps.store.hydrate([row]);
    if (!task) throw notFound(`task '${id}'`);
    return task;
  }

  async list(space: Space, filter: TaskFilter, request: PageRequest): Promise<Page<Task>> {
    const q = this.#deps.paginator.query("tasks", request);
    const rows = await this.#deps.store.list(space, filter, q);
    const page = this.#deps.paginator.page("tasks", q, rows, (row) => row);
    return { ...page, data: await this.#deps.store.hydrate(page.data) };
  }

  /** Cancels a pending or running task (a running one has its model call aborted); 409 otherwise. */
  async cancel(space: Space, id: string, actor: string, reason: string | undefined): Promise<Task> {
    const row = await this.#deps.store.getRow(space, id);
    if (!row) throw notFound(`task '${id}'`);
    const at = new Date(this.#deps.clock?.() ?? Date.now()).toISOString();
    const why = `cancelled by ${actor}${reason ? `: ${reason}` : ""}`;
    const updated = await this.#deps.store.transition(id, ["pending", "running"], "cancelled", at, why, { finished_at: at, lease_owner: null, lease_expires_at: null });
    if (!updated) {
      const now = await this.#deps.store.getRowById(id);
      throw new AppError("conflict", `task '${id}' is ${now?.state ?? row.state}: only pending or running tasks can be cancelled`, { details: { state: now?.state ?? row.state } });
    }
    this.#deps.runner.abort(id, "cancelled");
    return this.#deps.events.emitRow("task.cancelled", updated, at);
  }
}
