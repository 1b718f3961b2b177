// Records fleet changes (an instance or agent going away or coming back): one row in
// openclaw_fleet_events for the status API, and the same event on the core bus.
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { EventBus } from "../../app/events.ts";
import type { Database } from "../../store/schema.ts";
import type { OpenClawFleetEvent, OpenClawFleetEventType } from "../events.ts";

export interface FleetEventRecord extends OpenClawFleetEvent {
  kind: string;
}

export class FleetEvents {
  readonly #db: Kysely<Database>;
  readonly #bus: EventBus;

  constructor(db: Kysely<Database>, bus: EventBus) {
    this.#db = db;
    this.#bus = bus;
  }

  async record(kind: OpenClawFleetEventType, event: Omit<OpenClawFleetEvent, "id" | "at">): Promise<OpenClawFleetEvent> {
    const full: OpenClawFleetEvent = { ...event, id: `ocevt_${randomUUID().replace(/-/g, "")}`, at: new Date().toISOString() };
    await this.#db
      .insertInto("openclaw_fleet_events")
      .values({ id: full.id, workspace: full.workspace, instance_id: full.instanceId, agent_id: full.agentId, kind, at: full.at, details: JSON.stringify({ instanceName: full.instanceName, ...full.details }) })
      .execute();
    await this.#bus.emit(kind, full);
    return full;
  }

  async recent(workspace: string, limit = 50): Promise<FleetEventRecord[]> {
    const rows = await this.#db.selectFrom("openclaw_fleet_events").selectAll().where("workspace", "=", workspace).orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
    return rows.map((r) => {
      const details = JSON.parse(r.details) as Record<string, unknown>;
      const { instanceName, ...rest } = details;
      return { id: r.id, kind: r.kind, workspace: r.workspace, instanceId: r.instance_id, instanceName: typeof instanceName === "string" ? instanceName : "", agentId: r.agent_id, at: r.at, details: rest };
    });
  }
}
