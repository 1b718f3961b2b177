// "Bypassed the proxy": transcript model calls matched against the gateway's traffic records, on
// SQLite and (when CLAWNEX_TEST_DATABASE_URL is set) PostgreSQL; and the matcher's rules alone.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import { BypassMatcher, matchCalls } from "../../src/openclaw/bypass/matcher.ts";
import { gatewayTrafficSource } from "../../src/openclaw/bypass/gateway-traffic.ts";
import { WatchStore } from "../../src/openclaw/watcher/watch-store.ts";
import type { Store } from "../../src/store/database.ts";
import { forEachBackend } from "../helpers/pg.ts";

async function gatewayRow(store: Store, row: { ts: string; model: string; tokensIn: number | null; tokensOut: number | null; outcome?: string; workspace?: string; estimated?: boolean }): Promise<string> {
  const id = `gt_${randomUUID()}`;
  await store.db
    .insertInto("gateway_traffic")
    .values({
      id, ts: row.ts, workspace: row.workspace ?? "default", key_id: null, agent_id: null, task_id: null, source: "gateway", request_id: null, route: "fake", provider: "openai-compatible",
      model: row.model, upstream_model: row.model, stream: 1, status: row.outcome && row.outcome !== "ok" ? 400 : 200, outcome: row.outcome ?? "ok", error_code: null,
      tokens_in: row.tokensIn, tokens_out: row.tokensOut, tokens_estimated: row.estimated ? 1 : 0, cost_usd: null, cost_source: null, upstream_ms: 5, overhead_ms: 1, ttft_ms: 3,
      mode: "OBSERVE", break_glass: 0, inbound_verdict: "ALLOW", inbound_scan_id: null, outbound_verdict: "ALLOW", outbound_scan_id: null, redactions: 0, attempts: 1, external_id: null,
    })
    .execute();
  return id;
}

function call(eventId: string, ts: string, extra: Partial<{ input: number; output: number; model: string; error: string | null }> = {}) {
  return {
    sessionId: "s1", eventId, agentId: "main", ts, provider: "clawnex", model: extra.model ?? "fake-model", api: "openai-completions",
    inputTokens: extra.input ?? 123, outputTokens: extra.output ?? 17, totalTokens: (extra.input ?? 123) + (extra.output ?? 17), costUsd: 0,
    stopReason: extra.error ? "error" : "stop", error: extra.error ?? null, responseId: null, toolCallIds: [],
  };
}

forEachBackend("bypass matching against gateway traffic", (backend) => {
  test("calls the gateway saw are matched, the others become bypassed once the window has passed", async () => {
    const store = await backend.fresh();
    const watch = new WatchStore(store.db);
    const now = new Date("2026-11-24T12:00:00.000Z");
    const old = (s: number) => new Date(now.getTime() - 600_000 + s * 1000).toISOString();
    const seen = await gatewayRow(store, { ts: old(0), model: "fake-model", tokensIn: 123, tokensOut: 17 });
    const blocked = await gatewayRow(store, { ts: old(30), model: "fake-model", tokensIn: null, tokensOut: null, outcome: "blocked_inbound" });
    await gatewayRow(store, { ts: old(60), model: "fake-model", tokensIn: 123, tokensOut: 17, workspace: "other" });
    await watch.commit("inst", "default", {
      cursors: [], sessions: [], agents: new Map(),
      calls: [
        call("via-gateway", old(1)),
        call("failed-via-gateway", old(31), { input: 0, output: 0, error: "400 blocked" }),
        call("direct", old(61)),
        call("other-model", old(2), { model: "gpt-x" }),
        call("too-recent", new Date(now.getTime() - 5000).toISOString(), { input: 5, output: 5 }),
      ],
    });
    const matcher = new BypassMatcher(store.db, gatewayTrafficSource(store.db), 120);
    const run = await matcher.run("inst", now);
    assert.deepEqual(run, { matched: 2, bypassed: 2, pending: 1, available: true });
    const rows = await store.db.selectFrom("openclaw_model_calls").select(["event_id", "gateway_match", "gateway_ref"]).orderBy("event_id").execute();
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.event_id, [r.gateway_match, r.gateway_ref]])), {
      "via-gateway": ["matched", seen],
      "failed-via-gateway": ["matched", blocked],
      direct: ["bypassed", null],
      "other-model": ["bypassed", null],
      "too-recent": ["unknown", null],
    });
  });
});

describe("matchCalls", () => {
  const base = { inputTokens: 10, outputTokens: 5, toolCallIds: [] as string[], responseId: null, model: "m" };
  test("tool-call ids match after OpenClaw's normalisation; each gateway call is used once; the nearest wins", () => {
    const t = "2026-11-24T00:00:00.000Z";
    const later = "2026-11-24T00:00:30.000Z";
    const matches = matchCalls(
      [
        { ...base, key: "a", ts: t, toolCallIds: ["callfake2"] },
        { ...base, key: "b", ts: t },
        { ...base, key: "c", ts: t },
      ],
      [
        { ...base, id: "g-tool", ts: later, toolCallIds: ["call_fake_2"] },
        { ...base, id: "g-near", ts: t },
        { ...base, id: "g-far", ts: later },
      ],
      60_000,
    );
    assert.deepEqual(Object.fromEntries(matches), { a: "g-tool", b: "g-near", c: "g-far" });
  });

  test("estimated or different token counts, or calls outside the window, do not match", () => {
    const matches = matchCalls([{ ...base, key: "a", ts: "2026-11-24T00:00:00.000Z" }], [
      { ...base, id: "estimated", ts: "2026-11-24T00:00:00.000Z", inputTokens: null },
      { ...base, id: "far", ts: "2026-11-24T01:00:00.000Z" },
      { ...base, id: "tokens", ts: "2026-11-24T00:00:00.000Z", outputTokens: 6 },
    ], 60_000);
    assert.equal(matches.size, 0);
  });
});
