// Tables of the fleet module (src/fleet): agents, tasks (with their transitions and outputs),
// files, and the Idempotency-Key store shared by every /api/v1 write route.
import type { Kysely } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("fleet_agents")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("sandbox", "integer", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("model", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("labels", "text", (c) => c.notNull())
      .addColumn("skills", "text", (c) => c.notNull())
      .addColumn("constraints", "text", (c) => c.notNull())
      .addColumn("restart_policy", "text", (c) => c.notNull())
      .addColumn("max_attempts", "integer", (c) => c.notNull())
      .addColumn("metadata", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("deleted_at", "text")
      .execute();
    await db.schema.createIndex("fleet_agents_list").on("fleet_agents").columns(["workspace", "sandbox", "created_at", "id"]).execute();

    await db.schema
      .createTable("fleet_agent_labels")
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("label", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("fleet_agent_labels_pk", ["agent_id", "label"])
      .execute();
    await db.schema.createIndex("fleet_agent_labels_label").on("fleet_agent_labels").columns(["label", "agent_id"]).execute();

    await db.schema
      .createTable("fleet_tasks")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("sandbox", "integer", (c) => c.notNull())
      .addColumn("agent_id", "text", (c) => c.notNull())
      .addColumn("key_id", "text")
      .addColumn("instructions", "text", (c) => c.notNull())
      .addColumn("file_ids", "text", (c) => c.notNull())
      .addColumn("metadata", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("error_code", "text")
      .addColumn("error_message", "text")
      .addColumn("scan_id", "text")
      .addColumn("model", "text")
      .addColumn("prompt_tokens", "integer")
      .addColumn("completion_tokens", "integer")
      .addColumn("total_tokens", "integer")
      .addColumn("cost_usd", "double precision")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("started_at", "text")
      .addColumn("finished_at", "text")
      .addColumn("updated_at", "text", (c) => c.notNull())
      .addColumn("lease_owner", "text")
      .addColumn("lease_expires_at", "text")
      .execute();
    await db.schema.createIndex("fleet_tasks_list").on("fleet_tasks").columns(["workspace", "sandbox", "created_at", "id"]).execute();
    await db.schema.createIndex("fleet_tasks_queue").on("fleet_tasks").columns(["state", "created_at", "id"]).execute();
    await db.schema.createIndex("fleet_tasks_agent").on("fleet_tasks").columns(["agent_id", "state", "created_at", "id"]).execute();
    await db.schema.createIndex("fleet_tasks_finished").on("fleet_tasks").column("finished_at").execute();

    await db.schema
      .createTable("fleet_task_transitions")
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("at", "text", (c) => c.notNull())
      .addColumn("reason", "text")
      .addPrimaryKeyConstraint("fleet_task_transitions_pk", ["task_id", "seq"])
      .execute();

    await db.schema
      .createTable("fleet_task_outputs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("kind", "text", (c) => c.notNull())
      .addColumn("content_type", "text", (c) => c.notNull())
      .addColumn("content", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("fleet_task_outputs_task").on("fleet_task_outputs").columns(["task_id", "created_at"]).execute();

    await db.schema
      .createTable("fleet_files")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("sandbox", "integer", (c) => c.notNull())
      .addColumn("filename", "text", (c) => c.notNull())
      .addColumn("content_type", "text", (c) => c.notNull())
      .addColumn("detected_type", "text", (c) => c.notNull())
      .addColumn("size", "bigint", (c) => c.notNull())
      .addColumn("sha256", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("scan", "text", (c) => c.notNull())
      .addColumn("created_at", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("fleet_files_list").on("fleet_files").columns(["workspace", "sandbox", "created_at", "id"]).execute();

    await db.schema
      .createTable("idempotency_keys")
      .addColumn("workspace", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("content_type", "text")
      .addColumn("response_body", "text")
      .addColumn("created_at", "text", (c) => c.notNull())
      .addColumn("locked_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["workspace", "key"])
      .execute();
    await db.schema.createIndex("idempotency_keys_created").on("idempotency_keys").column("created_at").execute();
  },
});
