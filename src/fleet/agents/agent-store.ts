// Agent rows: every query is bounded to one Space, so another workspace's ids are not found.
// Deleted agents keep their row (their tasks' history refers to them) but vanish from the API.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import { parseJsonArray, parseJsonObject } from "../shared/json.ts";
import type { KeysetQuery } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetAgentsTable } from "../tables.ts";
import { type Agent, type AgentConstraints, type AgentFilter, DEFAULT_CONSTRAINTS, type AgentStatus, type RestartPolicy } from "./agent-types.ts";

export function toAgent(row: FleetAgentsTable): Agent {
  const c = parseJsonObject(row.constraints);
  const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const constraints: AgentConstraints = {
    max_tokens: num(c.max_tokens),
    timeout_seconds: num(c.timeout_seconds),
    max_cost_usd: num(c.max_cost_usd),
    concurrency: num(c.concurrency) ?? DEFAULT_CONSTRAINTS.concurrency,
  };
  return {
    id: row.id,
    object: "agent",
    name: row.name,
    model: row.model,
    description: row.description,
    status: row.status as AgentStatus,
    labels: parseJsonArray(row.labels),
    skills: parseJsonArray(row.skills),
    constraints,
    restart_policy: row.restart_policy as RestartPolicy,
    max_attempts: Number(row.max_attempts),
    metadata: parseJsonObject(row.metadata),
    sandbox: Number(row.sandbox) === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Writes are not wrapped in transactions here: the service runs them inside the audit transaction. */
export class AgentStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(row: FleetAgentsTable): Promise<void> {
    const labels = JSON.parse(row.labels) as string[];
    await this.#db.insertInto("fleet_agents").values(row).execute();
    if (labels.length > 0) await this.#db.insertInto("fleet_agent_labels").values(labels.map((label) => ({ agent_id: row.id, label }))).execute();
  }

  async get(space: Space, id: string): Promise<FleetAgentsTable | undefined> {
    return this.#db
      .selectFrom("fleet_agents")
      .selectAll()
      .where("id", "=", id)
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", sandboxFlag(space))
      .where("deleted_at", "is", null)
      .executeTakeFirst();
  }

  /** Any agent by id, deleted or not, whatever its space: for the task runner only. */
  async getById(id: string): Promise<FleetAgentsTable | undefined> {
    return this.#db.selectFrom("fleet_agents").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async list(space: Space, filter: AgentFilter, q: KeysetQuery): Promise<FleetAgentsTable[]> {
    let query = this.#db
      .selectFrom("fleet_agents")
      .selectAll()
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", sandboxFlag(space))
      .where("deleted_at", "is", null);
    if (filter.status) query = query.where("status", "=", filter.status);
    if (filter.created_after) query = query.where("created_at", ">", filter.created_after);
    if (filter.created_before) query = query.where("created_at", "<", filter.created_before);
    const label = filter.label;
    if (label !== undefined) {
      query = query.where((eb) =>
        eb.exists(eb.selectFrom("fleet_agent_labels").select("fleet_agent_labels.agent_id").whereRef("fleet_agent_labels.agent_id", "=", "fleet_agents.id").where("fleet_agent_labels.label", "=", label)),
      );
    }
    const after = q.after;
    if (after) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), q.order === "asc" ? ">" : "<", eb.tuple(after.created_at, after.id)));
    return query.orderBy("created_at", q.order).orderBy("id", q.order).limit(q.fetch).execute();
  }

  /** Writes the changed row; returns false when it no longer exists (deleted meanwhile). */
  async update(space: Space, row: FleetAgentsTable, labelsChanged: boolean): Promise<boolean> {
    const { id, workspace, sandbox, created_at, ...changes } = row;
    void workspace;
    void sandbox;
    void created_at;
    const result = await this.#db
      .updateTable("fleet_agents")
      .set(changes)
      .where("id", "=", id)
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", sandboxFlag(space))
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    if (labelsChanged) {
      await this.#db.deleteFrom("fleet_agent_labels").where("agent_id", "=", id).execute();
      const labels = JSON.parse(row.labels) as string[];
      if (labels.length > 0) await this.#db.insertInto("fleet_agent_labels").values(labels.map((label) => ({ agent_id: id, label }))).execute();
    }
    return true;
  }

  async softDelete(space: Space, id: string, at: string): Promise<boolean> {
    const result = await this.#db
      .updateTable("fleet_agents")
      .set({ deleted_at: at, updated_at: at })
      .where("id", "=", id)
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", sandboxFlag(space))
      .where("deleted_at", "is", null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await this.#db.deleteFrom("fleet_agent_labels").where("agent_id", "=", id).execute();
    return true;
  }

  async activeTaskCount(id: string): Promise<number> {
    const row = await this.#db
      .selectFrom("fleet_tasks")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("agent_id", "=", id)
      .where("state", "in", ["pending", "running"])
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
