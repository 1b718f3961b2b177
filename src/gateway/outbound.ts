// Outbound policy: what to do with a response's detections when the mode enforces. Per category,
// block (the response is refused) or redact (the matched span is masked and the response goes on).
// Only a BLOCK verdict acts: redact-category detections are masked first, and the response is
// blocked only if what remains still scores BLOCK.
import type { Span } from "../shield/redact.ts";
import { combine } from "../shield/scoring.ts";
import type { Detection, Verdict } from "../shield/types.ts";
import { DEFAULT_BLOCK_CATEGORIES, type OutboundAction } from "./config-schema.ts";

export interface OutboundPolicy {
  categoryActions: Record<string, OutboundAction>;
  thresholds: { review: number; block: number };
}

export interface OutboundDecision {
  verdict: Verdict;
  score: number;
  block: boolean;
  /** Spans to mask (positions in the scanned text). */
  redact: Array<Span & { rule_id: string }>;
  /** Rules that caused the block. */
  blockingRules: string[];
}

export function actionFor(policy: OutboundPolicy, d: Detection): OutboundAction {
  return policy.categoryActions[d.category] ?? DEFAULT_BLOCK_CATEGORIES[d.category] ?? (d.sensitive ? "redact" : "block");
}

export function decideOutbound(detections: readonly Detection[], policy: OutboundPolicy, enforce: boolean): OutboundDecision {
  const { score, verdict } = combine(detections, policy.thresholds);
  if (!enforce || verdict !== "BLOCK") return { verdict, score, block: false, redact: [], blockingRules: [] };
  const redact: OutboundDecision["redact"] = [];
  const rest: Detection[] = [];
  for (const d of detections) {
    if (d.action !== "allow" && actionFor(policy, d) === "redact") redact.push({ start: d.span.start, end: d.span.end, rule_id: d.rule_id });
    else rest.push(d);
  }
  const remaining = combine(rest, policy.thresholds);
  const block = remaining.verdict === "BLOCK";
  return { verdict, score, block, redact: block ? [] : redact, blockingRules: block ? [...new Set(rest.filter((d) => d.action !== "allow").map((d) => d.rule_id))] : [] };
}

export const REDACTION_MARK = "[REDACTED]";

/**
 * The part [start, end) of text with every overlapping redaction masked: a span is replaced by
 * one REDACTION_MARK where it begins; its characters in later pieces are dropped.
 */
export function maskPiece(text: string, start: number, end: number, spans: readonly Span[]): string {
  let out = "";
  let cursor = start;
  const sorted = spans.filter((s) => s.start < end && s.end > start).sort((a, b) => a.start - b.start);
  for (const s of sorted) {
    const from = Math.max(s.start, cursor);
    if (from > cursor) out += text.slice(cursor, from);
    if (s.start >= start && s.start >= cursor) out += REDACTION_MARK;
    cursor = Math.max(cursor, Math.min(end, s.end));
  }
  if (cursor < end) out += text.slice(cursor, end);
  return out;
}
