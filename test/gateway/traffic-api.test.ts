// Traffic and cost endpoints: cursor pagination, filters, workspace isolation, scopes; records of
// acknowledged calls survive shutdown (the write queue is flushed on close).
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { createServices } from "../../src/app/services.ts";
import { loadConfig } from "../../src/config/config.ts";
import { type GatewayHarness, startGateway, traffic } from "./setup.ts";

describe("traffic and costs API", () => {
  let h: GatewayHarness;
  before(async () => {
    h = await startGateway({ mode: "OBSERVE", gateway: { prices: { "m-a": { inputPerMillion: 1, outputPerMillion: 2 } } } });
    for (let i = 0; i < 5; i++) await h.client.chat.completions.create({ model: i % 2 === 0 ? "m-a" : "m-b", messages: [{ role: "user", content: `hello ${i}` }] });
    await h.client.chat.completions.create({ model: "m-b", messages: [{ role: "user", content: "please zz-block-me now" }] });
  });
  after(() => h.close());

  const get = (path: string, key = h.admin) => fetch(`${h.server.url}${path}`, { headers: { "x-clawnex-key": key } });

  test("pages through every record exactly once with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/traffic?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as { data: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...page.data.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6);
    const tampered = await get(`/api/v1/traffic?cursor=${encodeURIComponent("eyJ0cyI6IjIwMzAifQ.AAAA")}`);
    assert.equal(tampered.status, 400);
  });

  test("filters by model and verdict", async () => {
    assert.equal((await traffic(h, "?model=m-a")).length, 3);
    const flagged = await traffic(h, "?verdict=BLOCK");
    assert.equal(flagged.length, 1);
    assert.equal((await traffic(h, `?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).length, 0);
  });

  test("cost summary by day, model, provider and key", async () => {
    const res = await get("/api/v1/costs/summary");
    const summary = (await res.json()) as { total: { requests: number; cost_usd: number; unpriced: number }; by_model: Array<{ key: string; requests: number; cost_usd: number }>; by_day: unknown[]; by_provider: Array<{ key: string }>; by_key: unknown[] };
    assert.equal(summary.total.requests, 6);
    const a = summary.by_model.find((g) => g.key === "m-a");
    assert.equal(a?.requests, 3);
    assert.equal(a?.cost_usd, Math.round(3 * ((123 * 1 + 17 * 2) / 1e6) * 1e8) / 1e8);
    assert.equal(summary.total.unpriced, 3, "m-b has no price anywhere");
    assert.equal(summary.by_day.length, 1);
    assert.equal(summary.by_provider[0]?.key, "local");
  });

  test("needs fleet:read, and shows only the key's workspace", async () => {
    assert.equal((await get("/api/v1/traffic", h.key)).status, 403);
    assert.equal((await get("/api/v1/traffic", "cnx_wrongwro_000000000000000000000000000000000")).status, 401);
    const foreign = await h.server.createKey(["fleet:read"], { workspace: "other" });
    const res = await get("/api/v1/traffic", foreign.key);
    assert.deepEqual(((await res.json()) as { data: unknown[] }).data, []);
  });
});

test("records of acknowledged calls are written on shutdown", async () => {
  const h = await startGateway({ gateway: { traffic: { flushIntervalMs: 10_000, flushBatchSize: 10_000 } } });
  for (let i = 0; i < 3; i++) await h.client.chat.completions.create({ model: "m", messages: [{ role: "user", content: `x${i}` }] });
  const env = { ...h.server.env };
  await h.server.app.close();
  await h.server.services.close();
  const services = await createServices(loadConfig(env));
  try {
    const rows = await services.store.db.selectFrom("gateway_traffic").select("id").execute();
    assert.equal(rows.length, 3);
  } finally {
    await services.close();
    await h.upstream.close();
    rmSync(h.server.dataDir, { recursive: true, force: true });
  }
});
