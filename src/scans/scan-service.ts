// Scans text with the Shield and records the result. The record holds the text's hash, its
// length and the detections' redacted excerpts; the raw text only when an operator opted in.
import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ShieldMode } from "../config/config.ts";
import type { ShieldEngine } from "../shield/engine.ts";
import { redactSpans } from "../shield/redact.ts";
import type { Detection, Direction, ScanOutcome, Verdict } from "../shield/types.ts";

export interface ScanRequest {
  text: string;
  direction?: Direction | undefined;
  source?: string | undefined;
  metadata?: Record<string, unknown> | undefined;
  keyId?: string | null | undefined;
  workspace?: string | undefined;
  /** A per-request mode (e.g. a key's override); defaults to the global mode. */
  mode?: ShieldMode | undefined;
}

export interface ScanResult {
  id: string;
  verdict: Verdict;
  score: number;
  detections: Detection[];
  mode: ShieldMode;
  /** True when the verdict is BLOCK and the mode enforces it: the caller must stop the content. */
  enforced: boolean;
  direction: Direction;
  source: string;
  latency_ms: number;
  text_sha256: string;
  text_length: number;
  invisible: ScanOutcome["invisible"];
  truncated: boolean;
  created_at: string;
}

export interface ScanRecord extends ScanResult {
  workspace: string;
  key_id: string | null;
  raw_text: string | null;
  metadata: Record<string, unknown> | null;
}

/** Where scan records go; the store implements it, tests can hand in an array. */
export interface ScanSink {
  record(scan: ScanRecord): Promise<void>;
}

export interface ModeSource {
  current(): Promise<ShieldMode>;
}

export interface ScanServiceOptions {
  engine: () => ShieldEngine;
  modes: ModeSource;
  sink: ScanSink;
  storeRawText: boolean;
  clock?: () => Date;
}

export class ScanService {
  readonly #options: ScanServiceOptions;

  constructor(options: ScanServiceOptions) {
    this.#options = options;
  }

  /** Pure scan, no record: used where the caller records the outcome itself (e.g. the gateway). */
  evaluate(text: string, direction: Direction): ScanOutcome {
    return this.#options.engine().scan({ text, direction });
  }

  async scan(request: ScanRequest): Promise<ScanResult> {
    const started = performance.now();
    const direction = request.direction ?? "inbound";
    const outcome = this.#options.engine().scan({ text: request.text, direction });
    const latency = performance.now() - started;
    const mode = request.mode ?? (await this.#options.modes.current());
    const result: ScanResult = {
      id: `scan_${randomUUID().replace(/-/g, "")}`,
      verdict: outcome.verdict,
      score: outcome.score,
      detections: outcome.detections,
      mode,
      enforced: mode === "BLOCK" && outcome.verdict === "BLOCK",
      direction,
      source: request.source ?? "api",
      latency_ms: Math.round(latency * 1000) / 1000,
      text_sha256: createHash("sha256").update(request.text).digest("hex"),
      text_length: request.text.length,
      invisible: outcome.invisible,
      truncated: outcome.truncated,
      created_at: (this.#options.clock?.() ?? new Date()).toISOString(),
    };
    await this.#options.sink.record({
      ...result,
      workspace: request.workspace ?? "default",
      key_id: request.keyId ?? null,
      raw_text: this.#options.storeRawText ? redactSpans(request.text, outcome.detections.filter((d) => d.sensitive).map((d) => d.span)) : null,
      metadata: request.metadata ?? null,
    });
    return result;
  }
}
