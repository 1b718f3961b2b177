import type { CallOptions } from "../http.ts";
import type { PagePromise } from "../pagination.ts";
import type { Task, TaskCreate, TaskListQuery } from "../types.ts";
import { enc, Resource } from "./resource.ts";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

export class Tasks extends Resource {
  /** Filters: state, agent_id, created_after, created_before, order, limit. */
  list(query: Partial<TaskListQuery> = {}, options?: CallOptions): PagePromise<Task> {
    return this.paginate<Task>("/tasks", query, options);
  }

  create(body: TaskCreate, options?: CallOptions): Promise<Task> {
    return this.call("POST", "/tasks", body, undefined, options);
  }

  get(id: string, options?: CallOptions): Promise<Task> {
    return this.call("GET", `/tasks/${enc(id)}`, undefined, undefined, options);
  }

  /** Cancels a pending or running task (a running one is stopped). */
  cancel(id: string, body: { reason?: string } = {}, options?: CallOptions): Promise<Task> {
    return this.call("POST", `/tasks/${enc(id)}/cancel`, body, undefined, options);
  }

  /** Polls until the task is completed, failed or cancelled. */
  async wait(id: string, { intervalMs = 500, timeoutMs = 600_000 }: { intervalMs?: number; timeoutMs?: number } = {}): Promise<Task> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.get(id);
      if (FINISHED.has(String((task as { state?: unknown }).state))) return task;
      if (Date.now() > deadline) throw new Error(`task ${id} did not finish within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
