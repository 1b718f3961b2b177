// Unit and property tests of the gateway's pure parts: the stream holdback (a secret split at any
// points never leaks), SSE parsing across arbitrary byte splits, routing, base URL validation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ShieldEngine } from "../../src/shield/engine.ts";
import { parseRuleFile } from "../../src/shield/rule-schema.ts";
import { fromAnthropicResponse } from "../../src/gateway/anthropic.ts";
import { ProviderRouter, validateBaseUrl } from "../../src/gateway/providers.ts";
import { SseParser } from "../../src/gateway/sse.ts";
import { StreamRelay } from "../../src/gateway/stream-relay.ts";
import { TEST_BLOCK_RULE } from "../helpers/server.ts";
import { splitAt } from "./split-at.ts";
import { deltaContents } from "./sse-deltas.ts";

const engine = new ShieldEngine(parseRuleFile(TEST_BLOCK_RULE, "testing.yaml"), { thresholds: { review: 40, block: 70 } });
const SECRET = "zzsecret_abcdefghij0123456789";

function chunkEvent(content: string, i: number): { event: undefined; data: string; raw: string } {
  const data = JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: i % 1 === 0 ? 0 : 0, delta: { content }, finish_reason: null }] });
  return { event: undefined, data, raw: `data: ${data}\n\n` };
}

function run(chunks: string[], categoryActions: Record<string, "block" | "redact">, holdback = 64) {
  let written = "";
  const released: string[] = [];
  const relay = new StreamRelay({
    enforce: true,
    holdback,
    policy: { categoryActions, thresholds: { review: 40, block: 70 } },
    evaluate: (t) => engine.scan({ text: t, direction: "outbound" }),
    stripUsage: false,
    scanId: "scan_x",
    write: (t) => {
      written += t;
      released.push(...deltaContents(t));
    },
  });
  // Arrive in batches of 1-3 events, as TCP reads would group them.
  for (let i = 0; i < chunks.length; i += 2) {
    relay.push(chunks.slice(i, i + 2).map(chunkEvent));
    if (relay.state !== "streaming") break;
  }
  relay.push([{ event: undefined, data: JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }), raw: "" }]);
  relay.finish();
  return { relay, written, text: released.join("") };
}

describe("stream holdback", () => {
  const filler = fc.string({ unit: fc.constantFrom("a", "b", " ", ".", "x", "\n"), maxLength: 200 });
  test("a secret split at any points never reaches the client; redacted, the rest is intact", () => {
    fc.assert(
      fc.property(filler, filler, fc.array(fc.nat(), { maxLength: 12 }), (before, after, cuts) => {
        const full = `${before} ${SECRET} ${after}`;
        const { text, relay } = run(splitAt(full, cuts), {});
        assert.ok(!text.includes("zzsecret_"), "no part of the secret with its prefix is released");
        assert.equal(text, `${before} [REDACTED] ${after}`);
        assert.equal(relay.state, "done");
      }),
      { numRuns: 150 },
    );
  });

  test("in a block category the stream ends in an error event and nothing of the secret was written", () => {
    fc.assert(
      fc.property(filler, fc.array(fc.nat(), { maxLength: 12 }), (before, cuts) => {
        const { written, relay } = run(splitAt(`${before} ${SECRET} tail`, cuts), { test: "block" });
        assert.equal(relay.state, "blocked");
        assert.ok(!written.includes("zzsecret"));
        assert.match(written, /"code":"shield_blocked"/);
      }),
      { numRuns: 100 },
    );
  });
});

