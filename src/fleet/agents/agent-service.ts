// Agents: create, read, list, change, delete. Each change is audited (identifiers only) in the
// same transaction as the write, and announced on the event bus before the caller answers.
import type { EventBus } from "../../app/events.ts";
import type { AuditLog } from "../../audit/audit-log.ts";
import { AppError, notFound } from "../../errors.ts";
import "../events.ts";
import { newId } from "../../store/ids.ts";
import type { Page, PageRequest, Paginator } from "../shared/pagination.ts";
import { sandboxFlag, type Space } from "../shared/space.ts";
import type { FleetAgentsTable } from "../tables.ts";
import { AgentStore, toAgent } from "./agent-store.ts";
import { type Agent, type AgentConstraints, type AgentFilter, type AgentInput, type AgentPatch, type ConstraintsInput, DEFAULT_CONSTRAINTS } from "./agent-types.ts";

export interface AgentServiceDeps {
  store: AgentStore;
  audit: Pick<AuditLog, "transaction">;
  events: Pick<EventBus, "emit">;
  paginator: Paginator;
  clock?: () => number;
}

/** Applies given fields over `base`; a null field resets it to its default. */
function mergeConstraints(base: AgentConstraints, input: ConstraintsInput | undefined): AgentConstraints {
  const out = { ...base };
  const set = <K extends keyof AgentConstraints>(name: K) => {
    const value = input?.[name];
    if (value === undefined) return;
    out[name] = (value === null ? DEFAULT_CONSTRAINTS[name] : value) as AgentConstraints[K];
  };
  set("max_tokens");
  set("timeout_seconds");
  set("max_cost_usd");
  set("concurrency");
  return out;
}

function normalizeLabels(labels: readonly string[] | undefined): string[] {
  return [...new Set(labels ?? [])];
}

export class AgentService {
  readonly #deps: AgentServiceDeps;

  constructor(deps: AgentServiceDeps) {
    this.#deps = deps;
  }

  async #emit(type: "agent.created" | "agent.updated" | "agent.deleted", space: Space, agent: Agent, at: string): Promise<void> {
    await this.#deps.events.emit(type, { workspace: space.workspace, sandbox: space.sandbox, occurredAt: at, data: { ...agent } });
  }

  async create(space: Space, input: AgentInput, actor: string): Promise<Agent> {
    const { id, at } = newId("agt", this.#deps.clock);
    const row: FleetAgentsTable = {
      id,
      workspace: space.workspace,
      sandbox: sandboxFlag(space),
      name: input.name,
      model: input.model,
      status: input.status ?? "active",
      description: input.description ?? null,
      labels: JSON.stringify(normalizeLabels(input.labels)),
      skills: JSON.stringify([...new Set(input.skills ?? [])]),
      constraints: JSON.stringify(mergeConstraints(DEFAULT_CONSTRAINTS, input.constraints)),
      restart_policy: input.restart_policy ?? "fail",
      max_attempts: input.max_attempts ?? 3,
      metadata: JSON.stringify(input.metadata ?? {}),
      created_at: at,
      updated_at: at,
      deleted_at: null,
    };
    await this.#deps.audit.transaction(async (trx, append) => {
      await new AgentStore(trx).insert(row);
      await append({ actor, action: "agent.created", target: id, workspace: space.workspace, details: { id, name: row.name, model: row.model, sandbox: space.sandbox } });
    });
    const agent = toAgent(row);
    await this.#emit("agent.created", space, agent, at);
    return agent;
  }

  async get(space: Space, id: string): Promise<Agent> {
    const row = await this.#deps.store.get(space, id);
    if (!row) throw notFound(`agent '${id}'`);
    return toAgent(row);
  }

  async list(space: Space, filter: AgentFilter, request: PageRequest): Promise<Page<Agent>> {
    const q = this.#deps.paginator.query("agents", request);
    const rows = await this.#deps.store.list(space, filter, q);
    return this.#deps.paginator.page("agents", q, rows, toAgent);
  }

  async update(space: Space, id: string, patch: AgentPatch, actor: string): Promise<Agent> {
    const current = await this.#deps.store.get(space, id);
    if (!current) throw notFound(`agent '${id}'`);
    const at = new Date(this.#deps.clock?.() ?? Date.now()).toISOString();
    const constraints = mergeConstraints(toAgent(current).constraints, patch.constraints);
    const row: FleetAgentsTable = {
      ...current,
      name: patch.name ?? current.name,
      model: patch.model ?? current.model,
      status: patch.status ?? current.status,
      description: patch.description === undefined ? current.description : patch.description,
      labels: patch.labels === undefined ? current.labels : JSON.stringify(normalizeLabels(patch.labels)),
      skills: patch.skills === undefined ? current.skills : JSON.stringify([...new Set(patch.skills)]),
      constraints: JSON.stringify(constraints),
      restart_policy: patch.restart_policy ?? current.restart_policy,
      max_attempts: patch.max_attempts ?? current.max_attempts,
      metadata: patch.metadata === undefined ? current.metadata : JSON.stringify(patch.metadata),
      updated_at: at,
    };
    const changed = Object.keys(patch).filter((k) => patch[k as keyof AgentPatch] !== undefined);
    const updated = await this.#deps.audit.transaction(async (trx, append) => {
      const ok = await new AgentStore(trx).update(space, row, patch.labels !== undefined);
      if (ok) await append({ actor, action: "agent.updated", target: id, workspace: space.workspace, details: { id, fields: changed, sandbox: space.sandbox } });
      return ok;
    });
    if (!updated) throw notFound(`agent '${id}'`);
    const agent = toAgent(row);
    await this.#emit("agent.updated", space, agent, at);
    return agent;
  }

  /** Refuses (409) while the agent has pending or running tasks: cancel them first. */
  async delete(space: Space, id: string, actor: string): Promise<Agent> {
    const current = await this.#deps.store.get(space, id);
    if (!current) throw notFound(`agent '${id}'`);
    const active = await this.#deps.store.activeTaskCount(id);
    if (active > 0) {
      throw new AppError("conflict", `agent '${id}' has ${active} pending or running task(s); cancel them before deleting the agent`, { details: { active_tasks: active } });
    }
    const at = new Date(this.#deps.clock?.() ?? Date.now()).toISOString();
    const deleted = await this.#deps.audit.transaction(async (trx, append) => {
      const ok = await new AgentStore(trx).softDelete(space, id, at);
      if (ok) await append({ actor, action: "agent.deleted", target: id, workspace: space.workspace, details: { id, name: current.name, sandbox: space.sandbox } });
      return ok;
    });
    if (!deleted) throw notFound(`agent '${id}'`);
    const agent = toAgent({ ...current, updated_at: at });
    await this.#emit("agent.deleted", space, agent, at);
    return agent;
  }
}
