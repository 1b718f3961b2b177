// Relays an upstream chat completion stream to the client while the Shield watches it. All text
// the stream carries (content, reasoning, tool-call names and arguments) is one scanned string.
// When the mode enforces, the tail where a rule match could still be starting is held back (see
// stream-holdback.ts; without a tracker, the last `holdback` characters): text before it can no
// longer be the start of an incomplete match, and a secret split across chunks is caught before
// any part of it is released. Events are released whole and in order; an unchanged event is
// relayed as received, a redacted one re-serialised.
// At the end of the stream a final scan runs and everything left is flushed.
import type { Detection, ScanOutcome } from "../shield/types.ts";
import type { ChatCompletionChunk, Usage } from "./openai-types.ts";
import { decideOutbound, maskPiece, type OutboundDecision, type OutboundPolicy } from "./outbound.ts";
import type { SseEvent } from "./sse.ts";
import { StreamText } from "./stream-text.ts";
import type { HoldbackTracker } from "./stream-holdback.ts";

type PieceKind = "content" | "reasoning_content" | "reasoning" | "name" | "arguments";

interface Piece {
  choice: number;
  kind: PieceKind;
  /** Index in delta.tool_calls for name/arguments. */
  tool: number;
  start: number;
  end: number;
}

interface PendingEvent {
  raw: string;
  chunk: ChatCompletionChunk | null;
  pieces: Piece[];
  /** Where this event's text begins and ends in the stream's text. */
  start: number;
  end: number;
  /** A usage-only chunk the client did not ask for: recorded, not relayed. */
  drop: boolean;
}

export interface RelayOptions {
  enforce: boolean;
  /** The most characters ever held back (and the look-back of each incremental scan). */
  holdback: number;
  /** Decides how much of the tail to hold; absent: always the full `holdback`. */
  tracker?: HoldbackTracker | undefined;
  policy: OutboundPolicy;
  evaluate(text: string): ScanOutcome;
  /** The client did not ask for usage: drop the usage-only chunk the gateway asked for. */
  stripUsage: boolean;
  /** Named in the error event when the stream is blocked. */
  scanId: string;
  write(text: string): void;
}

export type RelayState = "streaming" | "blocked" | "failed" | "done";

/** Context extra characters scanned before the window so \b and look-behinds see their neighbours. */
const SCAN_PAD = 64;

export class StreamRelay {
  readonly #o: RelayOptions;
  readonly #text = new StreamText();
  #scannedTo = 0;
  #released = 0;
  readonly #pending: PendingEvent[] = [];
  readonly #seen = new Set<string>();
  readonly detections: Detection[] = [];
  readonly #redact: OutboundDecision["redact"] = [];
  state: RelayState = "streaming";
  usage: Usage | null = null;
  model: string | undefined;
  /** performance.now() when the first text was written to the client. */
  firstTextAt: number | undefined;
  decision: OutboundDecision | undefined;
  failure: string | undefined;
  redactions = 0;
  /** The upstream's end marker ([DONE]) or a finish_reason was seen: the stream is complete. */
  complete = false;

  constructor(options: RelayOptions) {
    this.#o = options;
  }

  get text(): string {
    return this.#text.full();
  }

