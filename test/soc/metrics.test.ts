// GET /metrics: Prometheus text that counts what happened (requests, verdicts, blocks, denials,
// alerts), open to a direct loopback peer only, otherwise behind a key with alerts:read.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, scan } from "./client.ts";

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("GET /metrics", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test("counts requests, verdicts, enforced blocks, denials, alerts and queue depth", async () => {
    const server = await startTestServer({ env: { CLAWNEX_SHIELD_MODE: "BLOCK" } });
    servers.push(server);
    const { key } = await server.createKey(["admin"]);
    await scan(server, key, "zz-block-me", { agent: "m1" });
    await scan(server, key, "hello there", { agent: "m1" });
    await call(server, "GET", "/api/v1/alerts", "cnx_BADBADBA_cccccccccccccccccccccccccccccccc");
    await call(server, "GET", "/api/v1/alerts", key);
    const res = await call(server, "GET", "/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text: string = res.body;
    assert.equal(sample(text, "clawnex_shield_scans_total", { source: "api", verdict: "BLOCK" }), 1);
    assert.equal(sample(text, "clawnex_shield_scans_total", { source: "api", verdict: "ALLOW" }), 1);
    assert.equal(sample(text, "clawnex_shield_blocks_total", { source: "api" }), 1);
    assert.equal(sample(text, "clawnex_access_denied_total", { status: "401" }), 1);
    assert.equal(sample(text, "clawnex_http_requests_total", { method: "POST", route: "/api/v1/shield/scan", status_code: "200" }), 2);
    assert.equal(sample(text, "clawnex_http_requests_total", { route: "/api/v1/alerts", status_code: "401" }), 1);
    assert.ok((sample(text, "clawnex_http_request_duration_seconds_count", { route: "/api/v1/shield/scan" }) ?? 0) >= 2);
    assert.ok(sample(text, "clawnex_shield_scan_duration_seconds_count", { source: "api" }) === 2);
    assert.equal(sample(text, "clawnex_alerts_raised_total", { severity: "critical" }), 1);
    assert.equal(sample(text, "clawnex_alerts", { status: "open", severity: "critical" }), 1);
    assert.equal(sample(text, "clawnex_queue_depth", { queue: "soc_events" }), 0);
    assert.ok(text.includes("clawnex_process_"), "process metrics");
    // No agent, key or workspace names in any label.
    assert.ok(!text.includes("m1") && !text.includes("cnx_"));
  });

  test("access: direct loopback without a key; proxied or keyless-disabled needs alerts:read", async () => {
    const open = servers[0];
    assert.ok(open);
    assert.equal((await call(open, "GET", "/metrics", undefined, undefined, { "x-forwarded-for": "203.0.113.1" })).status, 401);
    assert.equal((await call(open, "GET", "/metrics", undefined, undefined, { forwarded: "for=203.0.113.1" })).status, 401);
    const reader = (await open.createKey(["alerts:read"])).key;
    const scanner = (await open.createKey(["shield:scan"])).key;
    assert.equal((await call(open, "GET", "/metrics", reader, undefined, { "x-forwarded-for": "203.0.113.1" })).status, 200);
    assert.equal((await call(open, "GET", "/metrics", scanner, undefined, { "x-forwarded-for": "203.0.113.1" })).status, 403);

    const closed = await startTestServer({ configFile: { soc: { metrics: { loopbackWithoutKey: false } } } });
    servers.push(closed);
    assert.equal((await call(closed, "GET", "/metrics")).status, 401);
    assert.equal((await call(closed, "GET", "/metrics", (await closed.createKey(["alerts:read"])).key)).status, 200);
  });
});
