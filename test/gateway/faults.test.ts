// Faults: upstream errors mapped to OpenAI errors with meaningful statuses, retries and fallback
// before any byte reached the client, disconnects on either side, malformed streams, timeouts.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { startFakeUpstream, type FakeUpstream } from "../helpers/fake-upstream.ts";
import { type GatewayHarness, PROVIDER_KEY, startGateway, traffic } from "./setup.ts";

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const ask = (h: GatewayHarness, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) => h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "hi" }], ...extra });

describe("upstream errors and retries", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ gateway: { maxRetries: 2, headersTimeoutMs: 400 } });
  });
  after(() => h.close());

  test("a 5xx before any byte is retried, then succeeds", async () => {
    h.upstream.queue({ kind: "error", status: 500 }, { kind: "error", status: 503 });
    const res = await ask(h);
    assert.ok(res.choices[0]?.message.content);
    const [row] = await traffic(h);
    assert.equal(row?.attempts, 3);
  });

  test("a persistent 429 reaches the client as a RateLimitError after the retries", async () => {
    h.upstream.queue({ kind: "error", status: 429, headers: { "retry-after": "0" } }, { kind: "error", status: 429, headers: { "retry-after": "0" } }, { kind: "error", status: 429, body: { error: { message: "slow down", type: "rate_limit_error" } } });
    await assert.rejects(ask(h), (err: unknown) => err instanceof OpenAI.RateLimitError && /slow down/.test(err.message));
    const [row] = await traffic(h);
    assert.equal(row?.outcome, "upstream_error");
    assert.equal(row?.status, 429);
  });

  test("a 400 from the upstream is passed back once, not retried", async () => {
    const before = h.upstream.requests.length;
    h.upstream.queue({ kind: "error", status: 400, body: { error: { message: "bad tool schema", type: "invalid_request_error", param: "tools", code: "invalid_tools" } } });
    await assert.rejects(ask(h), (err: unknown) => err instanceof OpenAI.BadRequestError && err.code === "invalid_tools" && err.param === "tools");
    assert.equal(h.upstream.requests.length, before + 1);
  });

  test("an upstream 401 is the gateway's failure (502), and an echoed provider key is scrubbed", async () => {
    h.upstream.queue({ kind: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${PROVIDER_KEY}` } } });
    await assert.rejects(ask(h), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError);
      assert.equal(err.status, 502);
      assert.equal(err.code, "upstream_auth_failed");
      assert.ok(!err.message.includes(PROVIDER_KEY));
      return true;
    });
  });

  test("an upstream that never answers times out as a 504", async () => {
    h.upstream.queue({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    await assert.rejects(ask(h), (err: unknown) => err instanceof OpenAI.APIError && err.status === 504);
  });

  test("a non-stream answer cut mid-body is a 502", async () => {
    h.upstream.queue({ kind: "disconnect", afterChunks: [] });
    await assert.rejects(ask(h), (err: unknown) => err instanceof OpenAI.APIError && err.status === 502);
  });
});

describe("stream faults", () => {
  let h: GatewayHarness;
  before(async () => {
    // A short holdback so text flows while the upstream is still sending.
    h = await startGateway({ gateway: { outbound: { holdbackChars: 16 } } });
  });
  after(() => h.close());

  const stream = () => h.client.chat.completions.create({ model: "fake-model", stream: true, messages: [{ role: "user", content: "hi" }] });
  const drain = async () => {
    let text = "";
    try {
      for await (const c of await stream()) text += c.choices[0]?.delta?.content ?? "";
    } catch (err) {
      return { text, err };
    }
    return { text, err: null };
  };

  test("an upstream disconnect mid-stream ends the client stream with an error event, recorded", async () => {
    h.upstream.queue({ kind: "disconnect", afterChunks: ["partial ", "answer "] });
    const { err } = await drain();
    assert.ok(err instanceof OpenAI.APIError);
    const [row] = await traffic(h);
    assert.equal(row?.outcome, "upstream_disconnect");
  });

  test("malformed SSE from the upstream ends the stream with an error event", async () => {
    h.upstream.queue({ kind: "malformed", afterChunks: ["ok "] });
    const { err } = await drain();
    assert.ok(err instanceof OpenAI.APIError);
  });

  test("a stream that ends without finish_reason or [DONE] is reported, not passed off as complete", async () => {
    h.upstream.queue({ kind: "truncated", chunks: ["half "] });
    const { err } = await drain();
    assert.ok(err instanceof OpenAI.APIError);
  });

  test("a client that goes away aborts the upstream request, and the call is recorded", async () => {
    const aborted = h.upstream.aborted;
    h.upstream.queue({ kind: "text", chunks: Array.from({ length: 100 }, (_, i) => `w${i} `), chunkDelayMs: 20 });
    const controller = new AbortController();
    const s = await h.client.chat.completions.create({ model: "fake-model", stream: true, messages: [{ role: "user", content: "long" }] }, { signal: controller.signal });
    // The openai client ends the iteration quietly on its own abort.
    for await (const _ of s) controller.abort();
    for (let i = 0; i < 100 && h.upstream.aborted === aborted; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.upstream.aborted, aborted + 1);
    const [row] = await traffic(h);
    assert.equal(row?.outcome, "client_disconnect");
  });

  test("a client that gives up on a non-stream call aborts the upstream request too, recorded", async () => {
    const aborted = h.upstream.aborted;
    h.upstream.queue({ kind: "text", text: "late answer", firstByteDelayMs: 2000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "slow" }] }, { signal: controller.signal, maxRetries: 0 }));
    for (let i = 0; i < 100 && h.upstream.aborted === aborted; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.upstream.aborted, aborted + 1);
    let row: Awaited<ReturnType<typeof traffic>>[number] | undefined;
    for (let i = 0; i < 100 && row?.outcome !== "client_disconnect"; i++) {
      [row] = await traffic(h);
      if (row?.outcome !== "client_disconnect") await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(row?.outcome, "client_disconnect");
    assert.equal(row?.status, 499);
  });
});

describe("routing and fallback", () => {
  let fallbackUpstream: FakeUpstream;
  let h: GatewayHarness;
  before(async () => {
    fallbackUpstream = await startFakeUpstream();
    const port = await closedPort();
    h = await startGateway({
      env: { BACKUP_KEY: "sk-backup-key-abcdef" },
      providers: () => [
        { id: "primary", baseUrl: `http://127.0.0.1:${port}/v1`, apiKeyEnv: "LOCAL_KEY", models: ["team/*"], fallbacks: ["backup"] },
        { id: "backup", baseUrl: fallbackUpstream.baseUrl, apiKeyEnv: "BACKUP_KEY", models: ["other-model"], modelMap: { "team/fast": "llama-fast" } },
      ],
    });
  });
  after(async () => {
    await h.close();
    await fallbackUpstream.close();
  });

  test("an unreachable primary falls back to the next route, which uses its own key", async () => {
    const res = await h.client.chat.completions.create({ model: "team/fast", messages: [{ role: "user", content: "hi" }] });
    assert.ok(res.choices[0]?.message.content);
    const sent = fallbackUpstream.requests.at(-1);
    assert.equal(sent?.headers.authorization, "Bearer sk-backup-key-abcdef");
    assert.equal(sent?.body?.model, "llama-fast");
    assert.ok(!JSON.stringify(fallbackUpstream.requests).includes(PROVIDER_KEY), "the primary's key never goes to another host");
    const [row] = await traffic(h);
    assert.equal(row?.route, "backup");
  });

  test("a model no route serves is a 404 NotFoundError", async () => {
    await assert.rejects(h.client.chat.completions.create({ model: "nobody-serves-this", messages: [{ role: "user", content: "hi" }] }), OpenAI.NotFoundError);
  });
});