  /** Takes the events of one upstream read; writes what may be released. */
  push(events: readonly SseEvent[]): RelayState {
    if (this.state !== "streaming") return this.state;
    for (const event of events) {
      if (event.data === "[DONE]") {
        this.complete = true;
        continue;
      }
      let chunk: ChatCompletionChunk;
      try {
        chunk = JSON.parse(event.data) as ChatCompletionChunk;
      } catch {
        return this.#fail("the upstream sent a malformed stream event");
      }
      if (!chunk || typeof chunk !== "object") return this.#fail("the upstream sent a malformed stream event");
      const upstreamError = (chunk as { error?: { message?: unknown } }).error;
      if (upstreamError) return this.#fail(typeof upstreamError.message === "string" ? `upstream error: ${upstreamError.message}` : "the upstream reported an error mid-stream");
      this.#append(event.raw, chunk);
    }
    if (this.#o.enforce) {
      if (this.#scan()) return this.state;
      // Events without text (the role chunk) go at once: the client sees the stream start.
      const { tracker } = this.#o;
      if (tracker) {
        const { text, start } = this.#text.recent;
        this.#release(tracker.holdFrom(text, this.#released, start));
      } else this.#release(Math.max(0, this.#text.length - this.#o.holdback));
    } else this.#release(this.#text.length);
    this.#forgetReleased();
    return this.state;
  }

  /** The upstream ended: final scan, flush, [DONE]. */
  finish(): RelayState {
    if (this.state !== "streaming") return this.state;
    if (this.#o.enforce) {
      if (this.#scan()) return this.state;
    } else {
      this.#collect(this.#o.evaluate(this.#text.full()).detections, 0);
      this.decision = decideOutbound(this.detections, this.#o.policy, false);
    }
    this.#release(Number.POSITIVE_INFINITY);
    this.#o.write("data: [DONE]\n\n");
    this.state = "done";
    return this.state;
  }

  /** Ends the client stream with an error event (an upstream disconnect, a timeout). */
  abort(message: string): void {
    if (this.state === "streaming") this.#fail(message);
  }

  #fail(message: string): RelayState {
    this.failure = message;
    this.state = "failed";
    this.#o.write(errorEvent(message, "upstream_error", "upstream_error"));
    return this.state;
  }

  #append(raw: string, chunk: ChatCompletionChunk): void {
    const pieces: Piece[] = [];
    const start = this.#text.length;
    if (chunk.model && !this.model) this.model = chunk.model;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      const delta = choice?.delta;
      if (choice.finish_reason) this.complete = true;
      if (!delta) continue;
      const add = (kind: PieceKind, value: unknown, tool = -1) => {
        if (typeof value !== "string" || value.length === 0) return;
        const start = this.#text.length;
        this.#text.append(value);
        pieces.push({ choice: choice.index ?? 0, kind, tool, start, end: this.#text.length });
      };
      add("content", delta.content);
      add("reasoning_content", delta.reasoning_content);
      add("reasoning", delta.reasoning);
      if (Array.isArray(delta.tool_calls)) {
        delta.tool_calls.forEach((call, i) => {
          const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
          if (!fn) return;
          add("name", fn.name, i);
          add("arguments", fn.arguments, i);
        });
      }
    }
    if (chunk.usage) this.usage = chunk.usage;
    const drop = this.#o.stripUsage && choices.length === 0 && !!chunk.usage;
    this.#pending.push({ raw, chunk, pieces, start, end: this.#text.length, drop });
  }

  /**
   * Lets the recent text drop what no later read needs: the next scan's look-back, the holdback's,
   * and the text of events still held (a redaction may yet rewrite them).
   */
  #forgetReleased(): void {
    const lookBack = Math.max(this.#o.holdback, this.#o.tracker?.lookBack ?? 0) + SCAN_PAD;
    const held = this.#pending[0]?.start ?? this.#text.length;
    const scanFrom = this.#o.enforce ? this.#scannedTo - lookBack : this.#text.length;
    this.#text.keepFrom(Math.max(0, Math.min(held, scanFrom, this.#text.length - lookBack)));
  }

  /** Scans the text not yet covered; returns true when the stream was blocked. */
  #scan(): boolean {
    if (this.#scannedTo === this.#text.length && this.decision) return false;
    const from = Math.max(0, this.#scannedTo - this.#o.holdback - SCAN_PAD);
    this.#collect(this.#o.evaluate(this.#text.slice(from)).detections, from);
    this.#scannedTo = this.#text.length;
    const decision = decideOutbound(this.detections, this.#o.policy, true);
    this.decision = decision;
    if (decision.block) {
      this.state = "blocked";
      this.#o.write(errorEvent(`the response was blocked by ClawNex Shield (scan ${this.#o.scanId})`, "shield_blocked", "invalid_request_error", { scan_id: this.#o.scanId, direction: "outbound" }));
      return true;
    }
    for (const span of decision.redact) {
      const key = `${span.rule_id}:${span.start}:${span.end}`;
      if (!this.#redact.some((r) => `${r.rule_id}:${r.start}:${r.end}` === key)) {
        this.#redact.push(span);
        this.redactions++;
      }
    }
    return false;
  }

  #collect(found: readonly Detection[], offset: number): void {
    for (const d of found) {
      const span = { start: d.span.start + offset, end: d.span.end + offset };
      const key = `${d.rule_id}:${span.start}:${span.end}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.detections.push(offset === 0 ? d : { ...d, span });
    }
  }

  /**
   * Writes pending events whose text ends at or before `upTo`, in order, in one write: each write
   * is a chunk of the client's response, and an upstream read often carries a dozen events.
   */
  #release(upTo: number): void {
    let i = 0;
    let out = "";
    for (; i < this.#pending.length; i++) {
      const event = this.#pending[i] as PendingEvent;
      if (event.end > upTo) break;
      if (event.drop) continue;
      out += this.#render(event);
      if (event.pieces.length > 0 && this.firstTextAt === undefined) this.firstTextAt = performance.now();
      this.#released = event.end;
    }
    if (i > 0) this.#pending.splice(0, i);
    if (out.length > 0) this.#o.write(out);
  }

  #render(event: PendingEvent): string {
    if (this.#redact.length === 0 || !event.chunk) return event.raw;
    const touched = event.pieces.filter((p) => this.#redact.some((s) => s.start < p.end && s.end > p.start));
    if (touched.length === 0) return event.raw;
    const chunk = structuredClone(event.chunk);
    for (const p of touched) {
      const masked = maskPiece(this.#text.slice(p.start, p.end), 0, p.end - p.start, this.#redact.map((r) => ({ ...r, start: r.start - p.start, end: r.end - p.start })));
      const choice = chunk.choices.find((c) => (c.index ?? 0) === p.choice);
      if (!choice) continue;
      if (p.kind === "name" || p.kind === "arguments") {
        const call = choice.delta.tool_calls?.[p.tool] as { function?: Record<string, unknown> } | undefined;
        if (call?.function) call.function[p.kind] = masked;
      } else choice.delta[p.kind] = masked;
    }
    (chunk as Record<string, unknown>).clawnex = { redacted: true };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  /** How much text the client has received (for the record: a block after a partial release). */
  get releasedChars(): number {
    return this.#released;
  }
}

export function errorEvent(message: string, code: string, type: string, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ error: { message, type, param: null, code, ...extra } })}\n\n`;
}
