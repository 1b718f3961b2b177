// Task rows, their transitions and outputs. A state change is a conditional UPDATE (only from the
// states it may leave) plus its transition row, in one transaction: of two racing changes (the
// runner completing, a user cancelling) exactly one wins and the other sees false.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import { parseJsonArray, parseJsonObject } from "../shared/json.ts";
import type { KeysetQuery } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetTaskOutputsTable, FleetTasksTable, FleetTaskTransitionsTable } from "../tables.ts";
import type { Task, TaskFilter, TaskState } from "./task-types.ts";

export type TaskRowChanges = Partial<Omit<FleetTasksTable, "id" | "workspace" | "sandbox" | "created_at">>;

function ms(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

export function toTask(row: FleetTasksTable, transitions: FleetTaskTransitionsTable[], outputs: FleetTaskOutputsTable[], now = new Date().toISOString()): Task {
  const state = row.state as TaskState;
  const queuedEnd = row.started_at ?? (state === "pending" ? now : row.finished_at);
  const usage =
    row.total_tokens === null ? null : { prompt_tokens: Number(row.prompt_tokens ?? 0), completion_tokens: Number(row.completion_tokens ?? 0), total_tokens: Number(row.total_tokens) };
  return {
    id: row.id,
    object: "task",
    agent_id: row.agent_id,
    instructions: row.instructions,
    file_ids: parseJsonArray(row.file_ids),
    metadata: parseJsonObject(row.metadata),
    state,
    attempts: Number(row.attempts),
    transitions: transitions.map((t) => ({ state: t.state as TaskState, at: t.at, reason: t.reason })),
    outputs: outputs.map((o) => ({ id: o.id, kind: "text", content_type: o.content_type, content: o.content, created_at: o.created_at })),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? "", scan_id: row.scan_id },
    model: row.model,
    timing: {
      created_at: row.created_at,
      started_at: row.started_at,
      finished_at: row.finished_at,
      queued_ms: ms(row.created_at, queuedEnd),
      run_ms: ms(row.started_at, row.finished_at ?? (state === "running" ? now : null)),
    },
    usage,
    cost_usd: row.cost_usd === null ? null : Number(row.cost_usd),
    sandbox: Number(row.sandbox) === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export class TaskStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(row: FleetTasksTable, reason: string | null): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto("fleet_tasks").values(row).execute();
      await trx.insertInto("fleet_task_transitions").values({ task_id: row.id, seq: 1, state: row.state, at: row.created_at, reason }).execute();
    });
  }

  async getRow(space: Space, id: string): Promise<FleetTasksTable | undefined> {
    return this.#db.selectFrom("fleet_tasks").selectAll().where("id", "=", id).where("workspace", "=", space.workspace).where("sandbox", "=", sandboxFlag(space)).executeTakeFirst();
  }

  async getRowById(id: string): Promise<FleetTasksTable | undefined> {
    return this.#db.selectFrom("fleet_tasks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The full resources for these rows (transitions and outputs loaded in two queries). */
  async hydrate(rows: FleetTasksTable[]): Promise<Task[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [transitions, outputs] = await Promise.all([
      this.#db.selectFrom("fleet_task_transitions").selectAll().where("task_id", "in", ids).orderBy("task_id").orderBy("seq").execute(),
      this.#db.selectFrom("fleet_task_outputs").selectAll().where("task_id", "in", ids).orderBy("task_id").orderBy("created_at").orderBy("id").execute(),
    ]);
    const now = new Date().toISOString();
    const group = <T extends { task_id: string }>(items: T[]) => {
      const map = new Map<string, T[]>();
      for (const item of items) map.set(item.task_id, [...(map.get(item.task_id) ?? []), item]);
      return map;
    };
    const transitionsOf = group(transitions);
    const outputsOf = group(outputs);
    return rows.map((row) => toTask(row, transitionsOf.get(row.id) ?? [], outputsOf.get(row.id) ?? [], now));
  }

  async list(space: Space, filter: TaskFilter, q: KeysetQuery): Promise<FleetTasksTable[]> {
    let query = this.#db.selectFrom("fleet_tasks").selectAll().where("workspace", "=", space.workspace).where("sandbox", "=", sandboxFlag(space));
    if (filter.state) query = query.where("state", "=", filter.state);
    if (filter.agent_id) query = query.where("agent_id", "=", filter.agent_id);
    if (filter.created_after) query = query.where("created_at", ">", filter.created_after);
    if (filter.created_before) query = query.where("created_at", "<", filter.created_before);
    const after = q.after;
    if (after) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), q.order === "asc" ? ">" : "<", eb.tuple(after.created_at, after.id)));
    return query.orderBy("created_at", q.order).orderBy("id", q.order).limit(q.fetch).execute();
  }

  /**
   * Moves the task from one of `from` to `to`, applying `changes`, and records the transition.
   * Returns the updated row, or undefined when the task was not in one of `from` (someone else won).
   */
  async transition(id: string, from: readonly TaskState[], to: TaskState, at: string, reason: string | null, changes: TaskRowChanges = {}): Promise<FleetTasksTable | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable("fleet_tasks")
        .set({ ...changes, state: to, updated_at: at })
        .where("id", "=", id)
        .where("state", "in", [...from])
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const last = await trx.selectFrom("fleet_task_transitions").select((eb) => eb.fn.max("seq").as("seq")).where("task_id", "=", id).executeTakeFirst();
      await trx.insertInto("fleet_task_transitions").values({ task_id: id, seq: Number(last?.seq ?? 0) + 1, state: to, at, reason }).execute();
      return trx.selectFrom("fleet_tasks").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    });
  }

  async addOutput(output: FleetTaskOutputsTable): Promise<void> {
    await this.#db.insertInto("fleet_task_outputs").values(output).execute();
  }

  /**
   * Oldest pending tasks first, for the runner: only those of active agents (or of deleted ones,
   * so the runner can fail them), and none of the agents in `saturated` (no free slot). Excluding
   * saturated and paused agents in the query keeps one agent's backlog from starving the others.
   */
  async runnable(limit: number, saturated: readonly string[]): Promise<FleetTasksTable[]> {
    let query = this.#db
      .selectFrom("fleet_tasks")
      .innerJoin("fleet_agents", "fleet_agents.id", "fleet_tasks.agent_id")
      .selectAll("fleet_tasks")
      .where("fleet_tasks.state", "=", "pending")
      .where((eb) => eb.or([eb("fleet_agents.status", "=", "active"), eb("fleet_agents.deleted_at", "is not", null)]));
    if (saturated.length > 0) query = query.where("fleet_tasks.agent_id", "not in", [...saturated]);
    return query.orderBy("fleet_tasks.created_at").orderBy("fleet_tasks.id").limit(limit).execute();
  }

  /** Running tasks per agent, with each agent's constraints (to find agents without a free slot). */
  async runningByAgent(): Promise<Array<{ agent_id: string; running: number; constraints: string }>> {
    const rows = await this.#db
      .selectFrom("fleet_tasks")
      .innerJoin("fleet_agents", "fleet_agents.id", "fleet_tasks.agent_id")
      .select((eb) => ["fleet_tasks.agent_id", "fleet_agents.constraints", eb.fn.countAll().as("running")])
      .where("fleet_tasks.state", "=", "running")
      .groupBy(["fleet_tasks.agent_id", "fleet_agents.constraints"])
      .execute();
    return rows.map((r) => ({ agent_id: r.agent_id, constraints: r.constraints, running: Number(r.running) }));
  }

  async runningCount(agentId: string): Promise<number> {
    const row = await this.#db.selectFrom("fleet_tasks").select((eb) => eb.fn.countAll().as("n")).where("agent_id", "=", agentId).where("state", "=", "running").executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Extends this owner's leases; returns the ids it still holds. */
  async renewLeases(owner: string, ids: string[], until: string): Promise<string[]> {
    if (ids.length === 0) return [];
    await this.#db.updateTable("fleet_tasks").set({ lease_expires_at: until }).where("lease_owner", "=", owner).where("state", "=", "running").where("id", "in", ids).execute();
    const held = await this.#db.selectFrom("fleet_tasks").select("id").where("lease_owner", "=", owner).where("state", "=", "running").where("id", "in", ids).execute();
    return held.map((r) => r.id);
  }

  /** Running tasks whose runner stopped renewing their lease (it crashed or was killed). */
  async lapsed(now: string, limit = 100): Promise<FleetTasksTable[]> {
    return this.#db
      .selectFrom("fleet_tasks")
      .selectAll()
      .where("state", "=", "running")
      .where((eb) => eb.or([eb("lease_expires_at", "is", null), eb("lease_expires_at", "<", now)]))
      .orderBy("created_at")
      .limit(limit)
      .execute();
  }

  /** Deletes finished tasks (and their transitions and outputs) that ended before `cutoff`. */
  async purgeFinishedBefore(cutoff: string, batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.#db
        .selectFrom("fleet_tasks")
        .select("id")
        .where("state", "in", ["completed", "failed", "cancelled"])
        .where("finished_at", "<", cutoff)
        .limit(batch)
        .execute();
      if (rows.length === 0) return total;
      const ids = rows.map((r) => r.id);
      await this.#db.transaction().execute(async (trx) => {
        await trx.deleteFrom("fleet_task_outputs").where("task_id", "in", ids).execute();
        await trx.deleteFrom("fleet_task_transitions").where("task_id", "in", ids).execute();
        await trx.deleteFrom("fleet_tasks").where("id", "in", ids).execute();
      });
      total += ids.length;
      if (rows.length < batch) return total;
    }
  }
}
