// Interprets one OpenClaw transcript event (the session format shared by the JSONL files and the
// SQLite `transcript_events.event_json` column, version 4 in OpenClaw 2026.9.6): what to scan, in
// which direction, and which model call it records. Field names follow OpenClaw's own docs
// (reference/session-management-compaction/schema.md) and real transcripts it wrote; anything
// else is "unknown" and counted, never fatal.
import type { Direction } from "../../shield/types.ts";
import { stripInboundMetadata } from "./inbound-meta.ts";
import { isRecord } from "../../json-record.ts";

export type MessageRole = "user" | "assistant" | "toolResult" | "custom_message";

export interface ScanTarget {
  /** Which part of the event: "text", or "toolCall:<id>" for an assistant's tool-call arguments. */
  part: string;
  text: string;
  direction: Direction;
  role: MessageRole;
  toolCallId?: string | undefined;
  toolName?: string | undefined;
  sender?: string | null | undefined;
}

export interface ModelCall {
  provider: string | null;
  model: string | null;
  api: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  costUsd: number;
  stopReason: string | null;
  error: string | null;
  responseId: string | null;
  toolCallIds: string[];
}

export type Interpreted =
  | { kind: "session"; id: string | null; timestamp: string | null }
  | { kind: "model_change"; provider: string | null; model: string | null; timestamp: string | null }
  | { kind: "message"; id: string; timestamp: string | null; role: MessageRole; targets: ScanTarget[]; call: ModelCall | null }
  /** A known type with nothing to scan (custom state, compaction summaries, thinking level, ...). */
  | { kind: "known"; type: string; timestamp: string | null }
  | { kind: "unknown"; type: string };

/** Entry types OpenClaw documents that carry nothing for the Shield. */
const PASSIVE_TYPES = new Set(["custom", "compaction", "branch_summary", "reset", "thinking_level_change", "label", "session_info"]);

type Json = Record<string, unknown>;

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** OpenClaw rewrites tool-call ids upstream by dropping non-alphanumerics ("call_fake_2" → "callfake2"). */
export function normalizeToolCallId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, "");
}

/** The text parts of a message's content (a string, or an array of typed parts). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") parts.push(part);
    else if (isRecord(part) && part.type === "text" && typeof part.text === "string") parts.push(part.text);
  }
  return parts.join("\n");
}

function timestampOf(event: Json): string | null {
  const ts = event.timestamp;
  if (typeof ts === "string") return ts;
  if (typeof ts === "number" && Number.isFinite(ts)) return new Date(ts).toISOString();
  return null;
}

function assistant(message: Json, scanToolCalls: boolean): { targets: ScanTarget[]; call: ModelCall } {
  const targets: ScanTarget[] = [];
  const toolCallIds: string[] = [];
  const text = textOf(message.content);
  if (text.trim() !== "") targets.push({ part: "text", text, direction: "outbound", role: "assistant" });
  if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (!isRecord(part) || part.type !== "toolCall") continue;
      const id = str(part.id) ?? "";
      if (id) toolCallIds.push(normalizeToolCallId(id));
      if (!scanToolCalls) continue;
      const args = typeof part.arguments === "string" ? part.arguments : JSON.stringify(part.arguments ?? {});
      targets.push({ part: `toolCall:${id}`, text: `${str(part.name) ?? "tool"} ${args}`, direction: "outbound", role: "assistant", toolCallId: id, toolName: str(part.name) ?? undefined });
    }
  }
  const usage = isRecord(message.usage) ? message.usage : {};
  const cost = isRecord(usage.cost) ? usage.cost : {};
  const stopReason = str(message.stopReason);
  const errorMessage = str(message.errorMessage);
  const input = num(usage.input);
  const output = num(usage.output);
  return {
    targets,
    call: {
      provider: str(message.provider),
      model: str(message.model),
      api: str(message.api),
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: num(usage.cacheRead),
      cacheWriteTokens: num(usage.cacheWrite),
      totalTokens: num(usage.totalTokens) || input + output,
      costUsd: num(cost.total),
      stopReason,
      error: stopReason === "error" || errorMessage ? (errorMessage ?? "error").slice(0, 500) : null,
      responseId: str(message.responseId),
      toolCallIds,
    },
  };
}

export interface InterpretOptions {
  scanToolCalls: boolean;
}

export function interpretEvent(raw: unknown, options: InterpretOptions): Interpreted {
  if (!isRecord(raw)) return { kind: "unknown", type: Array.isArray(raw) ? "array" : typeof raw };
  const type = str(raw.type) ?? "(none)";
  const timestamp = timestampOf(raw);
  if (type === "session") return { kind: "session", id: str(raw.id), timestamp };
  if (type === "model_change") return { kind: "model_change", provider: str(raw.provider), model: str(raw.modelId), timestamp };
  if (PASSIVE_TYPES.has(type)) return { kind: "known", type, timestamp };
  const id = str(raw.id);
  if (type === "custom_message") {
    // Extension-injected content that does enter the model's context: inbound like any input.
    if (!id) return { kind: "unknown", type };
    const text = textOf(raw.content);
    return { kind: "message", id, timestamp, role: "custom_message", targets: text.trim() ? [{ part: "text", text, direction: "inbound", role: "custom_message" }] : [], call: null };
  }
  if (type !== "message" || !id || !isRecord(raw.message)) return { kind: "unknown", type };
  const message = raw.message;
  const role = str(message.role);
  if (role === "user") {
    const stripped = stripInboundMetadata(textOf(message.content));
    const targets: ScanTarget[] = stripped.text.trim() ? [{ part: "text", text: stripped.text, direction: "inbound", role: "user", sender: stripped.sender }] : [];
    // The sender's display name reaches the model too (inside the stripped block): scan it on its own.
    if (stripped.senderText) targets.push({ part: "sender", text: stripped.senderText, direction: "inbound", role: "user", sender: stripped.sender });
    return { kind: "message", id, timestamp, role: "user", targets, call: null };
  }
  if (role === "assistant") {
    const { targets, call } = assistant(message, options.scanToolCalls);
    return { kind: "message", id, timestamp, role: "assistant", targets, call };
  }
  if (role === "toolResult") {
    const text = textOf(message.content);
    const toolCallId = str(message.toolCallId) ?? undefined;
    const target: ScanTarget = { part: "text", text, direction: "inbound", role: "toolResult", toolCallId, toolName: str(message.toolName) ?? undefined };
    return { kind: "message", id, timestamp, role: "toolResult", targets: text.trim() ? [target] : [], call: null };
  }
  return { kind: "unknown", type: `message:${role ?? "(none)"}` };
}
