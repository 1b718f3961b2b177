// Tables of the posture module (src/soc/posture): one row per host posture scan, with its report.
// Plain schema-builder DDL, identical on SQLite and PostgreSQL.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("posture_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("scanned_at", "text", (c) => c.notNull())
      .addColumn("trigger", "text", (c) => c.notNull())
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("report", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("posture_runs_latest").on("posture_runs").columns(["scanned_at", "id"]).execute();
  },
});
