// The gateway's request path, shared by the HTTP endpoints and the in-process ChatCaller:
// resolve the route, decide enforcement (global mode, the key's override, break-glass), scan the
// prompt, then hand over to the non-stream or stream path; every call ends in one traffic record.
import { hash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ShieldMode } from "../config/config.ts";
import type { ScanRecord } from "../scans/scan-service.ts";
import type { ShieldModeService } from "../scans/shield-mode.ts";
import { redactSpans } from "../shield/redact.ts";
import type { Detection, ScanOutcome, Verdict } from "../shield/types.ts";
import { newIdNow } from "../store/ids.ts";
import type { BreakGlassService } from "./breakglass.ts";
import type { GatewayConfig } from "./config-schema.ts";
import { type InboundScan, inboundSha256, scanInbound } from "./inbound-scan.ts";
import type { KeyModeStore } from "./key-modes.ts";
import { OpenAIHttpError, shieldBlocked } from "./openai-errors.ts";
import type { ChatCompletionRequestBody } from "./openai-types.ts";
import type { OutboundPolicy } from "./outbound.ts";
import type { ProviderRouter, RouteChoice } from "./providers.ts";
import type { ScanCache } from "./scan-cache.ts";
import type { HoldbackPlanner } from "./stream-holdback.ts";
import type { GatewayTrafficTable } from "./tables.ts";
import type { TrafficRecorder } from "./traffic-recorder.ts";
import type { UpstreamClient } from "./upstream.ts";

export interface CallContext {
  workspace: string;
  keyId: string | null;
  source: string;
  agentId?: string | undefined;
  taskId?: string | undefined;
  requestId?: string | undefined;
  /** performance.now() when the request arrived (auth and body parsing count as overhead). */
  startedAt: number;
}

export interface Prepared {
  ctx: CallContext;
  body: ChatCompletionRequestBody;
  raw: Buffer | undefined;
  chain: RouteChoice[];
  mode: ShieldMode;
  enforce: boolean;
  breakGlass: boolean;
  inbound: InboundScan;
  inboundScanId: string;
  /** performance.now() once the prompt was scanned (the upstream call starts here). */
  readyAt: number;
}

export interface GatewayDeps {
  config: GatewayConfig;
  router: ProviderRouter;
  upstream: UpstreamClient;
  cache: ScanCache;
  evaluate(text: string, direction: "inbound" | "outbound"): ScanOutcome;
  modes: Pick<ShieldModeService, "current" | "cached">;
  keyModes: KeyModeStore;
  breakGlass: BreakGlassService;
  recorder: TrafficRecorder;
  policy: OutboundPolicy;
  storeRawText: boolean;
  /** Adaptive stream holdback derived from the outbound rules; absent: the fixed window. */
  holdback?: HoldbackPlanner | undefined;
}

export interface Finish {
  status: number;
  outcome: "ok" | "blocked_inbound" | "blocked_outbound" | "upstream_error" | "client_disconnect" | "upstream_disconnect" | "error";
  errorCode?: string | null;
  choice?: RouteChoice | undefined;
  stream: boolean;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null | undefined;
  completionText?: string;
  upstreamMs?: number | null;
  overheadMs: number;
  ttftMs?: number | null;
  outbound?: { id: string; verdict: Verdict; score: number; detections: Detection[]; latencyMs: number; text: string } | undefined;
  redactions?: number;
  attempts?: number;
}

/**
 * Traffic and scan ids: time-ordered (src/store/ids.ts), so each insert lands at the right edge of
 * the primary-key index. Random ids put every row on a different leaf page, which the commit then
 * rewrites whole: about twice the write cost per row, growing with the table.
 */
export const newId = newIdNow;

export class GatewayService {
  readonly deps: GatewayDeps;
  /** Calls prepared and not yet finished: each ends in exactly one finish(). */
  #open = 0;
  #onSettled: (() => void) | undefined;

  constructor(deps: GatewayDeps) {
    this.deps = deps;
  }

  /** Routing, enforcement and the inbound scan. Throws (and records) a block in BLOCK mode. */
  async prepare(body: ChatCompletionRequestBody, raw: Buffer | undefined, ctx: CallContext): Promise<Prepared> {
    const { deps } = this;
    const chain = deps.router.resolve(body.model);
    // Cached (for a second) nearly always: then no turn of the event loop.
    let globalMode = deps.modes.cached();
    let keyMode = ctx.keyId ? deps.keyModes.cached(ctx.keyId) : null;
    let breakGlass = deps.breakGlass.cached();
    if (globalMode === undefined || keyMode === undefined || breakGlass === undefined) {
      [globalMode, keyMode, breakGlass] = await Promise.all([deps.modes.current(), ctx.keyId ? deps.keyModes.get(ctx.keyId) : null, deps.breakGlass.active()]);
    }
    const mode = keyMode ?? globalMode;
    const enforce = mode === "BLOCK" && !breakGlass;
    const inbound = scanInbound(body, deps.cache, (text) => deps.evaluate(text, "inbound"), deps.config.scanTools);
    const prepared: Prepared = { ctx, body, raw, chain, mode, enforce, breakGlass: breakGlass !== null, inbound, inboundScanId: newId("scan"), readyAt: performance.now() };
    this.#open++;
    if (enforce && inbound.verdict === "BLOCK") {
      this.finish(prepared, { status: 400, outcome: "blocked_inbound", errorCode: "shield_blocked", stream: body.stream === true, overheadMs: performance.now() - ctx.startedAt });
      throw shieldBlocked("inbound", prepared.inboundScanId, [...new Set(inbound.detections.map((d) => d.rule_id))]);
    }
    if (chain.length === 0) {
      const error = new OpenAIHttpError(404, `no provider route serves model '${body.model}'`, { code: "model_not_found", param: "model" });
      this.finish(prepared, { status: 404, outcome: "error", errorCode: "model_not_found", stream: body.stream === true, overheadMs: performance.now() - ctx.startedAt });
      throw error;
    }
    return prepared;
  }

