// One migration set for SQLite and PostgreSQL. Each migration uses Kysely's portable schema
// builder; the few dialect-specific statements (append-only triggers) branch on the dialect.
import { type Kysely, sql } from "kysely";
import { type Migration, type MigrationProvider, Migrator } from "kysely/migration";
import type { Dialect } from "./database.ts";

type MigrationFactory = (dialect: Dialect) => Migration;

const initial: MigrationFactory = (dialect) => ({
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

/** Ordered by name; append new migrations, never edit a released one. */
const MIGRATIONS: Record<string, MigrationFactory> = {
  "0001_initial": initial,
};

class StaticMigrationProvider implements MigrationProvider {
  readonly #dialect: Dialect;
  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(this.#dialect)]));
  }
}

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect), migrationTableName: "clawnex_migrations", migrationLockTableName: "clawnex_migrations_lock" });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? "unknown error");
    throw new Error(`database migration ${failed?.migrationName ?? ""} failed: ${reason}`);
  }
}
