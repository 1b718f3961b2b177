// The official openai client against ClawNex in front of the fake upstream: non-stream and stream,
// usage and cost recorded, headers, model listing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DEFAULT_TEXT } from "../helpers/fake-upstream.ts";
import { type GatewayHarness, PROVIDER_KEY, startGateway, traffic } from "./setup.ts";

describe("gateway with the openai client", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ gateway: { prices: { "priced-model": { inputPerMillion: 1000, outputPerMillion: 2000 } } } });
  });
  after(() => h.close());

  test("non-stream completion is relayed, recorded with usage, cost and scan ids", async () => {
    const { data, response } = await h.client.chat.completions.create({ model: "priced-model", messages: [{ role: "user", content: "Say hello" }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, DEFAULT_TEXT);
    assert.match(response.headers.get("x-clawnex-scan-id") ?? "", /^scan_/);
    assert.ok(Number(response.headers.get("x-clawnex-overhead-ms")) >= 0);
    const sent = h.upstream.requests.at(-1);
    assert.equal(sent?.headers.authorization, `Bearer ${PROVIDER_KEY}`);
    assert.ok(!JSON.stringify(sent?.headers).includes(h.key), "the ClawNex key must never reach the upstream");
    const [row] = await traffic(h);
    assert.equal(row?.model, "priced-model");
    assert.equal(row?.outcome, "ok");
    assert.equal(row?.tokens_in, 123);
    assert.equal(row?.tokens_out, 17);
    assert.equal(row?.cost_usd, (123 * 1000 + 17 * 2000) / 1e6);
    assert.equal(row?.cost_source, "config");
    assert.equal(row?.inbound_verdict, "ALLOW");
    assert.equal(row?.inbound_scan_id, response.headers.get("x-clawnex-scan-id"));
    assert.match(String(row?.outbound_scan_id), /^scan_/);
  });

  test("stream completion arrives chunk by chunk with usage when asked", async () => {
    const stream = await h.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Say hello" }], stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: unknown = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, DEFAULT_TEXT);
    assert.ok(chunks > 3);
    assert.deepEqual(usage, { prompt_tokens: 123, completion_tokens: 17, total_tokens: 140 });
    const [row] = await traffic(h);
    assert.equal(row?.stream, true);
    assert.equal(row?.tokens_out, 17);
    assert.equal(row?.cost_source, "genai-prices");
    assert.ok(typeof row?.cost_usd === "number" && row.cost_usd > 0);
  });

  test("a stream without include_usage gets no usage chunk, but the gateway still records usage", async () => {
    const stream = await h.client.chat.completions.create({ model: "fake-model", messages: [{ role: "user", content: "hi" }], stream: true });
    for await (const chunk of stream) assert.equal(chunk.usage ?? null, null);
    const sent = h.upstream.requests.at(-1)?.body as { stream_options?: { include_usage?: boolean } };
    assert.equal(sent.stream_options?.include_usage, true);
    const [row] = await traffic(h);
    assert.equal(row?.tokens_in, 123);
  });

  test("models are listed", async () => {
    const list = await h.client.models.list();
    assert.ok(Array.isArray(list.data));
  });
});
