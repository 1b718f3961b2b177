// Tables of the gateway module (src/gateway): traffic records, per-key Shield modes, break-glass.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("gateway_traffic")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("ts", "text", (c) => c.notNull())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("key_id", "text")
      .addColumn("agent_id", "text")
      .addColumn("task_id", "text")
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("request_id", "text")
      .addColumn("route", "text")
      .addColumn("provider", "text")
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("upstream_model", "text")
      .addColumn("stream", "integer", (c) => c.notNull())
      .addColumn("status", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("error_code", "text")
      .addColumn("tokens_in", "integer")
      .addColumn("tokens_out", "integer")
      .addColumn("tokens_estimated", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("cost_usd", "double precision")
      .addColumn("cost_source", "text")
      .addColumn("upstream_ms", "double precision")
      .addColumn("overhead_ms", "double precision")
      .addColumn("ttft_ms", "double precision")
      .addColumn("mode", "text", (c) => c.notNull())
      .addColumn("break_glass", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("inbound_verdict", "text")
      .addColumn("inbound_scan_id", "text")
      .addColumn("outbound_verdict", "text")
      .addColumn("outbound_scan_id", "text")
      .addColumn("redactions", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("external_id", "text")
      .execute();
    await db.schema.createIndex("gateway_traffic_ws_ts").on("gateway_traffic").columns(["workspace", "ts", "id"]).execute();
    await db.schema.createIndex("gateway_traffic_ws_model_ts").on("gateway_traffic").columns(["workspace", "model", "ts"]).execute();
    await db.schema.createIndex("gateway_traffic_external").on("gateway_traffic").columns(["workspace", "external_id"]).unique().execute();

    await db.schema
      .createTable("gateway_key_modes")
      .addColumn("key_id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("mode", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("updated_by", "text", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("gateway_breakglass")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("expires_at", "text", (c) => c.notNull())
      .addColumn("ended_at", "text")
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("started_by", "text", (c) => c.notNull())
      .addColumn("ended_by", "text")
      .execute();
    await db.schema.createIndex("gateway_breakglass_expires").on("gateway_breakglass").column("expires_at").execute();
  },
});
