// NDJSON exports of alerts and audit events: streamed line by line, the same records as the API,
// a next-cursor header that continues where the export stopped, the key's workspace only, and
// the prompt-text policy (identifiers only unless soc.export.includePromptText).
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, scan } from "./client.ts";

function lines(text: string): Array<Record<string, any>> {
  assert.ok(text === "" || text.endsWith("\n"), "NDJSON ends with a newline");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, any>);
}

describe("NDJSON exports", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  test("alerts: the same records as the feed, resumable with the header cursor, per workspace, no prompt text", async () => {
    const server = await startTestServer();
    servers.push(server);
    const { key } = await server.createKey(["admin"]);
    const reader = (await server.createKey(["alerts:read"])).key;
    const tenantB = (await server.createKey(["admin"], { workspace: "tenant-b" })).key;
    for (let i = 0; i < 5; i++) await scan(server, key, `secret plan ${i}: zz-block-me`, { agent: `exp-${i}` });
    await scan(server, tenantB, "zz-block-me", { agent: "b-only" });

    const exported = await call(server, "GET", "/api/v1/alerts/export.ndjson", reader);
    assert.equal(exported.status, 200);
    assert.match(exported.headers.get("content-type") ?? "", /^application\/x-ndjson/);
    const records = lines(exported.body);
    const feed = (await call(server, "GET", "/api/v1/alerts?limit=1000", reader)).body.data;
    assert.deepEqual(records, feed);
    assert.equal(records.length, 5);
    assert.ok(records.every((r) => r.workspace === "default" && !("excerpts" in r)));
    assert.ok(!exported.body.includes("secret plan"), "no scanned text");

    // Resume: only what is new since the last export.
    const next = exported.headers.get("x-clawnex-next-cursor");
    assert.ok(next);
    assert.equal(lines((await call(server, "GET", `/api/v1/alerts/export.ndjson?since=${next}`, reader)).body).length, 0);
    await scan(server, key, "zz-block-me", { agent: "exp-new" });
    const more = lines((await call(server, "GET", `/api/v1/alerts/export.ndjson?since=${next}`, reader)).body);
    assert.deepEqual(more.map((r) => r.agent), ["exp-new"]);

    // A limit stops the export early and the header points right after its last line.
    const two = await call(server, "GET", "/api/v1/alerts/export.ndjson?limit=2&severity=critical", reader);
    const twoLines = lines(two.body);
    assert.equal(twoLines.length, 2);
    const rest = lines((await call(server, "GET", `/api/v1/alerts/export.ndjson?severity=critical&since=${two.headers.get("x-clawnex-next-cursor")}`, reader)).body);
    assert.deepEqual([...twoLines, ...rest].map((r) => r.id), feed.concat(more).map((r: { id: string }) => r.id));

    assert.equal((await call(server, "GET", "/api/v1/alerts/export.ndjson")).status, 401);
    assert.equal((await call(server, "GET", "/api/v1/alerts/export.ndjson?since=bogus.cursor", reader)).status, 400);
  });

  test("alerts with includePromptText: masked Shield excerpts of the linked scans", async () => {
    const server = await startTestServer({ configFile: { soc: { export: { includePromptText: true } } } });
    servers.push(server);
    const { key } = await server.createKey(["admin"]);
    await scan(server, key, "token zzsecret_abcdefghij0123456789 and zz-block-me", { agent: "pol" });
    const records = lines((await call(server, "GET", "/api/v1/alerts/export.ndjson", key)).body);
    assert.equal(records.length, 1);
    const excerpts: Array<{ rule_id: string; excerpt: string }> = records[0]?.excerpts;
    assert.deepEqual(excerpts.map((e) => e.rule_id).sort(), ["testing.block-marker", "testing.fake-token"]);
    const token = excerpts.find((e) => e.rule_id === "testing.fake-token");
    assert.ok(token && !token.excerpt.includes("abcdefghij0123456789") && token.excerpt.includes("masked"), token?.excerpt);
    // The API itself stays identifiers-only whatever the export policy.
    const feed = (await call(server, "GET", "/api/v1/alerts", key)).body.data;
    assert.equal("excerpts" in feed[0], false);
  });

  test("audit: the key's workspace, in chain order, needing audit:read", async () => {
    const server = await startTestServer();
    servers.push(server);
    const auditor = (await server.createKey(["audit:read"])).key;
    await server.createKey(["shield:scan"]);
    await server.createKey(["admin"], { workspace: "tenant-b" });
    const exported = await call(server, "GET", "/api/v1/audit/export.ndjson", auditor);
    assert.equal(exported.status, 200);
    const records = lines(exported.body);
    assert.ok(records.length >= 2);
    assert.ok(records.every((r) => r.object === "audit_event" && r.workspace === "default"));
    const seqs = records.map((r) => r.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const page = (await call(server, "GET", "/api/v1/audit?limit=1000", auditor)).body.data;
    assert.deepEqual(records, page);
    const reader = (await server.createKey(["alerts:read"])).key;
    assert.equal((await call(server, "GET", "/api/v1/audit/export.ndjson", reader)).status, 403);
    assert.equal((await call(server, "GET", "/api/v1/audit", reader)).status, 403);
  });
});