  /** Queues the call's traffic record and its scan records (written off the hot path). */
  finish(p: Prepared, f: Finish): void {
    const { ctx } = p;
    const now = new Date().toISOString();
    const scans: ScanRecord[] = [this.#scanRecord(p, now)];
    if (f.outbound) scans.push(this.#outboundRecord(p, f.outbound, now));
    const tokensIn = f.usage?.prompt_tokens ?? null;
    const tokensOut = f.usage?.completion_tokens ?? null;
    const route = f.choice?.route;
    const row: GatewayTrafficTable = {
      id: newId("trf"),
      ts: now,
      workspace: ctx.workspace,
      key_id: ctx.keyId,
      agent_id: ctx.agentId ?? null,
      task_id: ctx.taskId ?? null,
      source: ctx.source,
      request_id: ctx.requestId ?? null,
      route: route?.id ?? p.chain[0]?.route.id ?? null,
      provider: route?.kind ?? p.chain[0]?.route.kind ?? null,
      model: p.body.model,
      upstream_model: f.choice?.upstreamModel ?? p.chain[0]?.upstreamModel ?? null,
      stream: f.stream ? 1 : 0,
      status: f.status,
      outcome: f.outcome,
      error_code: f.errorCode ?? null,
      tokens_in: tokensIn,
      tokens_out: tokensOut,
      tokens_estimated: 0,
      cost_usd: null,
      cost_source: null,
      upstream_ms: round(f.upstreamMs ?? null),
      overhead_ms: round(f.overheadMs),
      ttft_ms: round(f.ttftMs ?? null),
      mode: p.mode,
      break_glass: p.breakGlass ? 1 : 0,
      inbound_verdict: p.inbound.verdict,
      inbound_scan_id: p.inboundScanId,
      outbound_verdict: f.outbound?.verdict ?? null,
      outbound_scan_id: f.outbound?.id ?? null,
      redactions: f.redactions ?? 0,
      attempts: f.attempts ?? 0,
      external_id: null,
    };
    // Count tokens only for calls that reached the model and got no usage back.
    const reached = f.outcome === "ok" || f.outcome === "blocked_outbound" || f.outcome === "client_disconnect" || f.outcome === "upstream_disconnect";
    const estimate = reached && (tokensIn === null || tokensOut === null) ? { prompt: p.body.messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""))), completion: f.completionText ?? "" } : undefined;
    const pricing = route ? { models: [f.choice?.upstreamModel ?? null, p.body.model], providerUrl: route.config.baseUrl } : undefined;
    this.deps.recorder.record({ row, scans, estimate, pricing });
    if (--this.#open <= 0) {
      this.#open = 0;
      this.#onSettled?.();
    }
  }

  /**
   * Waits until every call prepared so far has finished and queued its records, for at most
   * `maxMs`: on shutdown, calls cut when the server closed its connections end a moment later,
   * and their records must reach the recorder before it closes.
   */
  async settle(maxMs: number): Promise<void> {
    if (this.#open === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.#onSettled = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#onSettled = undefined;
  }

  #scanRecord(p: Prepared, now: string): ScanRecord {
    const { inbound, ctx } = p;
    return {
      id: p.inboundScanId,
      verdict: inbound.verdict,
      score: inbound.score,
      detections: inbound.detections,
      mode: p.mode,
      enforced: p.enforce && inbound.verdict === "BLOCK",
      direction: "inbound",
      source: "gateway",
      latency_ms: round(inbound.latencyMs) ?? 0,
      text_sha256: inboundSha256(inbound),
      text_length: inbound.chars,
      invisible: inbound.invisible,
      truncated: inbound.truncated,
      created_at: now,
      workspace: ctx.workspace,
      key_id: ctx.keyId,
      raw_text: null,
      metadata: { request_id: ctx.requestId ?? null, model: p.body.model, break_glass: p.breakGlass, parts: inbound.flagged, ...(ctx.agentId ? { agent_id: ctx.agentId } : {}), ...(ctx.taskId ? { task_id: ctx.taskId } : {}) },
    };
  }

  #outboundRecord(p: Prepared, o: NonNullable<Finish["outbound"]>, now: string): ScanRecord {
    return {
      id: o.id,
      verdict: o.verdict,
      score: o.score,
      detections: o.detections,
      mode: p.mode,
      enforced: p.enforce && o.verdict === "BLOCK",
      direction: "outbound",
      source: "gateway",
      latency_ms: round(o.latencyMs) ?? 0,
      text_sha256: hash("sha256", o.text, "hex"),
      text_length: o.text.length,
      invisible: { zero_width: 0, bidi: 0, tag: 0 },
      truncated: false,
      created_at: now,
      workspace: p.ctx.workspace,
      key_id: p.ctx.keyId,
      raw_text: this.deps.storeRawText ? redactSpans(o.text, o.detections.filter((d) => d.sensitive).map((d) => d.span)) : null,
      metadata: { request_id: p.ctx.requestId ?? null, model: p.body.model, inbound_scan_id: p.inboundScanId, break_glass: p.breakGlass },
    };
  }
}

function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 1000) / 1000;
}
