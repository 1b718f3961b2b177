// LiteLLM's guardrail API and logging callback, Anthropic routes behind the OpenAI API, and the
// in-process ChatCaller the fleet task runner uses.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { GatewayBlockedError, getChatCaller } from "../../src/gateway/chat-caller.ts";
import { postJson } from "../helpers/server.ts";
import { CANARY, type GatewayHarness, startGateway, traffic } from "./setup.ts";

describe("LiteLLM integration", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ mode: "BLOCK" });
  });
  after(() => h.close());
  const guard = (body: unknown, key = h.key) => postJson(`${h.server.url}/beta/litellm_basic_guardrail_api`, body, { "x-api-key": key });

  test("guardrail: NONE for clean text, BLOCKED for a flagged request (unknown fields ignored)", async () => {
    const clean = await guard({ texts: ["hello there"], input_type: "request", litellm_call_id: "c1", request_data: { user_api_key_alias: "a" }, additional_provider_specific_params: {} });
    assert.equal(clean.status, 200);
    assert.deepEqual(clean.body, { action: "NONE" });
    const bad = await guard({ texts: ["hi", "please zz-block-me now"], input_type: "request" });
    assert.equal(bad.body.action, "BLOCKED");
    assert.match(bad.body.blocked_reason, /testing\.block-marker/);
    const poisoned = await guard({ texts: ["hi"], input_type: "request", tools: [{ type: "function", function: { name: "t", description: "please zz-block-me now" } }] });
    assert.equal(poisoned.body.action, "BLOCKED");
  });

  test("guardrail: a response secret is masked (GUARDRAIL_INTERVENED), a canary is BLOCKED", async () => {
    const masked = await guard({ texts: ["key zzsecret_abcdefghij0123456789 ok"], input_type: "response" });
    assert.deepEqual(masked.body, { action: "GUARDRAIL_INTERVENED", texts: ["key [REDACTED] ok"] });
    const leak = await guard({ texts: [`the canary is ${CANARY}`], input_type: "response" });
    assert.equal(leak.body.action, "BLOCKED");
  });

  test("guardrail: honours OBSERVE (per-key override) and needs a valid key", async () => {
    assert.equal((await guard({ texts: ["x"] }, "cnx_badbadba_000000000000000000000000000000000")).status, 401);
    await fetch(`${h.server.url}/api/v1/gateway/key-modes/${h.keyId}`, { method: "PUT", headers: { "x-clawnex-key": h.admin, "content-type": "application/json" }, body: JSON.stringify({ mode: "OBSERVE" }) });
    const observed = await guard({ texts: ["please zz-block-me now"], input_type: "request" });
    assert.deepEqual(observed.body, { action: "NONE" });
    await fetch(`${h.server.url}/api/v1/gateway/key-modes/${h.keyId}`, { method: "PUT", headers: { "x-clawnex-key": h.admin, "content-type": "application/json" }, body: JSON.stringify({ mode: null }) });
  });

  test("logging callback: StandardLoggingPayload batches become traffic records, once per call id", async () => {
    const payload = [
      { id: "litellm-call-1", model: "gpt-4o-mini", model_group: "gpt-4o-mini", custom_llm_provider: "openai", prompt_tokens: 100, completion_tokens: 20, response_cost: 0.00042, status: "success", startTime: 1795500000.1, endTime: 1795500001.35, completionStartTime: 1795500000.4, stream: true, messages: [], metadata: {} },
      { id: "litellm-call-2", model: "claude-x", status: "failure", startTime: 1795500002, endTime: 1795500003, error_str: "boom" },
    ];
    const first = await postJson(`${h.server.url}/api/v1/litellm/logs`, payload, { "x-api-key": h.key });
    assert.equal(first.status, 202);
    assert.equal(first.body.accepted, 2);
    await postJson(`${h.server.url}/api/v1/litellm/logs`, payload[0], { "x-api-key": h.key });
    const rows = await traffic(h, "?route=litellm");
    assert.equal(rows.length, 2);
    const ok = rows.find((r) => r.external_id === "litellm-call-1");
    assert.equal(ok?.cost_usd, 0.00042);
    assert.equal(ok?.cost_source, "litellm");
    assert.equal(ok?.tokens_in, 100);
    assert.equal(ok?.upstream_ms, 1250);
    assert.equal(rows.find((r) => r.external_id === "litellm-call-2")?.outcome, "upstream_error");
  });
});

describe("Anthropic routes and the ChatCaller", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ providers: (u) => [{ id: "claude", kind: "anthropic", baseUrl: u.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["claude-*"] }, { id: "local", baseUrl: u.baseUrl, apiKeyEnv: "LOCAL_KEY", models: ["*"] }] });
  });
  after(() => h.close());

  test("chat completions are translated to and from the Messages API, stream and non-stream", async () => {
    const res = await h.client.chat.completions.create({ model: "claude-test", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }] });
    assert.equal(res.choices[0]?.message.content, "Hello from the fake upstream.");
    assert.equal(res.usage?.prompt_tokens, 123);
    const sent = h.upstream.requests.at(-1);
    assert.equal(sent?.url, "/v1/messages");
    assert.equal(sent?.headers["x-api-key"], "sk-provider-secret-0123456789");
    assert.equal(sent?.body?.system, "be brief");
    const stream = await h.client.chat.completions.create({ model: "claude-test", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? "";
      usage = c.usage ?? usage;
    }
    assert.equal(text, "Hello from the fake upstream.");
    assert.equal(usage?.completion_tokens, 17);
  });

  test("the ChatCaller goes through the same path and throws GatewayBlockedError", async () => {
    const caller = getChatCaller(h.server.services.modules);
    assert.ok(caller);
    const reply = await caller.complete({ model: "fake-model", messages: [{ role: "user", content: "hello" }], stream: true }, { workspace: "default", keyId: null, source: "task", taskId: "task_1", agentId: "agent-7" });
    assert.equal(reply.choices[0]?.message.content, "Hello from the fake upstream.");
    const before = h.upstream.requests.length;
    await assert.rejects(caller.complete({ model: "fake-model", messages: [{ role: "user", content: "please zz-block-me now" }] }, { workspace: "default", keyId: null, source: "task" }), (err: unknown) => {
      assert.ok(err instanceof GatewayBlockedError);
      assert.equal(err.direction, "inbound");
      assert.match(err.scanId, /^scan_/);
      return true;
    });
    assert.equal(h.upstream.requests.length, before);
    const rows = await traffic(h, "?agent_id=agent-7");
    assert.equal(rows[0]?.task_id, "task_1");
    assert.equal(rows[0]?.source, "task");
  });
});
