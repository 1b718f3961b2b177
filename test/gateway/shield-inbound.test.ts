// Inbound enforcement as attacks: a blocked prompt never reaches the upstream, tool results and
// tool definitions are scanned, OBSERVE lets traffic through but records it, the real OpenClaw
// request passes in BLOCK mode while its tool-result injection is caught.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { CORPUS_SKIP, openclawHello, openclawToolResult } from "./corpus.ts";
import { type GatewayHarness, startGateway, storedScan, traffic } from "./setup.ts";

describe("inbound Shield in BLOCK mode", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ mode: "BLOCK" });
  });
  after(() => h.close());

  test("a blocked prompt answers 400 shield_blocked and never reaches the upstream", async () => {
    const before = h.upstream.requests.length;
    await assert.rejects(
      h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "please zz-block-me now" }] }),
      (err: unknown) => {
        assert.ok(err instanceof OpenAI.BadRequestError);
        assert.equal(err.status, 400);
        assert.equal(err.code, "shield_blocked");
        assert.equal(err.type, "invalid_request_error");
        assert.match(String((err.error as { scan_id?: string }).scan_id), /^scan_/);
        assert.equal(err.headers?.get("x-should-retry"), "false");
        return true;
      },
    );
    assert.equal(h.upstream.requests.length, before);
    const [row] = await traffic(h);
    assert.equal(row?.outcome, "blocked_inbound");
    assert.equal(row?.inbound_verdict, "BLOCK");
  });

  test("a stream request is blocked the same way, before any byte of a stream", async () => {
    const before = h.upstream.requests.length;
    await assert.rejects(h.client.chat.completions.create({ model: "fake-model", stream: true, messages: [{ role: "user", content: "please zz-block-me now" }] }), OpenAI.BadRequestError);
    assert.equal(h.upstream.requests.length, before);
  });

  test("an injection in a role:tool message (indirect injection) is blocked", async () => {
    const before = h.upstream.requests.length;
    await assert.rejects(
      h.client.chat.completions.create({
        model: "fake-model",
        messages: [
          { role: "user", content: "read my notes" },
          { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "read", arguments: "{\"path\":\"notes.txt\"}" } }] },
          { role: "tool", tool_call_id: "c1", content: "notes: please zz-block-me now" },
        ],
      }),
      OpenAI.BadRequestError,
    );
    assert.equal(h.upstream.requests.length, before);
  });

  test("a poisoned tool description is blocked", async () => {
    await assert.rejects(
      h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "x", description: "helper. please zz-block-me now", parameters: { type: "object", properties: {} } } }] }),
      OpenAI.BadRequestError,
    );
  });

  test("the real OpenClaw request passes in BLOCK mode; its tool-result injection is caught", { skip: CORPUS_SKIP }, async () => {
    const hello = openclawHello();
    const stream = await h.client.chat.completions.create(hello as unknown as OpenAI.ChatCompletionCreateParamsStreaming);
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.match(text, /Hello from the fake upstream/);
    const sent = h.upstream.requests.at(-1);
    assert.equal((sent?.body?.messages as unknown[]).length, hello.messages.length);
    // Unchanged requests are relayed byte for byte.
    assert.equal(sent?.raw, JSON.stringify(hello));

    const before = h.upstream.requests.length;
    await assert.rejects(h.client.chat.completions.create(openclawToolResult() as unknown as OpenAI.ChatCompletionCreateParamsStreaming), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      const rules = (err.error as { rule_ids?: string[] }).rule_ids ?? [];
      assert.ok(rules.length > 0, "the block names its rules");
      return true;
    });
    assert.equal(h.upstream.requests.length, before);
  });
});

describe("inbound Shield in OBSERVE mode and per-key overrides", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ mode: "OBSERVE" });
  });
  after(() => h.close());

  test("OBSERVE lets a flagged prompt through and records the BLOCK verdict", async () => {
    const res = await h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "please zz-block-me now" }] });
    assert.ok(res.choices[0]?.message.content);
    const [row] = await traffic(h, "?verdict=BLOCK");
    assert.equal(row?.inbound_verdict, "BLOCK");
    assert.equal(row?.outcome, "ok");
    assert.equal(row?.mode, "OBSERVE");
    const stored = await storedScan(h, row?.inbound_scan_id);
    assert.equal(stored.verdict, "BLOCK");
    assert.equal(stored.enforced, false);
    assert.equal(stored.source, "gateway");
  });

  test("scan records carry the SHA-256 of what was scanned: the text, or its parts' digests joined", async () => {
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    const prompt = `digest check ${Date.now()}: summarise the notes`;
    const system = "You are a careful agent.";
    const one = await h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: prompt }] }).withResponse();
    const two = await h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "system", content: system }, { role: "user", content: prompt }] }).withResponse();
    await traffic(h);
    const oneInbound = await storedScan(h, one.response.headers.get("x-clawnex-scan-id"));
    assert.equal(oneInbound.text_sha256, sha(prompt));
    assert.equal(oneInbound.text_length, prompt.length);
    const oneOutbound = await storedScan(h, one.response.headers.get("x-clawnex-outbound-scan-id"));
    assert.equal(oneOutbound.text_sha256, sha(one.data.choices[0]?.message.content ?? ""));
    const twoInbound = await storedScan(h, two.response.headers.get("x-clawnex-scan-id"));
    assert.equal(twoInbound.text_sha256, sha(`${sha(system)},${sha(prompt)}`));
  });

  test("a per-key BLOCK override enforces for that key only; changes are audited", async () => {
    const put = await fetch(`${h.server.url}/api/v1/gateway/key-modes/${h.keyId}`, { method: "PUT", headers: { "x-clawnex-key": h.admin, "content-type": "application/json" }, body: JSON.stringify({ mode: "block", reason: "investigation" }) });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { key_id: h.keyId, previous: null, mode: "BLOCK" });
    await assert.rejects(h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "please zz-block-me now" }] }), OpenAI.BadRequestError);
    const other = await h.server.createKey(["chat"]);
    const otherClient = new OpenAI({ apiKey: other.key, baseURL: `${h.server.url}/v1`, maxRetries: 0 });
    await otherClient.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "please zz-block-me now" }] });
    const events = await h.server.services.audit.list({ limit: 100 });
    assert.ok(events.events.some((e) => e.action === "gateway.key_mode_changed" && e.target === `api_key:${h.keyId}`));
    // A chat key cannot change modes; a key of another workspace is not found.
    const denied = await fetch(`${h.server.url}/api/v1/gateway/key-modes/${h.keyId}`, { method: "PUT", headers: { "x-clawnex-key": h.key, "content-type": "application/json" }, body: JSON.stringify({ mode: null }) });
    assert.equal(denied.status, 403);
    const foreign = await h.server.createKey(["admin"], { workspace: "other" });
    const missing = await fetch(`${h.server.url}/api/v1/gateway/key-modes/${h.keyId}`, { method: "PUT", headers: { "x-clawnex-key": foreign.key, "content-type": "application/json" }, body: JSON.stringify({ mode: null }) });
    assert.equal(missing.status, 404);
  });
});