describe("SSE parser", () => {
  test("events split at any byte (inside UTF-8 sequences, CRLF line ends) come out whole", () => {
    const events = ["data: {\"a\":\"héllo 👋\"}\r\n\r\n", "data: line one\r\ndata: line two\r\n\r\n", "event: ping\ndata: {}\n\n", ": comment\ndata: [DONE]\n\n"].join("");
    const bytes = Buffer.from(events, "utf8");
    fc.assert(
      fc.property(fc.array(fc.nat({ max: bytes.length }), { maxLength: 10 }), (cuts) => {
        const parser = new SseParser();
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const got = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          got.push(...parser.push(bytes.subarray(from, p)));
          from = p;
        }
        got.push(...parser.end());
        assert.deepEqual(got.map((e) => [e.event, e.data]), [[undefined, '{"a":"héllo 👋"}'], [undefined, "line one\nline two"], ["ping", "{}"], [undefined, "[DONE]"]]);
      }),
    );
  });
});

describe("routing and provider config", () => {
  const router = ProviderRouter.fromConfig(
    [
      { id: "openrouter", baseUrl: "https://openrouter.example/api/v1", models: ["openrouter/*"], keepPrefix: true },
      { id: "groq", baseUrl: "https://groq.example/openai/v1", models: ["groq/*"], modelMap: { fast: "llama-3.1-8b-instant" } },
      { id: "claude", kind: "anthropic", baseUrl: "https://anthropic.example/v1", models: ["claude-*"] },
      { id: "local", baseUrl: "http://127.0.0.1:11434/v1", models: ["*"] },
    ],
    () => undefined,
    "/tmp",
  );
  test("exact and mapped names win, then the longest prefix, then '*'", () => {
    assert.deepEqual(router.resolve("fast").map((c) => [c.route.id, c.upstreamModel]), [["groq", "llama-3.1-8b-instant"]]);
    assert.deepEqual(router.resolve("groq/llama3").map((c) => [c.route.id, c.upstreamModel]), [["groq", "llama3"]]);
    assert.deepEqual(router.resolve("openrouter/auto").map((c) => [c.route.id, c.upstreamModel]), [["openrouter", "openrouter/auto"]]);
    assert.deepEqual(router.resolve("claude-sonnet").map((c) => [c.route.id, c.upstreamModel]), [["claude", "claude-sonnet"]]);
    assert.deepEqual(router.resolve("qwen2.5").map((c) => c.route.id), ["local"]);
  });
  test("a model named like an Object property is routed by the patterns, not found in a modelMap", () => {
    for (const model of ["constructor", "toString", "__proto__", "valueOf"]) {
      assert.deepEqual(router.resolve(model).map((c) => [c.route.id, c.upstreamModel]), [["local", model]], model);
    }
  });
  test("base URLs: http(s) only, no credentials, no query; keys never in headers config", () => {
    assert.equal(validateBaseUrl("http://192.168.1.10:8000/v1"), null);
    assert.match(String(validateBaseUrl("https://user:pw@api.example/v1")), /credentials/);
    assert.match(String(validateBaseUrl("file:///etc/passwd")), /http/);
    assert.match(String(validateBaseUrl("https://api.example/v1?key=x")), /query/);
    assert.throws(() => ProviderRouter.fromConfig([{ id: "x", baseUrl: "https://a.example", headers: { Authorization: "Bearer x" } }], () => undefined, "/tmp"), /credentials/);
    assert.throws(() => ProviderRouter.fromConfig([{ id: "x", baseUrl: "https://a.example", apiKeyEnv: "MISSING" }], () => undefined, "/tmp"), /MISSING/);
    assert.throws(() => ProviderRouter.fromConfig([{ id: "x", baseUrl: "https://a.example", fallbacks: ["nope"] }], () => undefined, "/tmp"), /fallback/);
  });
});

describe("Anthropic translation", () => {
  test("stop reasons map to OpenAI finish reasons; unknown ones (even 'constructor') are 'stop'", () => {
    const finish = (stop: string) => fromAnthropicResponse({ id: "msg_1", content: [{ type: "text", text: "hi" }], stop_reason: stop }, "claude-x").choices[0]?.finish_reason;
    assert.equal(finish("max_tokens"), "length");
    assert.equal(finish("tool_use"), "tool_calls");
    for (const stop of ["constructor", "toString", "__proto__", "something_new"]) assert.equal(finish(stop), "stop", stop);
  });
});
