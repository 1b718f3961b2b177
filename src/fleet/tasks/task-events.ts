// Announces a task change on the event bus with the task exactly as the API returns it.
import type { EventBus } from "../../app/events.ts";
import "../events.ts";
import type { FleetTasksTable } from "../tables.ts";
import type { TaskStore } from "./task-store.ts";
import type { Task } from "./task-types.ts";

export type TaskEventType = "task.created" | "task.started" | "task.completed" | "task.failed" | "task.cancelled" | "task.output_received";

export class TaskEvents {
  readonly #events: Pick<EventBus, "emit">;
  readonly #store: TaskStore;

  constructor(events: Pick<EventBus, "emit">, store: TaskStore) {
    this.#events = events;
    this.#store = store;
  }

  /** Emits a task already built from `row`. */
  async emitTask(type: TaskEventType, row: FleetTasksTable, task: Task, occurredAt: string): Promise<void> {
    await this.#events.emit(type, { workspace: row.workspace, sandbox: Number(row.sandbox) === 1, occurredAt, data: { ...task } });
  }

  /** Hydrates the row, emits, and returns the task. */
  async emitRow(type: TaskEventType, row: FleetTasksTable, occurredAt: string): Promise<Task> {
    const [task] = await this.#store.hydrate([row]);
    if (!task) throw new Error(`task ${row.id} vanished`);
    await this.emitTask(type, row, task, occurredAt);
    return task;
  }
}
