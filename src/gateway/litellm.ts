// LiteLLM integration for users who already run the LiteLLM proxy: its generic guardrail API
// (texts in, NONE / BLOCKED / GUARDRAIL_INTERVENED out, honouring OBSERVE vs BLOCK, per-key modes
// and break-glass like the gateway) and its generic API logging callback, whose
// StandardLoggingPayload records become traffic records with LiteLLM's own cost.
import { hash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { z } from "zod";
import type { ScanRecord } from "../scans/scan-service.ts";
import type { Detection, Verdict } from "../shield/types.ts";
import { type GatewayService, newId } from "./gateway-service.ts";
import { messageText, toolText } from "./inbound-scan.ts";
import type { ChatMessage, ChatTool } from "./openai-types.ts";
import { decideOutbound, maskPiece } from "./outbound.ts";
import type { guardrailRequestSchema, guardrailResponseSchema, litellmLogSchema } from "./schemas.ts";
import type { GatewayTrafficTable } from "./tables.ts";

type GuardrailRequest = z.infer<typeof guardrailRequestSchema>;
type GuardrailResponse = z.infer<typeof guardrailResponseSchema>;
type LitellmLog = z.infer<typeof litellmLogSchema>;

export interface Caller {
  workspace: string;
  keyId: string | null;
}

const RANK: Record<Verdict, number> = { ALLOW: 0, REVIEW: 1, BLOCK: 2 };

export async function guardrail(svc: GatewayService, req: GuardrailRequest, caller: Caller): Promise<GuardrailResponse> {
  const { deps } = svc;
  const started = performance.now();
  const [globalMode, keyMode, breakGlass] = await Promise.all([deps.modes.current(), caller.keyId ? deps.keyModes.get(caller.keyId) : null, deps.breakGlass.active()]);
  const mode = keyMode ?? globalMode;
  const enforce = mode === "BLOCK" && !breakGlass;
  const direction = req.input_type === "response" ? "outbound" : "inbound";
  // LiteLLM sends the extracted texts; when it sends only structured messages, read those.
  const texts = req.texts.length > 0 ? req.texts : (req.structured_messages ?? []).map((m) => messageText(m as ChatMessage));
  const extra: string[] = [];
  if (direction === "inbound" && deps.config.scanTools) for (const t of req.tools ?? []) extra.push(toolText(t as ChatTool));
  for (const call of req.tool_calls ?? []) extra.push(toolText(call as ChatTool));

  let verdict = "ALLOW" as Verdict;
  let score = 0;
  const detections: Detection[] = [];
  const blockingRules = new Set<string>();
  let intervened = false;
  const out = [...texts];
  [...texts, ...extra].forEach((text, i) => {
    if (!text) return;
    const outcome = direction === "inbound" ? deps.cache.get(text, (t) => deps.evaluate(t, "inbound")).outcome : deps.evaluate(text, "outbound");
    detections.push(...outcome.detections);
    if (RANK[outcome.verdict] > RANK[verdict]) verdict = outcome.verdict;
    score = Math.max(score, outcome.score);
    if (!enforce || outcome.verdict !== "BLOCK") return;
    if (direction === "inbound") {
      for (const d of outcome.detections) blockingRules.add(d.rule_id);
      return;
    }
    const decision = decideOutbound(outcome.detections, deps.policy, true);
    if (decision.block) for (const r of decision.blockingRules) blockingRules.add(r);
    else if (decision.redact.length > 0 && i < texts.length) {
      out[i] = maskPiece(text, 0, text.length, decision.redact);
      intervened = true;
    } else if (decision.redact.length > 0) for (const r of decision.redact) blockingRules.add(r.rule_id);
  });

  const scanId = newId("scan");
  const joined = [...texts, ...extra].join("\n");
  const scan: ScanRecord = {
    id: scanId,
    verdict,
    score,
    detections,
    mode,
    enforced: enforce && verdict === "BLOCK",
    direction,
    source: "litellm",
    latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
    text_sha256: hash("sha256", joined, "hex"),
    text_length: joined.length,
    invisible: { zero_width: 0, bidi: 0, tag: 0 },
    truncated: false,
    created_at: new Date().toISOString(),
    workspace: caller.workspace,
    key_id: caller.keyId,
    raw_text: null,
    metadata: { litellm_call_id: req.litellm_call_id ?? null, model: req.model ?? null, break_glass: breakGlass !== null },
  };
  deps.recorder.record({ scans: [scan] });
  if (blockingRules.size > 0) {
    return { action: "BLOCKED", blocked_reason: `ClawNex Shield blocked the ${direction === "inbound" ? "request" : "response"} (scan ${scanId}; rules: ${[...blockingRules].join(", ")})` };
  }
  if (intervened) return { action: "GUARDRAIL_INTERVENED", texts: out };
  return { action: "NONE" };
}

function isoFromEpoch(seconds: number | null | undefined): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  // StandardLoggingPayload times are epoch seconds (floats); tolerate milliseconds too.
  const ms = seconds > 1e11 ? seconds : seconds * 1000;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function seconds(value: number | null | undefined): number | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  return value > 1e11 ? value / 1000 : value;
}

/** Queues one traffic record per logged LiteLLM call; returns how many were accepted. */
export async function ingestLogs(svc: GatewayService, logs: LitellmLog[], caller: Caller): Promise<number> {
  const mode = await svc.deps.modes.current();
  for (const log of logs) {
    const start = seconds(log.startTime);
    const end = seconds(log.endTime);
    const first = seconds(log.completionStartTime);
    const ok = (log.status ?? "success") === "success";
    const row: GatewayTrafficTable = {
      id: newId("trf"),
      ts: isoFromEpoch(log.startTime) ?? new Date().toISOString(),
      workspace: caller.workspace,
      key_id: caller.keyId,
      agent_id: null,
      task_id: null,
      source: "litellm",
      request_id: null,
      route: "litellm",
      provider: log.custom_llm_provider ?? null,
      model: log.model_group ?? log.model ?? "unknown",
      upstream_model: log.model ?? null,
      stream: log.stream ? 1 : 0,
      status: ok ? 200 : 500,
      outcome: ok ? "ok" : "upstream_error",
      error_code: ok ? null : "litellm_failure",
      tokens_in: typeof log.prompt_tokens === "number" ? Math.round(log.prompt_tokens) : null,
      tokens_out: typeof log.completion_tokens === "number" ? Math.round(log.completion_tokens) : null,
      tokens_estimated: 0,
      cost_usd: typeof log.response_cost === "number" ? log.response_cost : null,
      cost_source: typeof log.response_cost === "number" ? "litellm" : null,
      upstream_ms: start !== undefined && end !== undefined ? Math.round((end - start) * 1e6) / 1000 : null,
      overhead_ms: null,
      ttft_ms: start !== undefined && first !== undefined ? Math.round((first - start) * 1e6) / 1000 : null,
      mode,
      break_glass: 0,
      inbound_verdict: null,
      inbound_scan_id: null,
      outbound_verdict: null,
      outbound_scan_id: null,
      redactions: 0,
      attempts: 1,
      external_id: log.id ?? log.litellm_call_id ?? null,
    };
    // Without LiteLLM's cost, price it from the table like gateway traffic.
    svc.deps.recorder.record({ scans: [], row, pricing: row.cost_usd === null ? { models: [row.upstream_model, row.model], providerUrl: undefined } : undefined });
  }
  return logs.length;
}
