// Tables of the openclaw module (src/openclaw): registered instances and their health, the
// watcher's checkpoints, per-session usage, model calls (for bypass matching) and fleet events.
// Portable schema builder only, so the same migration runs on SQLite and PostgreSQL.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("openclaw_instances")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("origin", "text", (c) => c.notNull())
      .addColumn("state_dir", "text")
      .addColumn("gateway_url", "text")
      .addColumn("token_env", "text")
      .addColumn("poll_interval_s", "integer", (c) => c.notNull())
      .addColumn("health", "text", (c) => c.notNull().defaultTo("unknown"))
      .addColumn("ready", "integer")
      .addColumn("version", "text")
      .addColumn("last_seen_at", "text")
      .addColumn("last_poll_at", "text")
      .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("gateway_status", "text")
      .addColumn("watch_last_pass_at", "text")
      .addColumn("watch_error", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addUniqueConstraint("openclaw_instances_workspace_name", ["workspace", "name"])
      .execute();

    await db.schema
      .createTable("openclaw_agents")
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("first_seen_at", "text", (c) => c.notNull())
      .addColumn("last_seen_at", "text")
      .addColumn("present", "integer", (c) => c.notNull().defaultTo(1))
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("openclaw_agents_pk", ["instance_id", "agent_id"])
      .execute();

    await db.schema
      .createTable("openclaw_watch_cursors")
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("source_key", "text", (c) => c.notNull())
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("session_id", "text", (c) => c.notNull())
      .addColumn("layout", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("position", "bigint", (c) => c.notNull())
      .addColumn("fingerprint", "text")
      .addColumn("events_read", "bigint", (c) => c.notNull().defaultTo(0))
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("openclaw_watch_cursors_pk", ["instance_id", "source_key"])
      .execute();

    let sessions = db.schema
      .createTable("openclaw_sessions")
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("session_id", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("session_key", "text")
      .addColumn("layout", "text", (c) => c.notNull())
      .addColumn("provider", "text")
      .addColumn("model", "text");
    for (const counter of ["events_read", "events_skipped", "malformed", "unknown_types", "messages", "model_calls", "failed_calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "total_tokens", "detections"]) {
      sessions = sessions.addColumn(counter, "bigint", (c) => c.notNull().defaultTo(0));
    }
    await sessions
      .addColumn("cost_usd", "double precision", (c) => c.notNull().defaultTo(0))
      .addColumn("first_event_at", "text")
      .addColumn("last_event_at", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("openclaw_sessions_pk", ["instance_id", "agent_id", "session_id"])
      .execute();
    await db.schema.createIndex("openclaw_sessions_workspace").on("openclaw_sessions").columns(["workspace", "last_event_at"]).execute();

    await db.schema
      .createTable("openclaw_model_calls")
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("session_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("provider", "text")
      .addColumn("model", "text")
      .addColumn("api", "text")
      .addColumn("input_tokens", "integer", (c) => c.notNull())
      .addColumn("output_tokens", "integer", (c) => c.notNull())
      .addColumn("total_tokens", "integer", (c) => c.notNull())
      .addColumn("cost_usd", "double precision", (c) => c.notNull())
      .addColumn("stop_reason", "text")
      .addColumn("error", "text")
      .addColumn("response_id", "text")
      .addColumn("tool_call_ids", "text", (c) => c.notNull())
      .addColumn("gateway_match", "text", (c) => c.notNull().defaultTo("unknown"))
      .addColumn("gateway_ref", "text")
      .addPrimaryKeyConstraint("openclaw_model_calls_pk", ["instance_id", "session_id", "event_id"])
      .execute();
    await db.schema.createIndex("openclaw_model_calls_match").on("openclaw_model_calls").columns(["gateway_match", "ts"]).execute();
    await db.schema.createIndex("openclaw_model_calls_workspace").on("openclaw_model_calls").columns(["workspace", "ts"]).execute();

    await db.schema
      .createTable("openclaw_event_scans")
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("session_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("part", "text", (c) => c.notNull())
      .addColumn("scan_id", "text", (c) => c.notNull())
      .addColumn("verdict", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("openclaw_event_scans_pk", ["instance_id", "session_id", "event_id", "part"])
      .execute();

    await db.schema
      .createTable("openclaw_fleet_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("instance_id", "text", (c) => c.notNull())
      .addColumn("agent_id", "text")
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("details", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("openclaw_fleet_events_at").on("openclaw_fleet_events").columns(["workspace", "at"]).execute();
  },
});
