// The alert API end to end on the real server: Shield scans raise alerts (and alert.created for
// webhooks), repeats fold into one alert, the lifecycle is enforced and audited, and the API holds
// against the usual attacks: no key, wrong key, wrong scope, another workspace's id, tampered
// cursors, malformed and oversized bodies.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { expireSuppressions } from "../../src/soc/jobs/suppressions.ts";
import type { AlertCreatedEvent } from "../../src/webhooks/events.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, scan, socOf } from "./client.ts";

describe("alerts API", () => {
  let server: TestServer;
  let admin: string;
  let reader: string;
  let analyst: string;
  let otherWorkspace: string;
  const created: AlertCreatedEvent[] = [];

  before(async () => {
    server = await startTestServer();
    admin = (await server.createKey(["admin"])).key;
    reader = (await server.createKey(["alerts:read"])).key;
    analyst = (await server.createKey(["alerts:read", "alerts:write"])).key;
    otherWorkspace = (await server.createKey(["admin"], { workspace: "tenant-b" })).key;
    server.services.events.on("alert.created", (e) => void created.push(e));
  });
  after(() => server.close());

  test("a BLOCK scan raises one alert; repeats within the window fold into it with a count", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await scan(server, admin, "please zz-block-me now", { agent: "agent-1", session: "s1" })).status, 200);
    const page = await call(server, "GET", "/api/v1/alerts?agent=agent-1", reader);
    assert.equal(page.status, 200);
    assert.equal(page.body.data.length, 1);
    const alert = page.body.data[0];
    assert.equal(alert.rule_id, "shield.blocked");
    assert.equal(alert.count, 3);
    assert.equal(alert.status, "open");
    assert.equal(alert.severity, "critical");
    assert.equal(alert.target, "testing.block-marker");
    assert.equal(alert.evidence.scan_ids.length, 3);
    assert.equal(alert.event_ids.length, 3);
    // No prompt text anywhere in the alert.
    assert.ok(!JSON.stringify(alert).includes("please"));
    // Webhooks got exactly one alert.created, carrying the alert as the API shows it (count then 1).
    const mine = created.filter((e) => e.data.id === alert.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.workspace, "default");
    assert.equal(mine[0]?.data.rule_id, "shield.blocked");
  });

  test("the lifecycle: acknowledge, resolve, reopen; every change is audited", async () => {
    await scan(server, admin, "zz-block-me", { agent: "agent-2" });
    const [alert] = (await call(server, "GET", "/api/v1/alerts?agent=agent-2", reader)).body.data;
    const ack = await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "acknowledged", reason: "looking" });
    assert.equal(ack.status, 200);
    assert.equal(ack.body.status, "acknowledged");
    assert.match(ack.body.status_by, /^key:/);
    // The same status again changes nothing (and audits nothing).
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "acknowledged" })).status, 200);
    const resolved = await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "resolved", reason: "false positive: test marker" });
    assert.equal(resolved.body.status, "resolved");
    const bad = await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "acknowledged" });
    assert.equal(bad.status, 409);
    assert.equal(bad.body.error.code, "conflict");
    // A new detection after resolution opens a new alert instead of reviving the resolved one.
    await scan(server, admin, "zz-block-me", { agent: "agent-2" });
    const both = (await call(server, "GET", "/api/v1/alerts?agent=agent-2", reader)).body.data;
    assert.deepEqual(both.map((a: { status: string }) => a.status), ["resolved", "open"]);
    const audit = await call(server, "GET", "/api/v1/audit?limit=1000", admin);
    const actions = audit.body.data.filter((e: { target: string }) => e.target === `alert:${alert.id}`).map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ["soc.alert.created", "soc.alert.acknowledged", "soc.alert.resolved"]);
  });

  test("suppression needs a reason and a bounded expiry; events fold in while suppressed", async () => {
    await scan(server, admin, "zz-block-me", { agent: "agent-3" });
    const [alert] = (await call(server, "GET", "/api/v1/alerts?agent=agent-3", reader)).body.data;
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "suppressed", suppress_for: "1h" })).status, 400);
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "suppressed", reason: "maintenance" })).status, 400);
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "suppressed", reason: "maintenance", suppress_for: "100d" })).status, 400);
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "suppressed", reason: "maintenance", suppressed_until: "2001-01-01T00:00:00Z" })).status, 400);
    const ok = await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, analyst, { status: "suppressed", reason: "maintenance window", suppress_for: "2h" });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, "suppressed");
    assert.ok(Date.parse(ok.body.suppressed_until) > Date.now() + 3_500_000);
    await scan(server, admin, "zz-block-me", { agent: "agent-3" });
    const [after] = (await call(server, "GET", "/api/v1/alerts?agent=agent-3", reader)).body.data;
    assert.equal(after.status, "suppressed");
    assert.equal(after.count, 2);
    // At the expiry the SOC reopens it by itself (audited), new events or not.
    assert.equal(await expireSuppressions(server.services.audit, new Date()), 0);
    assert.equal(await expireSuppressions(server.services.audit, new Date(Date.now() + 3 * 3_600_000)), 1);
    const [reopened] = (await call(server, "GET", "/api/v1/alerts?agent=agent-3", reader)).body.data;
    assert.deepEqual([reopened.status, reopened.status_by, reopened.status_reason, reopened.suppressed_until], ["open", "soc", "suppression expired", null]);
    const audit = (await call(server, "GET", "/api/v1/audit?limit=1000", admin)).body.data.filter((e: { target: string }) => e.target === `alert:${alert.id}`);
    assert.deepEqual(audit.map((e: { action: string }) => e.action), ["soc.alert.created", "soc.alert.suppressed", "soc.alert.unsuppressed"]);
  });

  test("filters: severity, status, agent, time window", async () => {
    await scan(server, admin, "zz-review-me zz-review-me", { agent: "agent-4" });
    const crit = (await call(server, "GET", "/api/v1/alerts?severity=critical", reader)).body.data;
    assert.ok(crit.length > 0 && crit.every((a: { severity: string }) => a.severity === "critical"));
    const open = (await call(server, "GET", "/api/v1/alerts?status=open,acknowledged", reader)).body.data;
    assert.ok(open.every((a: { status: string }) => a.status === "open" || a.status === "acknowledged"));
    const future = (await call(server, "GET", `/api/v1/alerts?from=${new Date(Date.now() + 3_600_000).toISOString()}`, reader)).body.data;
    assert.equal(future.length, 0);
    const past = (await call(server, "GET", `/api/v1/alerts?to=2000-01-01T00:00:00Z`, reader)).body.data;
    assert.equal(past.length, 0);
    assert.equal((await call(server, "GET", "/api/v1/alerts?severity=urgent", reader)).status, 400);
    assert.equal((await call(server, "GET", "/api/v1/alerts?from=yesterday", reader)).status, 400);
    const desc = (await call(server, "GET", "/api/v1/alerts?order=desc&limit=2", reader)).body;
    assert.ok(desc.data[0].seq > desc.data[1].seq);
  });

  test("keys: none, wrong, wrong scope — each refused", async () => {
    assert.equal((await call(server, "GET", "/api/v1/alerts")).status, 401);
    assert.equal((await call(server, "GET", "/api/v1/alerts", "cnx_AAAAAAAA_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")).status, 401);
    const scanner = (await server.createKey(["shield:scan"])).key;
    assert.equal((await call(server, "GET", "/api/v1/alerts", scanner)).status, 403);
    const [alert] = (await call(server, "GET", "/api/v1/alerts", reader)).body.data;
    const denied = await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, reader, { status: "resolved" });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.details.required_scope, "alerts:write");
    assert.equal((await call(server, "GET", `/api/v1/alerts/${alert.id}`, reader)).body.status, alert.status);
  });

  test("another workspace's alert is a 404, for reading and for changing; lists are per workspace", async () => {
    const [alert] = (await call(server, "GET", "/api/v1/alerts", reader)).body.data;
    const get = await call(server, "GET", `/api/v1/alerts/${alert.id}`, otherWorkspace);
    assert.equal(get.status, 404);
    assert.equal((await call(server, "GET", "/api/v1/alerts/alr_doesnotexist", otherWorkspace)).body.error.message, get.body.error.message);
    assert.equal((await call(server, "PATCH", `/api/v1/alerts/${alert.id}`, otherWorkspace, { status: "resolved" })).status, 404);
    assert.equal((await call(server, "GET", `/api/v1/alerts/${alert.id}`, reader)).body.status, alert.status);
    assert.deepEqual((await call(server, "GET", "/api/v1/alerts", otherWorkspace)).body.data, []);
    // Tenant B's own detections are tenant B's alerts only.
    await scan(server, otherWorkspace, "zz-block-me", { agent: "agent-b" });
    const theirs = (await call(server, "GET", "/api/v1/alerts", otherWorkspace)).body.data;
    assert.equal(theirs.length, 1);
    assert.equal(theirs[0].workspace, "tenant-b");
    assert.ok(!(await call(server, "GET", "/api/v1/alerts?agent=agent-b", reader)).body.data.length);
  });

  test("cursors: tampered, foreign or from another order are refused; since and cursor agree", async () => {
    const first = await call(server, "GET", "/api/v1/alerts?limit=1", reader);
    const cursor: string = first.body.next_cursor;
    const [body, tag] = cursor.split(".");
    const forged = `${Buffer.from(JSON.stringify({ f: "alerts", o: "asc", s: 0 })).toString("base64url")}.${tag}`;
    assert.equal((await call(server, "GET", `/api/v1/alerts?since=${forged}`, reader)).status, 400);
    assert.equal((await call(server, "GET", `/api/v1/alerts?since=${body}.AAAA`, reader)).status, 400);
    assert.equal((await call(server, "GET", `/api/v1/alerts?order=desc&cursor=${cursor}`, reader)).status, 400);
    const incidentCursor = (await call(server, "GET", "/api/v1/incidents?limit=1", reader)).body.next_cursor;
    assert.equal((await call(server, "GET", `/api/v1/alerts?since=${incidentCursor}`, reader)).status, 400);
    assert.equal((await call(server, "GET", `/api/v1/alerts?since=${cursor}&cursor=${incidentCursor}`, reader)).status, 400);
    const viaSince = await call(server, "GET", `/api/v1/alerts?since=${cursor}`, reader);
    const viaCursor = await call(server, "GET", `/api/v1/alerts?cursor=${cursor}`, reader);
    assert.deepEqual(viaSince.body, viaCursor.body);
  });

  test("bodies: malformed JSON, unknown fields, bad statuses and oversized bodies are refused", async () => {
    const [alert] = (await call(server, "GET", "/api/v1/alerts", reader)).body.data;
    const path = `/api/v1/alerts/${alert.id}`;
    assert.equal((await call(server, "PATCH", path, analyst, '{"status": "resolved"')).status, 400);
    assert.equal((await call(server, "PATCH", path, analyst, { status: "resolved", count: 0 })).status, 400);
    assert.equal((await call(server, "PATCH", path, analyst, { status: "deleted" })).status, 400);
    assert.equal((await call(server, "PATCH", path, analyst, { status: "resolved", reason: "x".repeat(501) })).status, 400);
    assert.equal((await call(server, "PATCH", path, analyst, { status: "resolved", reason: "y".repeat(2 * 1024 * 1024) })).status, 413);
    assert.equal((await call(server, "PATCH", path, analyst, { status: "open", suppress_for: "1h" })).status, 400);
    // Fastify refuses over-long path parameters itself.
    assert.equal((await call(server, "GET", `/api/v1/alerts/${"z".repeat(101)}`, reader)).status, 414);
  });

  test("the SIEM poll over HTTP: scans between polls, each alert once", async () => {
    let since = (await call(server, "GET", "/api/v1/alerts?order=asc&limit=1000", reader)).body.next_cursor;
    const seen = new Set<string>();
    for (let round = 0; round < 4; round++) {
      await Promise.all([0, 1, 2].map((i) => scan(server, admin, "zz-block-me", { agent: `poll-${round}-${i}` })));
      const page = await call(server, "GET", `/api/v1/alerts?since=${since}`, reader);
      for (const a of page.body.data) {
        assert.ok(!seen.has(a.id));
        seen.add(a.id);
      }
      since = page.body.next_cursor;
    }
    assert.equal(seen.size, 12);
    await socOf(server).flush();
  });
});
