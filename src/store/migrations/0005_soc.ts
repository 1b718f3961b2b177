// Tables of the soc module (src/soc): normalised events, alerts, incidents and their events.
// The seq columns are plain bigints assigned by the SOC under the store-wide write lock (the
// audit lock), so their order is commit order on SQLite and PostgreSQL alike.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("soc_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("instance", "text")
      .addColumn("agent", "text")
      .addColumn("session", "text")
      .addColumn("sender", "text")
      .addColumn("target", "text")
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("evidence", "text", (c) => c.notNull())
      .addColumn("attributes", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("soc_events_ws_ts").on("soc_events").columns(["workspace", "ts"]).execute();
    await db.schema.createIndex("soc_events_ts").on("soc_events").column("ts").execute();

    await db.schema
      .createTable("soc_alerts")
      .addColumn("seq", "bigint", (c) => c.primaryKey())
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("rule_id", "text", (c) => c.notNull())
      .addColumn("title", "text", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("dedupe_key", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("instance", "text")
      .addColumn("agent", "text")
      .addColumn("target", "text")
      .addColumn("summary", "text", (c) => c.notNull())
      .addColumn("count", "bigint", (c) => c.notNull())
      .addColumn("first_seen", "text", (c) => c.notNull())
      .addColumn("last_seen", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("status_by", "text")
      .addColumn("status_reason", "text")
      .addColumn("suppressed_until", "text")
      .addColumn("event_ids", "text", (c) => c.notNull())
      .addColumn("evidence", "text", (c) => c.notNull())
      .execute();
    // The list query pages by (workspace, seq); filtered lists have their own keyset indexes.
    await db.schema.createIndex("soc_alerts_ws_seq").on("soc_alerts").columns(["workspace", "seq"]).execute();
    await db.schema.createIndex("soc_alerts_ws_status_seq").on("soc_alerts").columns(["workspace", "status", "seq"]).execute();
    await db.schema.createIndex("soc_alerts_ws_severity_seq").on("soc_alerts").columns(["workspace", "severity", "seq"]).execute();
    await db.schema.createIndex("soc_alerts_ws_agent_seq").on("soc_alerts").columns(["workspace", "agent", "seq"]).execute();
    // Open-alert counts for /metrics and the suppression-expiry sweep (status first, any workspace).
    await db.schema.createIndex("soc_alerts_status_severity").on("soc_alerts").columns(["status", "severity"]).execute();
    await db.schema.createIndex("soc_alerts_dedupe").on("soc_alerts").columns(["workspace", "dedupe_key", "seq"]).execute();

    await db.schema
      .createTable("soc_incidents")
      .addColumn("seq", "bigint", (c) => c.primaryKey())
      .addColumn("id", "text", (c) => c.notNull().unique())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("rule_id", "text", (c) => c.notNull())
      .addColumn("title", "text", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("group_key", "text", (c) => c.notNull())
      .addColumn("group_values", "text", (c) => c.notNull())
      .addColumn("score", "double precision", (c) => c.notNull())
      .addColumn("explanation", "text", (c) => c.notNull())
      .addColumn("breakdown", "text", (c) => c.notNull())
      .addColumn("event_count", "integer", (c) => c.notNull())
      .addColumn("first_seen", "text", (c) => c.notNull())
      .addColumn("last_seen", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("status_by", "text")
      .addColumn("status_reason", "text")
      .addColumn("suppressed_until", "text")
      .execute();
    await db.schema.createIndex("soc_incidents_ws_seq").on("soc_incidents").columns(["workspace", "seq"]).execute();
    await db.schema.createIndex("soc_incidents_ws_status_seq").on("soc_incidents").columns(["workspace", "status", "seq"]).execute();
    await db.schema.createIndex("soc_incidents_group").on("soc_incidents").columns(["workspace", "group_key", "seq"]).execute();

    await db.schema
      .createTable("soc_incident_events")
      .addColumn("incident_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("step_id", "text", (c) => c.notNull())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("position", "integer", (c) => c.notNull())
      .addPrimaryKeyConstraint("soc_incident_events_pk", ["incident_id", "event_id", "step_id"])
      .execute();

    await db.schema
      .createTable("soc_known_tools")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("agent", "text", (c) => c.notNull())
      .addColumn("tool", "text", (c) => c.notNull())
      .addColumn("first_seen", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("soc_known_tools_pk", ["workspace", "agent", "tool"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ["soc_known_tools", "soc_incident_events", "soc_incidents", "soc_alerts", "soc_events"]) await db.schema.dropTable(table).ifExists().execute();
  },
});
