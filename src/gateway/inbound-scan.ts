// The inbound scan of a chat request: every message's text (system, user, assistant history with
// its tool calls, tool results: indirect injection arrives there) and the tool definitions
// (tool-description poisoning), each scanned on its own and cached, so a long conversation pays
// only for its new turns. The request's verdict is the strongest part's.
import { hash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Detection, ScanOutcome, Verdict } from "../shield/types.ts";
import type { ChatCompletionRequestBody, ChatMessage, ChatTool } from "./openai-types.ts";
import type { CachedScan, ScanCache } from "./scan-cache.ts";

export interface InboundPart {
  /** "messages[3]" or "tools[0]" */
  where: string;
  role: string;
  verdict: Verdict;
  rule_ids: string[];
}

export interface InboundScan {
  verdict: Verdict;
  score: number;
  detections: Detection[];
  /** Parts with detections, for the scan record's metadata. */
  flagged: InboundPart[];
  invisible: ScanOutcome["invisible"];
  truncated: boolean;
  /** What was scanned, part by part, for the digest of the scan record (see inboundSha256). */
  parts: CachedScan[];
  chars: number;
  latencyMs: number;
}

const RANK: Record<Verdict, number> = { ALLOW: 0, REVIEW: 1, BLOCK: 2 };

/** The text of a message: its content (string or text parts) and, for assistant turns, its tool calls. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  let text = "";
  if (typeof content === "string") text = content;
  else if (Array.isArray(content)) {
    for (const part of content) if (part && typeof part.text === "string") text += text ? `\n${part.text}` : part.text;
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const fn = call?.function;
      if (fn) text += `\n${fn.name ?? ""} ${typeof fn.arguments === "string" ? fn.arguments : ""}`;
    }
  }
  return text;
}

/** Every string in a tool definition (names, descriptions, enum values), one per line. */
export function toolText(tool: ChatTool): string {
  const out: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 32) return;
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) for (const v of value) walk(v, depth + 1);
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        // Property names can carry instructions too ("ignore_previous_instructions": ...).
        if (k.length > 24) out.push(k);
        walk(v, depth + 1);
      }
    }
  };
  walk(tool, 0);
  return out.join("\n");
}

export function scanInbound(body: ChatCompletionRequestBody, cache: ScanCache, scan: (text: string) => ScanOutcome, scanTools: boolean): InboundScan {
  const started = performance.now();
  let verdict: Verdict = "ALLOW";
  let score = 0;
  let chars = 0;
  let truncated = false;
  const invisible = { zero_width: 0, bidi: 0, tag: 0 };
  const detections: Detection[] = [];
  const flagged: InboundPart[] = [];
  const parts: CachedScan[] = [];

  const add = (text: string, where: string, role: string) => {
    if (text.length === 0) return;
    const part = cache.get(text, scan);
    const { outcome } = part;
    chars += text.length;
    parts.push(part);
    if (RANK[outcome.verdict] > RANK[verdict]) verdict = outcome.verdict;
    if (outcome.score > score) score = outcome.score;
    truncated ||= outcome.truncated;
    invisible.zero_width += outcome.invisible.zero_width;
    invisible.bidi += outcome.invisible.bidi;
    invisible.tag += outcome.invisible.tag;
    if (outcome.detections.length > 0) {
      for (const d of outcome.detections) detections.push(d);
      flagged.push({ where, role, verdict: outcome.verdict, rule_ids: [...new Set(outcome.detections.map((d) => d.rule_id))] });
    }
  };

  const messages = body.messages;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as ChatMessage;
    add(messageText(m), `messages[${i}]`, typeof m.role === "string" ? m.role : "unknown");
  }
  if (scanTools && Array.isArray(body.tools)) {
    for (let i = 0; i < body.tools.length; i++) add(toolText(body.tools[i] as ChatTool), `tools[${i}]`, "tool_definition");
  }
  return { verdict, score, detections, flagged, invisible, truncated, parts, chars, latencyMs: performance.now() - started };
}

/** The scan record's digest: the one part's SHA-256, or the SHA-256 of the parts' digests joined by commas. */
export function inboundSha256(scan: InboundScan): string {
  const { parts } = scan;
  return parts.length === 1 ? (parts[0] as CachedScan).sha256 : hash("sha256", parts.map((p) => p.sha256).join(","), "hex");
}
