// Webhook secret rotation with an overlap: the secret a rotation replaces keeps signing deliveries
// (next to the new one) until it expires, so receivers can switch without a failed delivery.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable("webhooks").addColumn("previous_secret_encrypted", "text").execute();
    await db.schema.alterTable("webhooks").addColumn("previous_secret_expires_at", "text").execute();
  },
});
