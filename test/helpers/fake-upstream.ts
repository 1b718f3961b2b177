// A local OpenAI-compatible (and Anthropic Messages) upstream for tests and benchmarks, on
// 127.0.0.1. It records every request it receives (so a test can assert a blocked prompt never
// reached it) and answers with a scenario: canned text (streamed in chosen chunks, e.g. a secret
// split across them), tool calls, errors with a chosen status, slow bytes, malformed SSE, abrupt
// disconnects, a hang. Scenarios are queued one per request; the default answers with text.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Scenario =
  | { kind: "text"; text?: string; chunks?: string[]; usage?: { prompt_tokens: number; completion_tokens: number } | null; chunkDelayMs?: number; firstByteDelayMs?: number }
  | { kind: "toolcall"; name: string; args: Record<string, unknown> }
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "disconnect"; afterChunks: string[] }
  | { kind: "malformed"; afterChunks?: string[] }
  | { kind: "truncated"; chunks: string[] }
  | { kind: "hang" };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  raw: string;
  body: Record<string, unknown> | null;
}

export interface FakeUpstream {
  /** Base URL to configure as a provider's baseUrl (ends in /v1). */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Queue scenarios for the next requests (FIFO); afterwards the default answers. */
  queue(...scenarios: Scenario[]): void;
  setDefault(scenario: Scenario): void;
  /** Requests that were aborted by the client (the gateway) before the answer finished. */
  aborted: number;
  close(): Promise<void>;
}

export const DEFAULT_TEXT = "Hello from the fake upstream.";
const USAGE = { prompt_tokens: 123, completion_tokens: 17 };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function words(text: string): string[] {
  return text.split(/(?<= )/);
}

function usageOf(u: { prompt_tokens: number; completion_tokens: number }) {
  return { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
}

export async function startFakeUpstream(options: { record?: boolean } = {}): Promise<FakeUpstream> {
  const record = options.record ?? true;
  const pending: Scenario[] = [];
  let fallback: Scenario = { kind: "text" };
  let seq = 0;
  const state: FakeUpstream = {
    baseUrl: "",
    requests: [],
    aborted: 0,
    queue: (...s) => void pending.push(...s),
    setDefault: (s) => void (fallback = s),
    close: async () => {},
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> | null = null;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    if (record) state.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, raw, body });
    res.on("close", () => {
      if (!res.writableFinished) state.aborted++;
    });
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model", created: 0, owned_by: "fake" }] }));
      return;
    }
    const scenario = pending.shift() ?? fallback;
    const anthropic = req.url?.endsWith("/messages") ?? false;
    const stream = body?.stream === true;
    const includeUsage = (body?.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const model = typeof body?.model === "string" ? body.model : "fake-model";
    const id = `chatcmpl-fake-${++seq}`;
    if (scenario.kind === "hang") return;
    if (scenario.kind === "error") {
      res.writeHead(scenario.status, { "content-type": "application/json", ...scenario.headers });
      res.end(typeof scenario.body === "string" ? scenario.body : JSON.stringify(scenario.body ?? { error: { message: `fake upstream error ${scenario.status}`, type: "server_error", code: "fake_error" } }));
      return;
    }
    if (anthropic) return answerAnthropic(res, scenario, stream, model, id);
    if (!stream) {
      const message =
        scenario.kind === "toolcall"
          ? { role: "assistant", content: null, tool_calls: [{ id: `call_${seq}`, type: "function", function: { name: scenario.name, arguments: JSON.stringify(scenario.args) } }] }
          : { role: "assistant", content: scenario.kind === "text" ? (scenario.chunks?.join("") ?? scenario.text ?? DEFAULT_TEXT) : "partial" };
      const usage = scenario.kind === "text" && scenario.usage === null ? undefined : usageOf(scenario.kind === "text" && scenario.usage ? scenario.usage : USAGE);
      if (scenario.kind === "text" && scenario.firstByteDelayMs) await sleep(scenario.firstByteDelayMs);
      if (scenario.kind === "disconnect" || scenario.kind === "malformed" || scenario.kind === "truncated") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"id":"x","choices":[');
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id, object: "chat.completion", created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, message, finish_reason: scenario.kind === "toolcall" ? "tool_calls" : "stop" }], ...(usage ? { usage } : {}) }));
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    const event = (delta: Record<string, unknown>, finish: string | null = null) => `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    if (scenario.kind === "text" && scenario.firstByteDelayMs) await sleep(scenario.firstByteDelayMs);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(event({ role: "assistant", content: "" }));
    if (scenario.kind === "toolcall") {
      res.write(event({ tool_calls: [{ index: 0, id: `call_${seq}`, type: "function", function: { name: scenario.name, arguments: "" } }] }));
      res.write(event({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(scenario.args) } }] }));
      res.write(event({}, "tool_calls"));
    } else if (scenario.kind === "text") {
      const parts = scenario.chunks ?? words(scenario.text ?? DEFAULT_TEXT);
      for (const p of parts) {
        if (scenario.chunkDelayMs) await sleep(scenario.chunkDelayMs);
        if (res.destroyed) return;
        res.write(event({ content: p }));
      }
      res.write(event({}, "stop"));
    } else {
      const before = scenario.kind === "truncated" ? scenario.chunks : (scenario.afterChunks ?? []);
      for (const p of before) res.write(event({ content: p }));
      if (scenario.kind === "disconnect") {
        // Give the chunks a moment to leave, then cut the connection without ending the response.
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      if (scenario.kind === "malformed") res.write("data: {this is not json\n\n");
      res.end();
      return;
    }
    const usage = scenario.kind === "text" && scenario.usage === null ? null : usageOf(scenario.kind === "text" && scenario.usage ? scenario.usage : USAGE);
    if (includeUsage && usage) res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage })}\n\n`);
    res.end("data: [DONE]\n\n");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

async function answerAnthropic(res: ServerResponse, scenario: Scenario, stream: boolean, model: string, id: string): Promise<void> {
  const text = scenario.kind === "text" ? (scenario.chunks?.join("") ?? scenario.text ?? DEFAULT_TEXT) : "";
  const usage = { input_tokens: 123, output_tokens: 17 };
  if (!stream) {
    const content = scenario.kind === "toolcall" ? [{ type: "tool_use", id: "toolu_1", name: scenario.name, input: scenario.args }] : [{ type: "text", text }];
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id, type: "message", role: "assistant", model, content, stop_reason: scenario.kind === "toolcall" ? "tool_use" : "end_turn", usage }));
    return;
  }
  const ev = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(ev("message_start", { message: { id, type: "message", role: "assistant", model, content: [], usage: { input_tokens: 123, output_tokens: 1 } } }));
  res.write(ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
  for (const p of scenario.kind === "text" ? (scenario.chunks ?? words(text)) : []) res.write(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: p } }));
  res.write(ev("content_block_stop", { index: 0 }));
  res.write(ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 17 } }));
  res.end(ev("message_stop", {}));
}
