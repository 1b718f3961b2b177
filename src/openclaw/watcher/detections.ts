// Records what the Shield flagged in a transcript as a scan (source "watcher"), so it lands in
// the scans table and on the core `scan.completed` event like any other scan. Each transcript part
// is recorded once: the link table makes a replayed batch (after a crash or a re-read) a no-op.
import type { ScanRequest, ScanResult } from "../../scans/scan-service.ts";
import type { Verdict } from "../../shield/types.ts";
import type { Flagged } from "./batch-builder.ts";
import type { SessionDelta, WatchStore } from "./watch-store.ts";

export interface DetectionRecorder {
  scan(request: ScanRequest): Promise<ScanResult>;
}

export interface DetectionReport {
  agent: string;
  session: string;
  sessionKey: string | null;
  eventId: string;
  role: string;
  part: string;
  direction: string;
  verdict: Verdict;
  score: number;
  ruleIds: string[];
  toolCallId: string | null;
  toolName: string | null;
  sender: string | null;
  /** The recorded scan; null when this part had been recorded by an earlier pass. */
  scanId: string | null;
}

interface Target {
  instanceId: string;
  instanceName: string;
  workspace: string;
}

function metadataOf(target: Target, f: Flagged): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    instance: target.instanceName,
    instance_id: target.instanceId,
    agent: f.agentId,
    session: f.sessionId,
    event_id: f.eventId,
    role: f.target.role,
    part: f.target.part,
    layout: f.layout,
  };
  if (f.sessionKey) metadata.session_key = f.sessionKey;
  if (f.target.toolCallId) metadata.tool_call_id = f.target.toolCallId;
  if (f.target.toolName) metadata.tool_name = f.target.toolName;
  if (f.target.sender) metadata.sender = f.target.sender;
  return metadata;
}

export async function recordFlagged(target: Target, flagged: Flagged[], store: WatchStore, recorder: DetectionRecorder, deltas: SessionDelta[]): Promise<DetectionReport[]> {
  const reports: DetectionReport[] = [];
  for (const f of flagged) {
    const base = {
      agent: f.agentId, session: f.sessionId, sessionKey: f.sessionKey, eventId: f.eventId, role: f.target.role, part: f.target.part,
      direction: f.target.direction, toolCallId: f.target.toolCallId ?? null, toolName: f.target.toolName ?? null, sender: f.target.sender ?? null,
    };
    if (await store.scanLinkExists(target.instanceId, f.sessionId, f.eventId, f.target.part)) {
      reports.push({ ...base, verdict: f.outcome.verdict, score: f.outcome.score, ruleIds: f.outcome.detections.map((d) => d.rule_id), scanId: null });
      continue;
    }
    const result = await recorder.scan({ text: f.target.text, direction: f.target.direction, source: "watcher", metadata: metadataOf(target, f), workspace: target.workspace });
    await store.linkScan(target.instanceId, f.sessionId, f.eventId, f.target.part, result.id, result.verdict);
    const delta = deltas.find((d) => d.agentId === f.agentId && d.sessionId === f.sessionId);
    if (delta) delta.detections++;
    reports.push({ ...base, verdict: result.verdict, score: result.score, ruleIds: result.detections.map((d) => d.rule_id), scanId: result.id });
  }
  return reports;
}
