// Core tables: API keys, the audit chain, scans, settings.
import { type Kysely, sql } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = (dialect) => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull().defaultTo("default"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("prefix", "text", (c) => c.notNull().unique())
      .addColumn("key_hash", "text", (c) => c.notNull())
      .addColumn("scopes", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text")
      .addColumn("revoked_at", "text")
      .addColumn("last_used_at", "text")
      .execute();

    await db.schema
      .createTable("audit_events")
      .addColumn("seq", "integer", (c) => c.primaryKey())
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull().defaultTo("default"))
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target", "text")
      .addColumn("details", "text", (c) => c.notNull())
      .addColumn("prev_hash", "text", (c) => c.notNull())
      .addColumn("hash", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_events_ts").on("audit_events").column("ts").execute();

    await db.schema
      .createTable("scans")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull().defaultTo("default"))
      .addColumn("key_id", "text")
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("direction", "text", (c) => c.notNull())
      .addColumn("verdict", "text", (c) => c.notNull())
      .addColumn("score", "double precision", (c) => c.notNull())
      .addColumn("mode", "text", (c) => c.notNull())
      .addColumn("enforced", "integer", (c) => c.notNull())
      .addColumn("text_sha256", "text", (c) => c.notNull())
      .addColumn("text_length", "integer", (c) => c.notNull())
      .addColumn("raw_text", "text")
      .addColumn("detections", "text", (c) => c.notNull())
      .addColumn("metadata", "text")
      .addColumn("latency_ms", "double precision", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("scans_ts").on("scans").columns(["workspace", "ts"]).execute();

    await db.schema
      .createTable("settings")
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .execute();

    // The audit trail is append-only at the database level too: updates and deletes are refused.
    if (dialect === "sqlite") {
      await sql`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`.execute(db);
      await sql`CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END`.execute(db);
    } else {
      await sql`CREATE FUNCTION clawnex_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit events are append-only'; END $$`.execute(db);
      await sql`CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION clawnex_audit_append_only()`.execute(db);
    }
  },
  async down() {
    throw new Error("the initial migration cannot be reverted");
  },
});
