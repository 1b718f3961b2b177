// Spend spikes per agent (or per key when the call names no agent), from the gateway's traffic
// records: spend in the last window against the average window over the trailing baseline.
// Per-minute buckets in memory; a spike is reported once per window per agent.
import type { SocEventInput } from "../model.ts";

export interface CostSpikeOptions {
  windowMinutes: number;
  baselineHours: number;
  factor: number;
  minUsd: number;
}

interface Series {
  /** minute index → USD */
  buckets: Map<number, number>;
  firstMinute: number;
  lastReportedMinute: number;
}

const MAX_SERIES = 50_000;

export class CostSpikeDetector {
  readonly #options: CostSpikeOptions;
  readonly #series = new Map<string, Series>();

  constructor(options: CostSpikeOptions) {
    this.#options = options;
  }

  /** Adds one call's cost; returns a cost-spike event when this call tips the window over. */
  observe(input: { workspace: string; agent: string | null; keyId: string | null; ts: string; costUsd: number | null; trafficId: string }): SocEventInput | null {
    if (input.costUsd === null || !(input.costUsd > 0)) return null;
    const who = input.agent ?? (input.keyId ? `key:${input.keyId}` : null);
    if (!who) return null;
    const minute = Math.floor(Date.parse(input.ts) / 60_000);
    if (!Number.isFinite(minute)) return null;
    const id = `${input.workspace}\u0000${who}`;
    let series = this.#series.get(id);
    if (!series) {
      if (this.#series.size >= MAX_SERIES) this.#series.delete(this.#series.keys().next().value ?? "");
      series = { buckets: new Map(), firstMinute: minute, lastReportedMinute: Number.NEGATIVE_INFINITY };
      this.#series.set(id, series);
    }
    series.buckets.set(minute, (series.buckets.get(minute) ?? 0) + input.costUsd);
    const { windowMinutes, baselineHours, factor, minUsd } = this.#options;
    const baselineMinutes = baselineHours * 60;
    let windowUsd = 0;
    let baselineUsd = 0;
    for (const [m, usd] of series.buckets) {
      if (m < minute - windowMinutes - baselineMinutes) series.buckets.delete(m);
      else if (m > minute - windowMinutes) windowUsd += usd;
      else baselineUsd += usd;
    }
    // The baseline averages over the time actually observed before the window, and needs at least
    // one window's worth of it: a new agent is compared with what it did so far, not with zeros.
    const observed = Math.min(baselineMinutes, minute - windowMinutes - series.firstMinute + 1);
    if (observed < windowMinutes) return null;
    const baselineWindowUsd = (baselineUsd / observed) * windowMinutes;
    if (windowUsd < minUsd || windowUsd <= factor * baselineWindowUsd) return null;
    if (minute - series.lastReportedMinute < windowMinutes) return null;
    series.lastReportedMinute = minute;
    const ratio = baselineWindowUsd > 0 ? windowUsd / baselineWindowUsd : null;
    return {
      workspace: input.workspace,
      ts: input.ts,
      source: "gateway",
      kind: "cost.spike",
      agent: input.agent,
      target: who,
      severity: "medium",
      category: "cost",
      summary: `Spend spike for ${input.agent ? `agent ${input.agent}` : who}: $${windowUsd.toFixed(2)} in ${windowMinutes}m vs $${baselineWindowUsd.toFixed(2)} baseline${ratio ? ` (${ratio.toFixed(1)}×)` : ""}`,
      evidence: { traffic_ids: [input.trafficId] },
      attributes: { window_usd: Math.round(windowUsd * 1e4) / 1e4, baseline_usd: Math.round(baselineWindowUsd * 1e4) / 1e4, ...(input.keyId ? { key_id: input.keyId } : {}) },
    };
  }
}
