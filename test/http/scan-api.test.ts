// The scan API as a user and as an attacker use it: real server, real HTTP, real SQLite file.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { main } from "../../src/cli/main.ts";
import { openStore } from "../../src/store/database.ts";
import { postJson, startTestServer, type TestServer } from "../helpers/server.ts";
import { captureIo } from "../helpers/io.ts";

describe("POST /api/v1/shield/scan", () => {
  let server: TestServer;
  let key: string;
  let scanUrl: string;

  before(async () => {
    server = await startTestServer();
    key = (await server.createKey(["shield:scan"])).key;
    scanUrl = `${server.url}/api/v1/shield/scan`;
  });
  after(() => server.close());

  it("answers health without a key and reveals nothing else", async () => {
    const response = await fetch(`${server.url}/api/v1/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  it("scans with X-ClawNex-Key and with a Bearer token", async () => {
    for (const headers of [{ "x-clawnex-key": key }, { authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
      const res = await postJson(scanUrl, { text: "please zz-block-me now" }, headers);
      assert.equal(res.status, 200);
      assert.equal(res.body.verdict, "BLOCK");
      assert.equal(res.body.mode, "OBSERVE");
      assert.equal(res.body.enforced, false, "OBSERVE mode records but never enforces");
      assert.match(res.body.id, /^scan_/);
      assert.ok(res.body.detections.some((d: { rule_id: string }) => d.rule_id === "testing.block-marker"));
      assert.equal(typeof res.body.latency_ms, "number");
      assert.match(res.headers.get("ratelimit-limit") ?? "", /^\d+$/);
    }
  });

  it("ALLOWs ordinary text with score 0", async () => {
    const res = await postJson(scanUrl, { text: "Summarise this quarter's sales figures, please." }, { "x-clawnex-key": key });
    assert.equal(res.status, 200);
    assert.equal(res.body.verdict, "ALLOW");
    assert.equal(res.body.score, 0);
  });

  it("refuses a missing, unknown or forged key with 401 and the error envelope", async () => {
    const forged = `${key.slice(0, 13)}${"A".repeat(key.length - 13)}`;
    for (const headers of [{}, { "x-clawnex-key": "cnx_nope" }, { "x-clawnex-key": forged }, { authorization: "Bearer " }] as Array<Record<string, string>>) {
      const res = await postJson(scanUrl, { text: "hi" }, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.body.error.code, "unauthorized");
      assert.match(res.body.error.request_id, /\S/);
    }
  });

  it("refuses a key without the shield:scan scope with 403", async () => {
    const other = await server.createKey(["fleet:read"]);
    const res = await postJson(scanUrl, { text: "hi" }, { "x-clawnex-key": other.key });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "forbidden_scope");
  });

  it("refuses an expired key", async () => {
    const short = await server.createKey(["shield:scan"], { expiresInMs: 1 });
    await new Promise((r) => setTimeout(r, 10));
    const res = await postJson(scanUrl, { text: "hi" }, { "x-clawnex-key": short.key });
    assert.equal(res.status, 401);
  });

  it("honours a revocation made by the CLI while the server runs, on the next request", async () => {
    const victim = await server.createKey(["shield:scan"]);
    assert.equal((await postJson(scanUrl, { text: "hi" }, { "x-clawnex-key": victim.key })).status, 200);
    const io = captureIo(server.env);
    assert.equal(await main(["keys", "revoke", victim.id], io), 0, io.err());
    assert.equal((await postJson(scanUrl, { text: "hi" }, { "x-clawnex-key": victim.key })).status, 401);
  });

  it("answers malformed JSON with 400, never crashing", async () => {
    for (const body of ['{"text":', "not json", "[1,2", '{"text": "a",}']) {
      const res = await postJson(scanUrl, body, { "x-clawnex-key": key });
      assert.equal(res.status, 400, body);
      assert.equal(res.body.error.code, "invalid_request");
    }
    assert.equal((await fetch(`${server.url}/api/v1/health`)).status, 200);
  });

  it("answers a wrong shape with 400 naming the field", async () => {
    for (const body of [{}, { text: 42 }, { text: "x", direction: "sideways" }, { text: "x", unexpected: true }]) {
      const res = await postJson(scanUrl, body, { "x-clawnex-key": key });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, "invalid_request");
      assert.ok(res.body.error.details?.issues?.length > 0);
    }
  });

  it("accepts input/output as synonyms of inbound/outbound", async () => {
    const res = await postJson(scanUrl, { text: "hello", direction: "output" }, { "x-clawnex-key": key });
    assert.equal(res.status, 200);
    assert.equal(res.body.direction, "outbound");
  });

  it("records the scan by hash with masked excerpts, never the raw text or the secret", async () => {
    const secret = "zzsecret_Q1w2E3r4T5y6U7i8O9p0";
    const res = await postJson(scanUrl, { text: `deploy with ${secret} today`, source: "ci" }, { "x-clawnex-key": key });
    assert.equal(res.status, 200);
    const detection = res.body.detections.find((d: { rule_id: string }) => d.rule_id === "testing.fake-token");
    assert.ok(detection.sensitive);
    assert.ok(!detection.excerpt.includes(secret), "the excerpt must mask the secret");
    assert.ok(!JSON.stringify(res.body).includes(secret), "the response must not carry the secret");
    const stored = await openStore({ dataDir: server.dataDir });
    try {
      const row = await stored.db.selectFrom("scans").selectAll().where("id", "=", res.body.id).executeTakeFirstOrThrow();
      assert.equal(row.raw_text, null);
      assert.equal(row.source, "ci");
      assert.equal(row.text_sha256, res.body.text_sha256);
      assert.ok(!JSON.stringify(row).includes(secret));
    } finally {
      await stored.close();
    }
    const fetched = await fetch(`${server.url}/api/v1/shield/scans/${res.body.id}`, { headers: { "x-clawnex-key": key } });
    assert.equal(fetched.status, 200);
    assert.equal(((await fetched.json()) as { verdict: string }).verdict, "BLOCK");
  });

  it("answers unknown routes and unknown scan ids with 404 in the envelope", async () => {
    const res = await fetch(`${server.url}/api/v1/shield/scans/scan_missing`, { headers: { "x-clawnex-key": key } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "not_found");
    const route = await fetch(`${server.url}/api/v1/nope`);
    assert.equal(route.status, 404);
  });

  it("publishes an OpenAPI 3.1 document generated from the route schemas", async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/v1/shield/scan"]?.post);
    assert.ok(doc.paths["/api/v1/health"]?.get);
  });
});

describe("scan API limits and modes", () => {
  it("rejects bodies over the configured limit with 413", async () => {
    const server = await startTestServer({ env: { CLAWNEX_BODY_LIMIT: "2048" } });
    try {
      const { key } = await server.createKey(["shield:scan"]);
      const res = await postJson(`${server.url}/api/v1/shield/scan`, { text: "a".repeat(4096) }, { "x-clawnex-key": key });
      assert.equal(res.status, 413);
      assert.equal(res.body.error.code, "payload_too_large");
    } finally {
      await server.close();
    }
  });

  it("rate-limits per workspace with 429, Retry-After and RateLimit headers", async () => {
    const server = await startTestServer({ env: { CLAWNEX_RATE_LIMIT_PER_MINUTE: "3" } });
    try {
      const a = await server.createKey(["shield:scan"]);
      const sameWorkspace = await server.createKey(["shield:scan"]);
      const b = await server.createKey(["shield:scan"], { workspace: "other" });
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 4; i++) {
        last = await postJson(`${server.url}/api/v1/shield/scan`, { text: "hi" }, { "x-clawnex-key": a.key });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal(last?.body.error.code, "rate_limited");
      assert.ok(Number(last?.headers.get("retry-after")) >= 1);
      assert.equal(last?.headers.get("ratelimit-remaining"), "0");
      assert.equal((await postJson(`${server.url}/api/v1/shield/scan`, { text: "hi" }, { "x-clawnex-key": sameWorkspace.key })).status, 429, "the limit is shared by the workspace's keys");
      assert.equal((await postJson(`${server.url}/api/v1/shield/scan`, { text: "hi" }, { "x-clawnex-key": b.key })).status, 200, "another workspace has its own bucket");
    } finally {
      await server.close();
    }
  });

  it("stores raw text only when configured, and then with secrets masked", async () => {
    const server = await startTestServer({ env: { CLAWNEX_STORE_RAW_TEXT: "true" } });
    try {
      const { key } = await server.createKey(["shield:scan"]);
      const secret = "zzsecret_Z9x8C7v6B5n4M3a2S1d0";
      const res = await postJson(`${server.url}/api/v1/shield/scan`, { text: `token ${secret} end` }, { "x-clawnex-key": key });
      const row = await server.services.store.db.selectFrom("scans").select("raw_text").where("id", "=", res.body.id).executeTakeFirstOrThrow();
      assert.ok(row.raw_text?.startsWith("token zzse"));
      assert.ok(row.raw_text?.endsWith(" end"));
      assert.ok(!row.raw_text?.includes(secret));
    } finally {
      await server.close();
    }
  });

  it("switches to BLOCK mode through the admin API, enforces it, and audits the change", async () => {
    const server = await startTestServer();
    try {
      const admin = await server.createKey(["admin"]);
      const scanner = await server.createKey(["shield:scan"]);
      const denied = await fetch(`${server.url}/api/v1/shield/mode`, { method: "PUT", headers: { "content-type": "application/json", "x-clawnex-key": scanner.key }, body: JSON.stringify({ mode: "BLOCK" }) });
      assert.equal(denied.status, 403);
      const changed = await fetch(`${server.url}/api/v1/shield/mode`, { method: "PUT", headers: { "content-type": "application/json", "x-clawnex-key": admin.key }, body: JSON.stringify({ mode: "block", reason: "go live" }) });
      assert.equal(changed.status, 200);
      assert.deepEqual(await changed.json(), { previous: "OBSERVE", mode: "BLOCK" });
      const res = await postJson(`${server.url}/api/v1/shield/scan`, { text: "zz-block-me" }, { "x-clawnex-key": scanner.key });
      assert.equal(res.body.mode, "BLOCK");
      assert.equal(res.body.enforced, true);
      const page = await server.services.audit.list({ limit: 100 });
      assert.ok(page.events.some((e) => e.action === "shield.mode_changed"));
      assert.equal((await server.services.audit.verify()).ok, true);
    } finally {
      await server.close();
    }
  });

  it("turns an unexpected failure into a generic 500 with a request id and no internals", async () => {
    const server = await startTestServer();
    const { key } = await server.createKey(["shield:scan"]);
    await server.services.store.close();
    try {
      const res = await postJson(`${server.url}/api/v1/shield/scan`, { text: "hi" }, { "x-clawnex-key": key });
      assert.equal(res.status, 500);
      assert.equal(res.body.error.code, "internal_error");
      assert.match(res.body.error.request_id, /^req_/);
      assert.ok(!/sqlite|kysely|stack|at /i.test(res.body.error.message));
    } finally {
      await server.app.close();
      for (const module of server.services.modules) await module.close?.().catch(() => {});
    }
  });
});
