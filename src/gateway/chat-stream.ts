// The stream path: once the upstream answered 200, the client gets its headers at once and the
// upstream's events are relayed through the StreamRelay as they arrive. Failures before that
// point are thrown (the route answers with a JSON error); after it they end the stream with an
// SSE error event. A client that goes away aborts the upstream request.
import { performance } from "node:perf_hooks";
import { AnthropicStreamTranslator } from "./anthropic.ts";
import { type Finish, type GatewayService, newId, type Prepared } from "./gateway-service.ts";
import { OpenAIHttpError } from "./openai-errors.ts";
import { SseParser, type SseEvent } from "./sse.ts";
import { StreamRelay } from "./stream-relay.ts";
import { callUpstream, type CallResult } from "./upstream-call.ts";

export interface StreamSink {
  open(headers: Record<string, string>): void;
  write(text: string): void;
  /** Sends what was written so far now (open() may hold the headers back for the first events). */
  flush(): void;
  /** True while the client has more unread than its connection buffers: read no more upstream until drained(). */
  readonly congested: boolean;
  /** Settles true once the client has caught up, false if it went away or read nothing for `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>;
  /** Disconnects the client (it stopped reading). */
  abandon(): void;
  end(): void;
  /** True once the client has gone away. */
  readonly closed: boolean;
}

export async function relayStream(svc: GatewayService, p: Prepared, sink: StreamSink, signal: AbortSignal): Promise<void> {
  const { deps } = svc;
  const upstreamStart = performance.now();
  const preUpstream = upstreamStart - p.ctx.startedAt;
  let call: CallResult;
  try {
    call = await callUpstream(deps.upstream, { chain: p.chain, body: p.body, raw: p.raw, stream: true, maxRetries: deps.config.maxRetries, retryBaseMs: deps.config.retryBaseMs }, signal);
  } catch (err) {
    const aborted = signal.aborted;
    svc.finish(p, { status: aborted ? 499 : err instanceof OpenAIHttpError ? err.status : 502, outcome: aborted ? "client_disconnect" : "upstream_error", errorCode: err instanceof OpenAIHttpError ? err.code : "upstream_error", stream: true, upstreamMs: performance.now() - upstreamStart, overheadMs: preUpstream });
    throw err;
  }
  const { choice, response } = call;
  const headers: Record<string, string> = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "x-clawnex-scan-id": p.inboundScanId,
    // Streams can only report what was spent before the first byte; the traffic record has the total.
    "x-clawnex-overhead-ms": preUpstream.toFixed(3),
    "x-clawnex-route": choice.route.id,
  };
  if (p.breakGlass) headers["x-clawnex-break-glass"] = "true";
  sink.open(headers);

  const outboundScanId = newId("scan");
  let scanMs = 0;
  const relay = new StreamRelay({
    enforce: p.enforce,
    holdback: deps.config.outbound.holdbackChars,
    tracker: deps.holdback?.tracker(),
    policy: deps.policy,
    evaluate: (text) => {
      const t = performance.now();
      const outcome = deps.evaluate(text, "outbound");
      scanMs += performance.now() - t;
      return outcome;
    },
    stripUsage: call.addedUsage,
    scanId: outboundScanId,
    write: (text) => {
      if (!sink.closed) sink.write(text);
    },
  });
  const parser = new SseParser();
  const translator = choice.route.kind === "anthropic" ? new AnthropicStreamTranslator(choice.upstreamModel, true) : null;
  const translate = (events: SseEvent[]) => (translator ? events.flatMap((e) => translator.translate(e)) : events);
  let processingMs = 0;
  let outcome: Finish["outcome"] = "ok";
  let errorCode: string | null = null;
  let stalled = false;
  try {
    for await (const bytes of response.body) {
      if (sink.closed) break;
      const t = performance.now();
      const state = relay.push(translate(parser.push(bytes as Buffer)));
      processingMs += performance.now() - t;
      sink.flush();
      if (state !== "streaming") break;
      // A client that reads slower than the upstream writes holds the upstream back (its unread
      // bytes wait in the socket buffers, then the upstream exchange pauses it), rather than
      // ClawNex holding the rest of the stream in memory for it.
      // One that stops reading altogether is let go after clientStallTimeoutMs: a stalled
      // connection must not hold a handler and an upstream call forever.
      if (sink.congested && !(await sink.drained(deps.config.clientStallTimeoutMs))) {
        if (!sink.closed) stalled = true;
        sink.abandon();
        break;
      }
    }
    if (sink.closed || signal.aborted) outcome = "client_disconnect";
    else if (relay.state === "streaming") {
      const t = performance.now();
      relay.push(translate(parser.end()));
      if (relay.state === "streaming") {
        if (relay.complete) relay.finish();
        else relay.abort("the upstream ended the stream before it was complete");
      }
      processingMs += performance.now() - t;
    }
  } catch {
    if (sink.closed || signal.aborted) outcome = "client_disconnect";
    else relay.abort("the upstream connection failed mid-stream");
  } finally {
    if (!response.body.destroyed) response.body.destroy();
    sink.end();
  }
  if (stalled) errorCode = "client_stalled";
  if (outcome === "ok") {
    if (relay.state === "blocked") {
      outcome = "blocked_outbound";
      errorCode = "shield_blocked";
    } else if (relay.state === "failed") {
      outcome = "upstream_disconnect";
      errorCode = "upstream_stream_failed";
    }
  }
  const end = performance.now();
  const decision = relay.decision;
  svc.finish(p, {
    status: outcome === "client_disconnect" ? 499 : 200,
    outcome,
    errorCode,
    choice,
    stream: true,
    usage: relay.usage,
    completionText: relay.text,
    upstreamMs: end - upstreamStart - processingMs,
    overheadMs: preUpstream + processingMs,
    ttftMs: relay.firstTextAt !== undefined ? relay.firstTextAt - p.ctx.startedAt : null,
    outbound: decision ? { id: outboundScanId, verdict: decision.verdict, score: decision.score, detections: relay.detections, latencyMs: scanMs, text: relay.text } : undefined,
    redactions: relay.redactions,
    attempts: call.attempts,
  });
}
