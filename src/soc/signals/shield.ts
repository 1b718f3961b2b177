// Shield scans → SOC events. A scan becomes an event when its verdict is REVIEW or BLOCK, or a
// detection is at least the configured severity. Gateway scans cover a whole conversation and
// list the flagged parts with their roles: they become one event per kind of content (tool
// result, tool call, user text, ...), so a rule can tell an injection in a tool result from one
// typed by the user. Events keep rule ids, titles and categories, never the scanned text.
import type { ScanCompletedEvent } from "../../app/events.ts";
import type { Detection } from "../../shield/types.ts";
import type { Attributes, EvidenceRefs, SocEventInput, SocSeverity } from "../model.ts";
import { severityRank } from "../model.ts";
import { obj, str, uniq } from "./fields.ts";

export interface ShieldSignalOptions {
  minDetectionSeverity: SocSeverity;
  execTools: ReadonlySet<string>;
}

/** What the flagged text was, across producers' role vocabularies. */
export function contentKind(role: string | null, part: string | null): string {
  if (part?.startsWith("toolCall")) return "tool_call";
  if (part?.startsWith("tools[")) return "tool_definition";
  switch (role) {
    case "tool":
    case "toolResult":
    case "tool_result":
    case "function":
      return "tool_result";
    case "user":
    case "assistant":
    case "system":
    case "developer":
      return role === "developer" ? "system" : role;
    case null:
      return "text";
    default:
      return "other";
  }
}

interface Slice {
  role: string | null;
  part: string | null;
  detections: Detection[];
}

function slices(metadata: Record<string, unknown> | null, detections: Detection[]): Slice[] {
  const parts = metadata?.parts;
  if (!Array.isArray(parts) || parts.length === 0) return [{ role: str(metadata, "role"), part: str(metadata, "part"), detections }];
  // Gateway: group the flagged parts by the kind of content they are.
  const byKind = new Map<string, { role: string | null; part: string | null; ruleIds: Set<string> }>();
  for (const p of parts) {
    const part = obj(p);
    if (!part) continue;
    const role = str(part, "role");
    const where = str(part, "where");
    const kind = contentKind(role, where);
    const entry = byKind.get(kind) ?? { role, part: where, ruleIds: new Set<string>() };
    const ids = Array.isArray(part.rule_ids) ? part.rule_ids : [];
    for (const id of ids) if (typeof id === "string") entry.ruleIds.add(id);
    byKind.set(kind, entry);
  }
  const out: Slice[] = [];
  for (const entry of byKind.values()) {
    const matched = detections.filter((d) => entry.ruleIds.has(d.rule_id));
    if (matched.length > 0) out.push({ role: entry.role, part: entry.part, detections: matched });
  }
  return out.length > 0 ? out : [{ role: null, part: null, detections }];
}

function strongest(detections: Detection[]): Detection | undefined {
  return [...detections].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.confidence - a.confidence)[0];
}

export function shieldEvents(payload: ScanCompletedEvent, options: ShieldSignalOptions): SocEventInput[] {
  const { scan } = payload;
  const detections = scan.detections;
  const min = severityRank(options.minDetectionSeverity);
  const notable = scan.verdict !== "ALLOW" || detections.some((d) => severityRank(d.severity) >= min);
  if (!notable || detections.length === 0) return [];
  const metadata = obj((scan as unknown as Record<string, unknown>).metadata);
  // Sandbox tasks run against a simulated model: their scans are test traffic, not security signals.
  if (payload.source.startsWith("sandbox") || metadata?.sandbox === true) return [];
  const agent = payload.agentId ?? str(metadata, "agent", "agent_id");
  const session = payload.sessionId ?? str(metadata, "session", "session_id");
  const instance = payload.instanceId ?? str(metadata, "instance_id", "instance");
  const sender = str(metadata, "sender", "sender_id");
  const toolName = str(metadata, "tool_name");
  const eventId = str(metadata, "event_id");
  const evidenceBase: EvidenceRefs = { scan_ids: [scan.id] };
  if (session && eventId) evidenceBase.transcript = [{ session, event_id: eventId, part: str(metadata, "part") ?? undefined }];
  const refs = [str(metadata, "request_id"), str(metadata, "task_id") ? `task:${str(metadata, "task_id")}` : null].filter((r): r is string => r !== null);
  if (refs.length > 0) evidenceBase.refs = refs;

  return slices(metadata, detections).map((slice) => {
    const top = strongest(slice.detections) ?? slice.detections[0];
    const ruleIds = uniq(slice.detections.map((d) => d.rule_id));
    const kind = contentKind(slice.role, slice.part);
    const attributes: Attributes = {
      verdict: scan.verdict,
      direction: scan.direction,
      scan_source: payload.source,
      score: scan.score,
      enforced: scan.enforced,
      mode: scan.mode,
      content: kind,
      role: slice.role,
      rule_ids: ruleIds,
      categories: uniq(slice.detections.map((d) => d.category)),
      families: uniq(slice.detections.map((d) => d.family)),
      sensitive: slice.detections.some((d) => d.sensitive),
    };
    if (toolName) {
      attributes.tool_name = toolName;
      attributes.tool_class = options.execTools.has(toolName) ? "exec" : "other";
    }
    if (payload.keyId) attributes.key_id = payload.keyId;
    const more = ruleIds.length > 1 ? ` (+${ruleIds.length - 1} more)` : "";
    return {
      workspace: payload.workspace,
      ts: scan.created_at,
      source: "shield",
      kind: "shield.detection",
      instance,
      agent,
      session,
      sender,
      target: top?.rule_id ?? null,
      severity: slice.detections.reduce<SocSeverity>((s, d) => (severityRank(d.severity) > severityRank(s) ? d.severity : s), "low"),
      category: top?.category ?? "unknown",
      summary: `Shield ${scan.verdict} on ${payload.source} ${scan.direction} ${kind.replace("_", " ")}: ${top?.title ?? "detection"}${more}`,
      evidence: { ...evidenceBase, rule_ids: ruleIds },
      attributes,
    };
  });
}
