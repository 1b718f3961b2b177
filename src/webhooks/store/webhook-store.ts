// Persistence of webhook endpoints. Every query filters on the workspace and the sandbox flag,
// so an id from another workspace (or from the other side of the sandbox) is simply not found.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { WebhooksTable } from "../tables.ts";

export interface Space {
  workspace: string;
  sandbox: boolean;
}

export interface Position {
  created_at: string;
  id: string;
}

export type WebhookRow = WebhooksTable;
export type WebhookPatch = Partial<Pick<WebhooksTable, "url" | "events" | "description" | "enabled" | "disabled_reason" | "secret_encrypted" | "previous_secret_encrypted" | "previous_secret_expires_at">>;

const flag = (space: Space) => (space.sandbox ? 1 : 0);

export class WebhookStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(row: WebhookRow): Promise<void> {
    await this.#db.insertInto("webhooks").values(row).execute();
  }

  async get(space: Space, id: string): Promise<WebhookRow | undefined> {
    return this.#db.selectFrom("webhooks").selectAll().where("id", "=", id).where("workspace", "=", space.workspace).where("sandbox", "=", flag(space)).executeTakeFirst();
  }

  /** For the delivery worker, which works across workspaces. */
  async getById(id: string): Promise<WebhookRow | undefined> {
    return this.#db.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async count(space: Space): Promise<number> {
    const row = await this.#db
      .selectFrom("webhooks")
      .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", flag(space))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Oldest first, strictly after `after`; `fetch` rows at most. */
  async list(space: Space, after: Position | undefined, fetch: number): Promise<WebhookRow[]> {
    let query = this.#db.selectFrom("webhooks").selectAll().where("workspace", "=", space.workspace).where("sandbox", "=", flag(space));
    if (after) {
      query = query.where((eb) => eb.or([eb("created_at", ">", after.created_at), eb.and([eb("created_at", "=", after.created_at), eb("id", ">", after.id)])]));
    }
    return query.orderBy("created_at", "asc").orderBy("id", "asc").limit(fetch).execute();
  }

  /** Enabled webhooks of a workspace's side; the caller filters by event type. */
  async enabledIn(space: Space): Promise<WebhookRow[]> {
    return this.#db.selectFrom("webhooks").selectAll().where("workspace", "=", space.workspace).where("sandbox", "=", flag(space)).where("enabled", "=", 1).execute();
  }

  async update(space: Space, id: string, patch: WebhookPatch, updatedAt: string): Promise<WebhookRow | undefined> {
    await this.#db
      .updateTable("webhooks")
      .set({ ...patch, updated_at: updatedAt })
      .where("id", "=", id)
      .where("workspace", "=", space.workspace)
      .where("sandbox", "=", flag(space))
      .execute();
    return this.get(space, id);
  }

  /** Deletes the webhook with its deliveries and attempts (run it inside a transaction). */
  async delete(space: Space, id: string): Promise<boolean> {
    const result = await this.#db.deleteFrom("webhooks").where("id", "=", id).where("workspace", "=", space.workspace).where("sandbox", "=", flag(space)).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await this.#db.deleteFrom("webhook_attempts").where("webhook_id", "=", id).execute();
    await this.#db.deleteFrom("webhook_deliveries").where("webhook_id", "=", id).execute();
    return true;
  }
}
