// Registered OpenClaw instances: the ones listed in clawnex.config.json (origin "config", kept in
// step with the file at start), and those added through the API or the CLI. Names are unique per
// workspace; every lookup is scoped to the caller's workspace, so another workspace's instance is
// simply "not found".
import { randomUUID } from "node:crypto";
import { isAbsolute } from "node:path";
import type { Kysely, Selectable } from "kysely";
import { AppError, notFound } from "../../errors.ts";
import type { Database } from "../../store/schema.ts";
import { ENV_NAME, INSTANCE_NAME } from "../config-schema.ts";
import type { OpenclawInstancesTable } from "../tables.ts";

/** watch: created by `clawnex watch` for an ad-hoc state dir; the server does not watch it by itself. */
export type InstanceOrigin = "config" | "api" | "cli" | "local" | "watch";

export interface InstanceInput {
  name: string;
  workspace?: string | undefined;
  stateDir?: string | null | undefined;
  gatewayUrl?: string | null | undefined;
  tokenEnv?: string | null | undefined;
  pollIntervalSeconds?: number | undefined;
}

export interface Instance {
  id: string;
  workspace: string;
  name: string;
  origin: InstanceOrigin;
  stateDir: string | null;
  gatewayUrl: string | null;
  tokenEnv: string | null;
  pollIntervalSeconds: number;
  health: "unknown" | "up" | "down";
  ready: boolean | null;
  version: string | null;
  lastSeenAt: string | null;
  lastPollAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  gatewayStatus: unknown;
  watchLastPassAt: string | null;
  watchError: string | null;
  createdAt: string;
  updatedAt: string;
}

