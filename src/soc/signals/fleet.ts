// Fleet changes → SOC events: OpenClaw instances and agents going away or coming back, version
// changes, and fleet agents gaining skills (new tools). Task failures matter when the Shield
// blocked the task or it ran over its cost limit.
import type { FleetEvent } from "../../fleet/events.ts";
import type { OpenClawFleetEvent } from "../../openclaw/events.ts";
import type { SocEventInput, SocSeverity } from "../model.ts";
import { obj, str } from "./fields.ts";
import { lookup } from "../../json-record.ts";

const OPENCLAW: Record<string, { kind: string; severity: SocSeverity; text: string }> = {
  "openclaw.instance.disconnected": { kind: "instance.disconnected", severity: "medium", text: "OpenClaw instance disconnected" },
  "openclaw.instance.reconnected": { kind: "instance.reconnected", severity: "info", text: "OpenClaw instance reconnected" },
  "openclaw.agent.disconnected": { kind: "agent.disconnected", severity: "low", text: "OpenClaw agent disconnected" },
  "openclaw.agent.connected": { kind: "agent.connected", severity: "info", text: "OpenClaw agent connected" },
  "openclaw.instance.version_changed": { kind: "instance.version_changed", severity: "medium", text: "OpenClaw instance version changed" },
};

export function openclawEvent(type: string, event: OpenClawFleetEvent): SocEventInput | null {
  const spec = lookup(OPENCLAW, type);
  if (!spec) return null;
  const from = str(event.details, "from", "previous");
  const to = str(event.details, "to", "version");
  const version = spec.kind === "instance.version_changed" ? ` (${from ?? "?"} → ${to ?? "?"})` : "";
  return {
    workspace: event.workspace,
    ts: event.at,
    source: "openclaw",
    kind: spec.kind,
    instance: event.instanceId,
    agent: event.agentId,
    target: event.agentId ?? event.instanceId,
    severity: spec.severity,
    category: "fleet",
    summary: `${spec.text}: ${event.instanceName}${event.agentId ? ` agent ${event.agentId}` : ""}${version}`,
    evidence: { refs: [event.id] },
    attributes: { instance_name: event.instanceName, ...(from ? { from } : {}), ...(to ? { to } : {}) },
  };
}

function skills(data: Record<string, unknown>): string[] {
  return Array.isArray(data.skills) ? data.skills.filter((s): s is string => typeof s === "string").map((s) => s.slice(0, 100)) : [];
}

/** Fleet agents: created/updated carry the skills list, which the tool tracker diffs. */
export function fleetAgentEvent(type: "agent.created" | "agent.updated" | "agent.deleted", event: FleetEvent): SocEventInput | null {
  if (event.sandbox) return null;
  const id = str(event.data, "id");
  if (!id) return null;
  const name = str(event.data, "name") ?? id;
  return {
    workspace: event.workspace,
    ts: event.occurredAt,
    source: "fleet",
    kind: type,
    agent: id,
    target: id,
    severity: type === "agent.deleted" ? "low" : "info",
    category: "fleet",
    summary: `Fleet agent ${name} ${type.split(".")[1]}`,
    evidence: { refs: [id] },
    attributes: { tools: skills(event.data) },
  };
}

export function fleetTaskEvent(event: FleetEvent): SocEventInput | null {
  if (event.sandbox) return null;
  const error = obj(event.data.error);
  const code = str(error, "code");
  if (code !== "blocked" && code !== "cost_exceeded") return null;
  const id = str(event.data, "id") ?? "task";
  const agent = str(event.data, "agent_id");
  return {
    workspace: event.workspace,
    ts: event.occurredAt,
    source: "fleet",
    kind: "task.failed",
    agent,
    target: code,
    severity: code === "blocked" ? "medium" : "low",
    category: code === "blocked" ? "shield" : "cost",
    summary: `Fleet task ${id} failed: ${code === "blocked" ? "blocked by the Shield" : "over its cost limit"}`,
    evidence: { refs: [`task:${id}`], ...(str(error, "scan_id") ? { scan_ids: [str(error, "scan_id") ?? ""] } : {}) },
    attributes: { error_code: code },
  };
}
