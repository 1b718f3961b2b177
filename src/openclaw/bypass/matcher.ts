// "Bypassed the proxy": a model call OpenClaw recorded in its transcript that the ClawNex gateway
// never saw. Each transcript call is matched against gateway traffic around its time, by the
// strongest evidence available: the upstream response id, then the tool-call ids (normalised: OpenClaw
// strips non-alphanumerics from ids it sends upstream), then model + exact token counts. A call with
// no match once the window has passed is marked bypassed. Without gateway traffic to compare
// (gateway module absent) calls stay "unknown": absence of evidence is not reported as a bypass.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import { normalizeToolCallId } from "../transcripts/events.ts";

export interface GatewayCall {
  id: string;
  ts: string;
  model: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  toolCallIds: string[];
  responseId: string | null;
  /** The gateway refused the call or the upstream failed. */
  failed?: boolean;
}

export interface GatewayTrafficSource {
  /** False while there is no gateway traffic to compare with (the gateway module is absent). */
  available(): Promise<boolean>;
  between(fromIso: string, toIso: string, workspace?: string): Promise<GatewayCall[]>;
}

export interface TranscriptCall {
  key: string;
  ts: string;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  toolCallIds: string[];
  responseId: string | null;
  failed?: boolean;
}

/** "provider/model" and "model" name the same model. */
function bareModel(model: string | null): string | null {
  if (!model) return null;
  const slash = model.lastIndexOf("/");
  return slash >= 0 ? model.slice(slash + 1) : model;
}

function score(call: TranscriptCall, candidate: GatewayCall, windowMs: number): number {
  const dt = Math.abs(Date.parse(call.ts) - Date.parse(candidate.ts));
  if (call.responseId && candidate.responseId && call.responseId === candidate.responseId) return 100;
  if (!(dt <= windowMs)) return 0;
  if (call.toolCallIds.length > 0 && candidate.toolCallIds.length > 0) {
    const ids = new Set(candidate.toolCallIds.map(normalizeToolCallId));
    if (call.toolCallIds.every((id) => ids.has(normalizeToolCallId(id)))) return 90;
  }
  const sameModel = bareModel(call.model) !== null && bareModel(call.model) === bareModel(candidate.model);
  if (sameModel && candidate.inputTokens === call.inputTokens && candidate.outputTokens === call.outputTokens) return 50;
  // A failed call has no usage to compare: an error the gateway saw for the same model at that time.
  if (sameModel && call.failed && candidate.failed) return 40;
  return 0;
}

/** Pairs each transcript call with at most one gateway call (each gateway call used once). */
export function matchCalls(calls: TranscriptCall[], traffic: GatewayCall[], windowMs: number): Map<string, string> {
  const matches = new Map<string, string>();
  const used = new Set<string>();
  const ordered = [...calls].sort((a, b) => a.ts.localeCompare(b.ts));
  for (const call of ordered) {
    let best: { id: string; score: number; dt: number } | null = null;
    for (const candidate of traffic) {
      if (used.has(candidate.id)) continue;
      const s = score(call, candidate, windowMs);
      if (s === 0) continue;
      const dt = Math.abs(Date.parse(call.ts) - Date.parse(candidate.ts));
      if (!best || s > best.score || (s === best.score && dt < best.dt)) best = { id: candidate.id, score: s, dt };
    }
    if (best) {
      matches.set(call.key, best.id);
      used.add(best.id);
    }
  }
  return matches;
}

export interface BypassRun {
  matched: number;
  bypassed: number;
  pending: number;
  available: boolean;
}

const MAX_CALLS_PER_RUN = 5000;

export class BypassMatcher {
  readonly #db: Kysely<Database>;
  readonly #source: GatewayTrafficSource;
  readonly #windowMs: number;

  constructor(db: Kysely<Database>, source: GatewayTrafficSource, windowSeconds: number) {
    this.#db = db;
    this.#source = source;
    this.#windowMs = windowSeconds * 1000;
  }

  async run(instanceId: string, now: Date = new Date()): Promise<BypassRun> {
    const rows = await this.#db
      .selectFrom("openclaw_model_calls")
      .select(["session_id", "event_id", "ts", "model", "input_tokens", "output_tokens", "tool_call_ids", "response_id", "error", "workspace"])
      .where("instance_id", "=", instanceId)
      .where("gateway_match", "=", "unknown")
      .orderBy("ts")
      .limit(MAX_CALLS_PER_RUN)
      .execute();
    if (rows.length === 0) return { matched: 0, bypassed: 0, pending: 0, available: true };
    if (!(await this.#source.available())) return { matched: 0, bypassed: 0, pending: rows.length, available: false };
    const calls: TranscriptCall[] = rows.map((r) => ({
      key: `${r.session_id}\u0000${r.event_id}`, ts: r.ts, model: r.model, inputTokens: r.input_tokens, outputTokens: r.output_tokens,
      toolCallIds: JSON.parse(r.tool_call_ids) as string[], responseId: r.response_id, failed: r.error !== null,
    }));
    const first = Date.parse(calls[0]?.ts ?? now.toISOString()) - this.#windowMs;
    const last = Date.parse(calls.at(-1)?.ts ?? now.toISOString()) + this.#windowMs;
    const traffic = await this.#source.between(new Date(first).toISOString(), new Date(last).toISOString(), rows[0]?.workspace);
    const matches = matchCalls(calls, traffic, this.#windowMs);
    const settledBefore = now.getTime() - this.#windowMs;
    let matched = 0;
    let bypassed = 0;
    await this.#db.transaction().execute(async (trx) => {
      for (const call of calls) {
        const [sessionId, eventId] = call.key.split("\u0000") as [string, string];
        const ref = matches.get(call.key);
        const decided = ref ? "matched" : Date.parse(call.ts) <= settledBefore ? "bypassed" : null;
        if (!decided) continue;
        if (ref) matched++;
        else bypassed++;
        await trx
          .updateTable("openclaw_model_calls")
          .set({ gateway_match: decided, gateway_ref: ref ?? null })
          .where("instance_id", "=", instanceId)
          .where("session_id", "=", sessionId)
          .where("event_id", "=", eventId)
          .execute();
      }
    });
    return { matched, bypassed, pending: calls.length - matched - bypassed, available: true };
  }
}