function toInstance(row: Selectable<OpenclawInstancesTable>): Instance {
  let gatewayStatus: unknown = null;
  try {
    gatewayStatus = row.gateway_status ? JSON.parse(row.gateway_status) : null;
  } catch {
    gatewayStatus = null;
  }
  return {
    id: row.id, workspace: row.workspace, name: row.name, origin: row.origin as InstanceOrigin, stateDir: row.state_dir, gatewayUrl: row.gateway_url,
    tokenEnv: row.token_env, pollIntervalSeconds: row.poll_interval_s, health: (["up", "down"].includes(row.health) ? row.health : "unknown") as Instance["health"],
    ready: row.ready === null ? null : row.ready === 1, version: row.version, lastSeenAt: row.last_seen_at, lastPollAt: row.last_poll_at,
    consecutiveFailures: row.consecutive_failures, lastError: row.last_error, gatewayStatus, watchLastPassAt: row.watch_last_pass_at,
    watchError: row.watch_error, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

/** Validates what an API or CLI caller gives; config entries were validated by zod already. */
export function validateInstanceInput(input: InstanceInput): void {
  const problems: string[] = [];
  if (!INSTANCE_NAME.safeParse(input.name).success) problems.push("name: use 1-64 letters, digits, '.', '_' or '-'");
  if (input.gatewayUrl) {
    let url: URL | null = null;
    try {
      url = new URL(input.gatewayUrl);
    } catch {
      problems.push("gatewayUrl: not a URL");
    }
    if (url && url.protocol !== "http:" && url.protocol !== "https:") problems.push("gatewayUrl: must be http:// or https://");
    if (url && (url.username || url.password)) problems.push("gatewayUrl: must not embed credentials (use tokenEnv)");
    const loopback = url && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
    if (url && input.tokenEnv && url.protocol === "http:" && !loopback) problems.push("gatewayUrl: use https:// for a remote gateway, so its token is not sent in clear");
  }
  if (input.stateDir && !isAbsolute(input.stateDir)) problems.push("stateDir: must be an absolute path");
  if (input.tokenEnv && !ENV_NAME.safeParse(input.tokenEnv).success) problems.push("tokenEnv: must be an environment variable name");
  if (!input.gatewayUrl && !input.stateDir) problems.push("give a gatewayUrl, a stateDir, or both");
  if (problems.length > 0) throw new AppError("invalid_request", `invalid instance: ${problems.join("; ")}`, { details: { problems } });
}

export class InstanceStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async list(workspace?: string): Promise<Instance[]> {
    let query = this.#db.selectFrom("openclaw_instances").selectAll().orderBy("workspace").orderBy("name");
    if (workspace !== undefined) query = query.where("workspace", "=", workspace);
    return (await query.execute()).map(toInstance);
  }

  /** By id or by name, within one workspace. */
  async find(workspace: string, idOrName: string): Promise<Instance | undefined> {
    const row = await this.#db
      .selectFrom("openclaw_instances")
      .selectAll()
      .where("workspace", "=", workspace)
      .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
      .executeTakeFirst();
    return row ? toInstance(row) : undefined;
  }

  async get(workspace: string, idOrName: string): Promise<Instance> {
    const found = await this.find(workspace, idOrName);
    if (!found) throw notFound("instance");
    return found;
  }

  async add(input: InstanceInput, origin: InstanceOrigin): Promise<Instance> {
    validateInstanceInput(input);
    const workspace = input.workspace ?? "default";
    if (await this.find(workspace, input.name)) throw new AppError("conflict", `an instance named '${input.name}' already exists in workspace ${workspace}`);
    const now = new Date().toISOString();
    const id = `oci_${randomUUID().replace(/-/g, "")}`;
    await this.#db
      .insertInto("openclaw_instances")
      .values({
        id, workspace, name: input.name, origin, state_dir: input.stateDir ?? null, gateway_url: input.gatewayUrl ?? null, token_env: input.tokenEnv ?? null,
        poll_interval_s: input.pollIntervalSeconds ?? 30, health: "unknown", ready: null, version: null, last_seen_at: null, last_poll_at: null,
        consecutive_failures: 0, last_error: null, gateway_status: null, watch_last_pass_at: null, watch_error: null, created_at: now, updated_at: now,
      })
      .execute();
    return this.get(workspace, id);
  }

  async remove(workspace: string, idOrName: string): Promise<Instance> {
    const instance = await this.get(workspace, idOrName);
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom("openclaw_instances").where("id", "=", instance.id).execute();
      await trx.deleteFrom("openclaw_watch_cursors").where("instance_id", "=", instance.id).execute();
      await trx.deleteFrom("openclaw_agents").where("instance_id", "=", instance.id).execute();
    });
    return instance;
  }

  /**
   * Makes the config-file instances match the file: new ones are added, changed ones updated,
   * removed ones deleted. Instances added through the API or CLI are left alone.
   */
  async syncConfig(entries: Array<InstanceInput & { origin?: InstanceOrigin }>): Promise<void> {
    const managed = (await this.list()).filter((i) => i.origin === "config" || i.origin === "local");
    const now = new Date().toISOString();
    for (const entry of entries) {
      const workspace = entry.workspace ?? "default";
      const origin = entry.origin ?? "config";
      const existing = await this.find(workspace, entry.name);
      if (!existing) {
        await this.add(entry, origin);
        continue;
      }
      await this.#db
        .updateTable("openclaw_instances")
        .set({ origin, state_dir: entry.stateDir ?? null, gateway_url: entry.gatewayUrl ?? null, token_env: entry.tokenEnv ?? null, poll_interval_s: entry.pollIntervalSeconds ?? 30, updated_at: now })
        .where("id", "=", existing.id)
        .execute();
    }
    const wanted = new Set(entries.map((e) => `${e.workspace ?? "default"}\u0000${e.name}`));
    for (const stale of managed) if (!wanted.has(`${stale.workspace}\u0000${stale.name}`)) await this.remove(stale.workspace, stale.id);
  }

  async update(id: string, values: Partial<Omit<OpenclawInstancesTable, "id" | "workspace" | "name" | "created_at">>): Promise<void> {
    await this.#db.updateTable("openclaw_instances").set({ ...values, updated_at: new Date().toISOString() }).where("id", "=", id).execute();
  }
}
