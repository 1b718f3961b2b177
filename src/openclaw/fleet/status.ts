// Fleet status for one workspace: every registered instance with its health, readiness, version
// and last sighting, and per agent its presence, sessions, tokens, cost, detections and model
// calls that bypassed the ClawNex gateway; plus the latest fleet events.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { FleetEventRecord, FleetEvents } from "./fleet-events.ts";
import type { Instance, InstanceStore } from "./instance-store.ts";

export interface AgentStatus {
  id: string;
  present: boolean;
  lastSeenAt: string | null;
  sessions: number;
  totalTokens: number;
  costUsd: number;
  detections: number;
  modelCalls: { matched: number; bypassed: number; unknown: number };
}

export interface InstanceStatus {
  id: string;
  name: string;
  origin: string;
  gatewayUrl: string | null;
  stateDir: string | null;
  health: Instance["health"];
  ready: boolean | null;
  version: string | null;
  lastSeenAt: string | null;
  lastPollAt: string | null;
  lastError: string | null;
  gateway: unknown;
  watcher: { lastPassAt: string | null; error: string | null };
  sessions: number;
  totalTokens: number;
  costUsd: number;
  agents: AgentStatus[];
}

export interface FleetStatus {
  generatedAt: string;
  instances: InstanceStatus[];
  events: FleetEventRecord[];
}

const n = (v: unknown) => Number(v ?? 0);

export async function fleetStatus(db: Kysely<Database>, instances: InstanceStore, events: FleetEvents, workspace: string): Promise<FleetStatus> {
  const list = await instances.list(workspace);
  const ids = list.map((i) => i.id);
  const none = ["\u0000"];
  const [agentRows, sessionRows, callRows] = await Promise.all([
    db.selectFrom("openclaw_agents").selectAll().where("instance_id", "in", ids.length ? ids : none).execute(),
    db
      .selectFrom("openclaw_sessions")
      .select((eb) => ["instance_id", "agent_id", eb.fn.countAll().as("sessions"), eb.fn.sum("total_tokens").as("tokens"), eb.fn.sum("cost_usd").as("cost"), eb.fn.sum("detections").as("detections"), eb.fn.max("last_event_at").as("last")])
      .where("workspace", "=", workspace)
      .groupBy(["instance_id", "agent_id"])
      .execute(),
    db
      .selectFrom("openclaw_model_calls")
      .select((eb) => ["instance_id", "agent_id", "gateway_match", eb.fn.countAll().as("calls")])
      .where("workspace", "=", workspace)
      .groupBy(["instance_id", "agent_id", "gateway_match"])
      .execute(),
  ]);
  const statuses: InstanceStatus[] = list.map((instance) => {
    const agentIds = new Set([...agentRows.filter((a) => a.instance_id === instance.id).map((a) => a.agent_id), ...sessionRows.filter((s) => s.instance_id === instance.id).map((s) => s.agent_id)]);
    const agents: AgentStatus[] = [...agentIds].sort().map((id) => {
      const row = agentRows.find((a) => a.instance_id === instance.id && a.agent_id === id);
      const usage = sessionRows.find((s) => s.instance_id === instance.id && s.agent_id === id);
      const calls = callRows.filter((c) => c.instance_id === instance.id && c.agent_id === id);
      const count = (match: string) => n(calls.find((c) => c.gateway_match === match)?.calls);
      const last = [row?.last_seen_at, usage?.last as string | null | undefined].filter((v): v is string => typeof v === "string").sort().at(-1) ?? null;
      return {
        id, present: row ? row.present === 1 : true, lastSeenAt: last, sessions: n(usage?.sessions), totalTokens: n(usage?.tokens),
        costUsd: Math.round(n(usage?.cost) * 1e6) / 1e6, detections: n(usage?.detections), modelCalls: { matched: count("matched"), bypassed: count("bypassed"), unknown: count("unknown") },
      };
    });
    return {
      id: instance.id, name: instance.name, origin: instance.origin, gatewayUrl: instance.gatewayUrl, stateDir: instance.stateDir, health: instance.health,
      ready: instance.ready, version: instance.version, lastSeenAt: instance.lastSeenAt, lastPollAt: instance.lastPollAt, lastError: instance.lastError,
      gateway: instance.gatewayStatus, watcher: { lastPassAt: instance.watchLastPassAt, error: instance.watchError },
      sessions: agents.reduce((s, a) => s + a.sessions, 0), totalTokens: agents.reduce((s, a) => s + a.totalTokens, 0),
      costUsd: Math.round(agents.reduce((s, a) => s + a.costUsd, 0) * 1e6) / 1e6, agents,
    };
  });
  return { generatedAt: new Date().toISOString(), instances: statuses, events: await events.recent(workspace) };
}
