// Persistence of deliveries (one per event and webhook) and their attempts. Deliveries are the
// durable queue: a row is inserted before the triggering request is answered, and the worker
// claims due rows with a conditional UPDATE (a lease), so several workers — in one process or
// several sharing a database — never send the same attempt twice, and a crashed worker's claim
// simply lapses.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from "../tables.ts";
import type { Position } from "./webhook-store.ts";

export type DeliveryRow = WebhookDeliveriesTable;
export type AttemptRow = WebhookAttemptsTable;

export type DeliveryStatus = "pending" | "succeeded" | "failed";

/** What one attempt changed: the attempt row and the delivery's new state. */
export interface AttemptRecord {
  attempt: AttemptRow;
  status: DeliveryStatus;
  nextAttemptAt: string | null;
  at: string;
}

export class DeliveryStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async enqueue(rows: DeliveryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#db.insertInto("webhook_deliveries").values(rows).execute();
  }

  async get(workspace: string, webhookId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.#db.selectFrom("webhook_deliveries").selectAll().where("id", "=", id).where("webhook_id", "=", webhookId).where("workspace", "=", workspace).executeTakeFirst();
  }

  /** Newest first, strictly before `before`; `fetch` rows at most. */
  async listForWebhook(workspace: string, webhookId: string, before: Position | undefined, fetch: number, status?: DeliveryStatus): Promise<DeliveryRow[]> {
    let query = this.#db.selectFrom("webhook_deliveries").selectAll().where("webhook_id", "=", webhookId).where("workspace", "=", workspace);
    if (status) query = query.where("status", "=", status);
    if (before) {
      query = query.where((eb) => eb.or([eb("created_at", "<", before.created_at), eb.and([eb("created_at", "=", before.created_at), eb("id", "<", before.id)])]));
    }
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(fetch).execute();
  }

  async attemptsOf(deliveryIds: string[]): Promise<AttemptRow[]> {
    if (deliveryIds.length === 0) return [];
    return this.#db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "in", deliveryIds).orderBy("delivery_id").orderBy("attempt", "asc").execute();
  }

  /** Pending deliveries due at `now` and not claimed by a live worker, oldest due first. */
  async due(now: string, limit: number): Promise<DeliveryRow[]> {
    return this.#db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("status", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .orderBy("next_attempt_at", "asc")
      .limit(limit)
      .execute();
  }

  /** Claims one attempt until `leaseUntil`; false when another worker got there first. */
  async claim(row: DeliveryRow, now: string, leaseUntil: string): Promise<boolean> {
    const result = await this.#db
      .updateTable("webhook_deliveries")
      .set({ locked_until: leaseUntil })
      .where("id", "=", row.id)
      .where("status", "=", "pending")
      .where("attempt_count", "=", row.attempt_count)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Claims, in one statement, those of `rows` still unclaimed and at the attempt count they were
   * read at; returns the ids this worker got (another worker may have taken some first).
   */
  async claimMany(rows: DeliveryRow[], now: string, leaseUntil: string): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const claimed = await this.#db
      .updateTable("webhook_deliveries")
      .set({ locked_until: leaseUntil })
      .where("status", "=", "pending")
      .where((eb) => eb.or(rows.map((row) => eb.and([eb("id", "=", row.id), eb("attempt_count", "=", row.attempt_count)]))))
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .returning("id")
      .execute();
    return new Set(claimed.map((r) => r.id));
  }

  /** Stores the attempt and the delivery's new state together. */
  async record(delivery: DeliveryRow, record: AttemptRecord): Promise<void> {
    const { attempt } = record;
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto("webhook_attempts").values(attempt).execute();
      await trx
        .updateTable("webhook_deliveries")
        .set({
          status: record.status,
          attempt_count: attempt.attempt,
          next_attempt_at: record.nextAttemptAt,
          locked_until: null,
          last_status_code: attempt.status_code,
          last_error: attempt.error,
          updated_at: record.at,
          completed_at: record.status === "pending" ? null : record.at,
        })
        .where("id", "=", delivery.id)
        .execute();
    });
  }

  /** Ends a delivery without an attempt (its webhook was disabled or deleted meanwhile). */
  async abandon(delivery: DeliveryRow, reason: string, at: string): Promise<void> {
    await this.#db
      .updateTable("webhook_deliveries")
      .set({ status: "failed", next_attempt_at: null, locked_until: null, last_error: reason, updated_at: at, completed_at: at })
      .where("id", "=", delivery.id)
      .execute();
  }

  /** Deletes finished deliveries (and their attempts) completed before `before`. */
  async purgeFinished(before: string): Promise<number> {
    return this.#db.transaction().execute(async (trx) => {
      const old = trx.selectFrom("webhook_deliveries").select("id").where("status", "!=", "pending").where("completed_at", "<", before);
      await trx.deleteFrom("webhook_attempts").where("delivery_id", "in", old).execute();
      const result = await trx.deleteFrom("webhook_deliveries").where("status", "!=", "pending").where("completed_at", "<", before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
