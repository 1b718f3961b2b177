// Turns raw transcript events into the watcher's batch: per-session counters, model-call rows,
// agents seen, and the texts to scan. Adding an event is synchronous and free of I/O; the scans
// are resolved in bulk (inline in time slices, or on worker threads) before each commit, and the
// parts the Shield flagged are recorded as scans by the watcher afterwards.
import type { ScanOutcome } from "../../shield/types.ts";
import { interpretEvent, type ScanTarget } from "../transcripts/events.ts";
import type { Evaluator } from "./scan-pool.ts";
import { type Batch, emptyDelta, type SessionDelta } from "./watch-store.ts";

export interface Flagged {
  agentId: string;
  sessionId: string;
  sessionKey: string | null;
  layout: "sqlite" | "jsonl";
  eventId: string;
  target: ScanTarget;
  outcome: ScanOutcome;
}

export interface SessionContext {
  agentId: string;
  sessionId: string;
  layout: "sqlite" | "jsonl";
  sessionKey: string | null;
  /** Model calls already recorded (a re-read after truncation or a rewound store). */
  recordedCalls?: Set<string> | undefined;
}

export interface BuilderOptions {
  scanToolCalls: boolean;
  maxScanChars: number;
}

type PendingScan = Omit<Flagged, "outcome">;

export type SkipReason = "oversized" | "undecodable";

export class BatchBuilder {
  readonly #options: BuilderOptions;
  batch: Batch = { cursors: [], sessions: [], calls: [], agents: new Map() };
  flagged: Flagged[] = [];
  /** Texts waiting for the Shield. */
  pending: PendingScan[] = [];
  /** Texts scanned so far in this builder's life (decides when scanning moves to workers). */
  scanned = 0;
  events = 0;
  readonly #deltas = new Map<string, SessionDelta>();
  /** Totals across resets, for the pass summary. */
  readonly totals = { eventsRead: 0, eventsSkipped: 0, malformed: 0, oversized: 0, undecodable: 0, unknownTypes: 0, modelCalls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };

  constructor(options: BuilderOptions) {
    this.#options = options;
  }

  /** Starts a new batch (after a commit); totals keep accumulating. */
  reset(): void {
    this.batch = { cursors: [], sessions: [], calls: [], agents: new Map() };
    this.flagged = [];
    this.pending = [];
    this.events = 0;
    this.#deltas.clear();
  }

  #delta(ctx: SessionContext): SessionDelta {
    const key = `${ctx.agentId}\u0000${ctx.sessionId}`;
    let delta = this.#deltas.get(key);
    if (!delta) {
      delta = emptyDelta(ctx.agentId, ctx.sessionId, ctx.layout);
      delta.sessionKey = ctx.sessionKey;
      this.#deltas.set(key, delta);
      this.batch.sessions.push(delta);
    }
    return delta;
  }

  #seen(delta: SessionDelta, agentId: string, ts: string | null): void {
    if (!ts) return;
    if (!delta.firstEventAt || ts < delta.firstEventAt) delta.firstEventAt = ts;
    if (!delta.lastEventAt || ts > delta.lastEventAt) delta.lastEventAt = ts;
    const agentSeen = this.batch.agents.get(agentId);
    if (!agentSeen || ts > agentSeen) this.batch.agents.set(agentId, ts);
  }

  /** Scans the pending texts; the flagged ones join `flagged`. */
  async resolveScans(evaluator: Evaluator): Promise<void> {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    const outcomes = await evaluator.evaluate(pending.map((p) => ({ text: p.target.text, direction: p.target.direction })));
    this.scanned += pending.length;
    pending.forEach((p, i) => {
      const outcome = outcomes[i];
      if (outcome) this.flagged.push({ ...p, outcome });
    });
  }

  skip(ctx: SessionContext, reason: SkipReason): void {
    const delta = this.#delta(ctx);
    this.events++;
    delta.eventsRead++;
    delta.eventsSkipped++;
    this.totals.eventsRead++;
    this.totals.eventsSkipped++;
    this.totals[reason]++;
  }

  add(ctx: SessionContext, text: string): void {
    const delta = this.#delta(ctx);
    if (!this.batch.agents.has(ctx.agentId)) this.batch.agents.set(ctx.agentId, null);
    this.events++;
    delta.eventsRead++;
    this.totals.eventsRead++;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      delta.malformed++;
      delta.eventsSkipped++;
      this.totals.malformed++;
      this.totals.eventsSkipped++;
      return;
    }
    const event = interpretEvent(raw, { scanToolCalls: this.#options.scanToolCalls });
    if (event.kind === "unknown") {
      delta.unknownTypes++;
      delta.eventsSkipped++;
      this.totals.unknownTypes++;
      this.totals.eventsSkipped++;
      return;
    }
    this.#seen(delta, ctx.agentId, event.kind === "message" || event.kind === "known" || event.kind === "session" || event.kind === "model_change" ? event.timestamp : null);
    if (event.kind === "model_change") {
      delta.provider = event.provider ?? delta.provider;
      delta.model = event.model ?? delta.model;
      return;
    }
    if (event.kind !== "message") return;
    delta.messages++;
    for (const target of event.targets) {
      const text = target.text.length > this.#options.maxScanChars ? target.text.slice(0, this.#options.maxScanChars) : target.text;
      this.pending.push({ agentId: ctx.agentId, sessionId: ctx.sessionId, sessionKey: ctx.sessionKey, layout: ctx.layout, eventId: event.id, target: { ...target, text } });
    }
    const call = event.call;
    if (!call || ctx.recordedCalls?.has(event.id)) return;
    delta.provider = call.provider ?? delta.provider;
    delta.model = call.model ?? delta.model;
    delta.modelCalls++;
    delta.inputTokens += call.inputTokens;
    delta.outputTokens += call.outputTokens;
    delta.cacheReadTokens += call.cacheReadTokens;
    delta.cacheWriteTokens += call.cacheWriteTokens;
    delta.totalTokens += call.totalTokens;
    delta.costUsd += call.costUsd;
    if (call.error) delta.failedCalls++;
    this.totals.modelCalls++;
    if (call.error) this.totals.failedCalls++;
    this.totals.inputTokens += call.inputTokens;
    this.totals.outputTokens += call.outputTokens;
    this.totals.totalTokens += call.totalTokens;
    this.totals.costUsd += call.costUsd;
    this.batch.calls.push({
      sessionId: ctx.sessionId, eventId: event.id, agentId: ctx.agentId, ts: event.timestamp ?? new Date(0).toISOString(),
      provider: call.provider, model: call.model, api: call.api, inputTokens: call.inputTokens, outputTokens: call.outputTokens,
      totalTokens: call.totalTokens, costUsd: call.costUsd, stopReason: call.stopReason, error: call.error, responseId: call.responseId,
      toolCallIds: call.toolCallIds,
    });
    ctx.recordedCalls?.add(event.id);
  }
}
