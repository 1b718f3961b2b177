// Rate limits on the fleet API, per workspace: RateLimit-* headers on every response, 429 with
// Retry-After past the burst, other workspaces unaffected.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { client } from "./client.ts";

describe("fleet rate limits", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ configFile: { rateLimit: { perMinute: 60, burst: 5 } } });
  });
  after(() => server.close());

  it("counts down per workspace, then answers 429 with Retry-After; other workspaces go on", async () => {
    const a = client(server, (await server.createKey(["agents:read", "agents:write"], { workspace: "rl-a" })).key);
    const a2 = client(server, (await server.createKey(["agents:read"], { workspace: "rl-a" })).key);
    const b = client(server, (await server.createKey(["agents:read"], { workspace: "rl-b" })).key);
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Answers of every kind count and carry the headers: 200, 404, and a 400 for an invalid body.
      const res = i === 4 ? await a.post("/agents", { name: 5 }) : i % 2 === 0 ? await a.get("/agents") : await a2.get(`/agents/agt_missing${i}`);
      assert.equal(res.status, i === 4 ? 400 : i % 2 === 0 ? 200 : 404);
      assert.equal(res.headers.get("ratelimit-limit"), "5");
      assert.match(res.headers.get("ratelimit-reset") ?? "", /^\d+$/);
      remaining.push(Number(res.headers.get("ratelimit-remaining")));
    }
    assert.deepEqual(remaining, [4, 3, 2, 1, 0], "both keys of the workspace share its bucket");
    const limited = await a.post("/agents", { name: "x", model: "m" });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "rate_limited");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    assert.equal(limited.headers.get("ratelimit-remaining"), "0");
    const other = await b.get("/agents");
    assert.equal(other.status, 200);
    assert.equal(other.headers.get("ratelimit-remaining"), "4");
  });
});
