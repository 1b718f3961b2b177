// The non-stream path: call the upstream, scan the whole answer before the client sees any of it,
// then relay it as received (or re-serialised when a span was redacted, or translated from
// Anthropic).
import { performance } from "node:perf_hooks";
import { fromAnthropicResponse } from "./anthropic.ts";
import { type GatewayService, newId, type Prepared } from "./gateway-service.ts";
import { OpenAIHttpError, shieldBlocked } from "./openai-errors.ts";
import type { ChatCompletionResponseBody } from "./openai-types.ts";
import { decideOutbound, maskPiece } from "./outbound.ts";
import { callUpstream, type CallResult } from "./upstream-call.ts";

export interface NonStreamResult {
  status: number;
  body: string;
  parsed: ChatCompletionResponseBody;
  headers: Record<string, string>;
  /**
   * Queues the call's traffic and scan records. The caller runs it right after handing the body
   * to the client, so building them is not part of the client's wait.
   */
  record(): void;
}

const MAX_RESPONSE = 64 * 1024 * 1024;

interface Piece {
  set(value: string): void;
  start: number;
  end: number;
}

/** All text of a response (content, reasoning, tool calls) as one string, with setters to mask it. */
export function responseText(resp: ChatCompletionResponseBody): { text: string; pieces: Piece[] } {
  let text = "";
  const pieces: Piece[] = [];
  const add = (value: unknown, set: (v: string) => void) => {
    if (typeof value !== "string" || value.length === 0) return;
    if (text.length > 0) text += "\n";
    const start = text.length;
    text += value;
    pieces.push({ set, start, end: text.length });
  };
  for (const choice of Array.isArray(resp.choices) ? resp.choices : []) {
    const m = choice?.message;
    if (!m) continue;
    add(m.content, (v) => (m.content = v));
    add(m.reasoning_content, (v) => (m.reasoning_content = v));
    add(m.reasoning, (v) => (m.reasoning = v));
    for (const call of m.tool_calls ?? []) {
      const fn = call?.function;
      if (!fn) continue;
      add(fn.name, (v) => (fn.name = v));
      add(fn.arguments, (v) => (fn.arguments = v));
    }
  }
  return { text, pieces };
}

export async function completeNonStream(svc: GatewayService, p: Prepared, signal?: AbortSignal): Promise<NonStreamResult> {
  const { deps } = svc;
  const upstreamStart = performance.now();
  const overheadSoFar = upstreamStart - p.ctx.startedAt;
  let call: CallResult;
  try {
    call = await callUpstream(deps.upstream, { chain: p.chain, body: p.body, raw: p.raw, stream: false, maxRetries: deps.config.maxRetries, retryBaseMs: deps.config.retryBaseMs }, signal);
  } catch (err) {
    const aborted = signal?.aborted === true;
    const status = err instanceof OpenAIHttpError ? err.status : 502;
    svc.finish(p, { status: aborted ? 499 : status, outcome: aborted ? "client_disconnect" : "upstream_error", errorCode: err instanceof OpenAIHttpError ? err.code : "upstream_error", stream: false, upstreamMs: performance.now() - upstreamStart, overheadMs: overheadSoFar });
    throw err;
  }
  const { choice } = call;
  let text: string;
  let parsed: ChatCompletionResponseBody;
  try {
    text = await call.response.body.text(MAX_RESPONSE);
    const data = JSON.parse(text) as Record<string, unknown>;
    parsed = choice.route.kind === "anthropic" ? fromAnthropicResponse(data, p.body.model) : (data as unknown as ChatCompletionResponseBody);
    if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.choices)) throw new Error("no choices");
  } catch {
    const aborted = signal?.aborted === true;
    svc.finish(p, { status: aborted ? 499 : 502, outcome: aborted ? "client_disconnect" : "upstream_error", errorCode: "upstream_malformed", choice, stream: false, upstreamMs: performance.now() - upstreamStart, overheadMs: overheadSoFar, attempts: call.attempts });
    throw new OpenAIHttpError(502, "the upstream sent a malformed or truncated response", { code: "upstream_malformed", extra: { route: choice.route.id } });
  }
  const upstreamMs = performance.now() - upstreamStart;

  const scanStart = performance.now();
  const { text: outText, pieces } = responseText(parsed);
  const outcome = deps.evaluate(outText, "outbound");
  const decision = decideOutbound(outcome.detections, deps.policy, p.enforce);
  const outbound = { id: newId("scan"), verdict: decision.verdict, score: decision.score, detections: outcome.detections, latencyMs: performance.now() - scanStart, text: outText };
  const usage = parsed.usage ?? null;
  if (decision.block) {
    svc.finish(p, { status: 400, outcome: "blocked_outbound", errorCode: "shield_blocked", choice, stream: false, usage, completionText: outText, upstreamMs, overheadMs: performance.now() - p.ctx.startedAt - upstreamMs, outbound, attempts: call.attempts });
    throw shieldBlocked("outbound", outbound.id, decision.blockingRules);
  }
  let body = text;
  if (decision.redact.length > 0) {
    for (const piece of pieces) if (decision.redact.some((s) => s.start < piece.end && s.end > piece.start)) piece.set(maskPiece(outText, piece.start, piece.end, decision.redact));
    (parsed as Record<string, unknown>).clawnex = { redacted: true, redactions: decision.redact.length, scan_id: outbound.id };
    body = JSON.stringify(parsed);
  } else if (choice.route.kind === "anthropic") body = JSON.stringify(parsed);
  const overheadMs = performance.now() - p.ctx.startedAt - upstreamMs;
  const record = () => svc.finish(p, { status: 200, outcome: "ok", choice, stream: false, usage, completionText: outText, upstreamMs, overheadMs, outbound, redactions: decision.redact.length, attempts: call.attempts });
  const headers: Record<string, string> = {
    "x-clawnex-scan-id": p.inboundScanId,
    "x-clawnex-outbound-scan-id": outbound.id,
    "x-clawnex-overhead-ms": overheadMs.toFixed(3),
    "x-clawnex-route": choice.route.id,
  };
  if (decision.redact.length > 0) headers["x-clawnex-redactions"] = String(decision.redact.length);
  if (p.breakGlass) headers["x-clawnex-break-glass"] = "true";
  return { status: 200, body, parsed, headers, record };
}
