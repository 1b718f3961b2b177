// The webhook API over HTTP, as its users and attackers exercise it: the secret shown once and
// stored encrypted, validation, SSRF refusals, keys and scopes, workspace and sandbox isolation,
// tamper-proof pagination, changes and deletion, the OpenAPI document.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, type Json } from "./http.ts";
import { startReceiver, type Receiver } from "./receiver.ts";

describe("webhook API", () => {
  let server: TestServer;
  let receiver: Receiver;
  let key: string;

  before(async () => {
    server = await startTestServer({ env: { CLAWNEX_WEBHOOK_ALLOW_PRIVATE: "true" }, configFile: { webhooks: { maxPerWorkspace: 40 } } });
    receiver = await startReceiver();
    key = (await server.createKey(["webhooks:manage", "shield:scan"])).key;
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const create = (body: unknown, k = key, headers: Record<string, string> = {}) => call(server, "POST", "/api/v1/webhooks", k, body, headers);

  it("returns the secret once, on creation; never in reads; stores it encrypted", async () => {
    const created = await create({ url: `${receiver.url}/hook`, events: ["task.completed", "task.failed"], description: "CI" });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^wh_/);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(created.body.events, ["task.completed", "task.failed"]);
    assert.equal(created.body.enabled, true);

    const read = await call(server, "GET", `/api/v1/webhooks/${created.body.id}`, key);
    assert.equal(read.status, 200);
    assert.equal(read.body.secret, undefined);
    const list = await call(server, "GET", "/api/v1/webhooks?limit=100", key);
    assert.ok(list.body.data.every((w: Record<string, unknown>) => !("secret" in w)));

    const row = await server.services.store.db.selectFrom("webhooks").selectAll().where("id", "=", created.body.id).executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(row).includes(created.body.secret.slice(6)));
    const dbFile = readFileSync(join(server.dataDir, "clawnex.db"));
    assert.equal(dbFile.includes(Buffer.from(created.body.secret.slice(6, 30))), false);
  });

  it("validates bodies: url, events, unknown fields, malformed JSON, oversized bodies", async () => {
    const bad = async (body: unknown, status = 400) => {
      const r = await create(body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.ok(r.body.error.code && r.body.error.request_id);
      return r.body.error;
    };
    await bad({ events: ["task.created"] });
    await bad({ url: `${receiver.url}/`, events: [] });
    assert.match((await bad({ url: `${receiver.url}/`, events: ["task.exploded"] })).message, /unknown event type/);
    await bad({ url: `${receiver.url}/`, events: ["task.created"], secret: "mine" });
    await bad({ url: "ftp://example.com/", events: ["task.created"] });
    await bad({ url: "https://user:pw@example.com/", events: ["task.created"] });
    await bad({ url: "not a url", events: ["task.created"] });
    await bad('{"url": "http://x", "events": [', 400);
    const huge = await create({ url: `${receiver.url}/`, events: ["task.created"], description: "x".repeat(2 * 1024 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, "payload_too_large");
  });

  it("refuses metadata and unspecified destinations even with private destinations allowed", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/", "http://0.0.0.0:8080/"]) {
      const r = await create({ url, events: ["task.created"] });
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error.code, "invalid_request");
    }
  });

  it("authenticates and checks the webhooks:manage scope before reading the body", async () => {
    assert.equal((await create({ url: `${receiver.url}/`, events: ["task.created"] }, null as unknown as string)).status, 401);
    assert.equal((await create({ url: `${receiver.url}/`, events: ["task.created"] }, "cnx_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")).status, 401);
    const readOnly = (await server.createKey(["agents:read"])).key;
    const denied = await create("{not json", readOnly);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, "forbidden_scope");
    assert.equal((await call(server, "GET", "/api/v1/webhooks", readOnly)).status, 403);
    const revoked = await server.createKey(["webhooks:manage"]);
    await server.services.keys.revoke(revoked.id, "test");
    assert.equal((await call(server, "GET", "/api/v1/webhooks", revoked.key)).status, 401);
  });

  it("isolates workspaces: another workspace's webhook ids answer 404 on every route", async () => {
    const mine = await create({ url: `${receiver.url}/`, events: ["task.created"] });
    const intruder = (await server.createKey(["webhooks:manage"], { workspace: "other" })).key;
    const id = mine.body.id as string;
    for (const [method, path, body] of [
      ["GET", `/api/v1/webhooks/${id}`],
      ["PATCH", `/api/v1/webhooks/${id}`, { enabled: false }],
      ["DELETE", `/api/v1/webhooks/${id}`],
      ["POST", `/api/v1/webhooks/${id}/rotate-secret`],
      ["POST", `/api/v1/webhooks/${id}/test`],
      ["GET", `/api/v1/webhooks/${id}/deliveries`],
    ] as const) {
      const r = await call(server, method, path, intruder, body);
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.equal(r.body.error.code, "not_found");
    }
    assert.deepEqual((await call(server, "GET", "/api/v1/webhooks", intruder)).body.data, []);
    assert.equal((await call(server, "GET", `/api/v1/webhooks/${id}`, key)).body.enabled, true, "untouched");
  });

  it("keeps sandbox webhooks apart from production ones", async () => {
    const sandbox = await call(server, "POST", "/api/v1/sandbox/webhooks", key, { url: `${receiver.url}/sbx`, events: ["*"] });
    assert.equal(sandbox.status, 201);
    assert.equal(sandbox.body.sandbox, true);
    assert.match(sandbox.body.secret, /^whsec_/);
    assert.equal((await call(server, "GET", `/api/v1/webhooks/${sandbox.body.id}`, key)).status, 404);
    const liveList = (await call(server, "GET", "/api/v1/webhooks?limit=100", key)).body.data as Array<{ id: string }>;
    assert.ok(!liveList.some((w) => w.id === sandbox.body.id));
    const sandboxList = (await call(server, "GET", "/api/v1/sandbox/webhooks", key)).body.data as Array<{ id: string }>;
    assert.deepEqual(
      sandboxList.map((w) => w.id),
      [sandbox.body.id],
    );
  });

  it("paginates with tamper-proof cursors, without skipping or repeating rows inserted between pages", async () => {
    const workspaceKey = (await server.createKey(["webhooks:manage"], { workspace: "paging" })).key;
    for (let i = 0; i < 7; i++) await create({ url: `${receiver.url}/p${i}`, events: ["task.created"] }, workspaceKey);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Json = await call(server, "GET", `/api/v1/webhooks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, workspaceKey);
      assert.equal(page.status, 200);
      seen.push(...page.body.data.map((w: { id: string }) => w.id));
      cursor = page.body.next_cursor;
      assert.equal(page.body.has_more, cursor !== null);
      if (pages++ === 0) await create({ url: `${receiver.url}/late`, events: ["task.created"] }, workspaceKey);
    } while (cursor);
    assert.equal(seen.length, 8);
    assert.equal(new Set(seen).size, 8);

    const first = await call(server, "GET", "/api/v1/webhooks?limit=2", workspaceKey);
    const tampered = `${first.body.next_cursor.slice(0, -2)}xx`;
    const r = await call(server, "GET", `/api/v1/webhooks?limit=2&cursor=${encodeURIComponent(tampered)}`, workspaceKey);
    assert.equal(r.status, 400);
    const crossList = await call(server, "GET", `/api/v1/sandbox/webhooks?cursor=${encodeURIComponent(first.body.next_cursor)}`, workspaceKey);
    assert.equal(crossList.status, 400);
    assert.equal((await call(server, "GET", "/api/v1/webhooks?limit=0", workspaceKey)).status, 400);
    assert.equal((await call(server, "GET", "/api/v1/webhooks?limit=101", workspaceKey)).status, 400);
  });

  it("changes and disables webhooks; a disabled webhook gets no events and cannot be tested", async () => {
    const created = await create({ url: `${receiver.url}/patch`, events: ["task.created"] });
    const id = created.body.id as string;
    const patched = await call(server, "PATCH", `/api/v1/webhooks/${id}`, key, { events: ["shield.blocked", "alert.created"], description: null });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.events, ["shield.blocked", "alert.created"]);
    assert.equal((await call(server, "PATCH", `/api/v1/webhooks/${id}`, key, { url: "http://169.254.169.254/" })).status, 400);
    assert.equal((await call(server, "PATCH", `/api/v1/webhooks/${id}`, key, { secret: "x" })).status, 400);
    assert.equal((await call(server, "PATCH", `/api/v1/webhooks/${id}`, key, { enabled: false })).body.enabled, false);
    assert.equal((await call(server, "POST", `/api/v1/webhooks/${id}/test`, key)).status, 409);
    await server.services.events.emit("alert.created", { workspace: "default", data: { id: "alert_1" }, occurredAt: new Date().toISOString() });
    const deliveries = await call(server, "GET", `/api/v1/webhooks/${id}/deliveries`, key);
    assert.deepEqual(deliveries.body.data, []);
  });

  it("deletes a webhook with its history", async () => {
    const created = await create({ url: `${receiver.url}/gone`, events: ["task.created"] });
    const deleted = await call(server, "DELETE", `/api/v1/webhooks/${created.body.id}`, key);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.id, created.body.id);
    assert.equal(deleted.body.secret, undefined);
    assert.equal((await call(server, "GET", `/api/v1/webhooks/${created.body.id}`, key)).status, 404);
    assert.equal((await call(server, "DELETE", `/api/v1/webhooks/${created.body.id}`, key)).status, 404);
  });

  it("documents every route in the OpenAPI document", async () => {
    const doc = (await call(server, "GET", "/api/v1/openapi.json", null)).body;
    for (const prefix of ["/api/v1/webhooks", "/api/v1/sandbox/webhooks"]) {
      assert.ok(doc.paths[prefix].post && doc.paths[prefix].get);
      assert.ok(doc.paths[`${prefix}/{id}`].get && doc.paths[`${prefix}/{id}`].patch && doc.paths[`${prefix}/{id}`].delete);
      for (const sub of ["rotate-secret", "test"]) assert.ok(doc.paths[`${prefix}/{id}/${sub}`].post);
      assert.ok(doc.paths[`${prefix}/{id}/deliveries`].get);
    }
  });
});

describe("webhook API without CLAWNEX_WEBHOOK_ALLOW_PRIVATE", () => {
  let server: TestServer;
  let key: string;
  before(async () => {
    server = await startTestServer({ configFile: { webhooks: { maxPerWorkspace: 1 } } });
    key = (await server.createKey(["webhooks:manage"])).key;
  });
  after(() => server.close());

  it("refuses loopback, private and link-local destinations in any spelling, and host names resolving to them", async () => {
    for (const url of ["http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/", "http://2130706433/", "http://[::ffff:7f00:1]/", "http://10.0.0.8/", "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.10.10/", "http://[fe80::1]/", "http://[fd00::1]/"]) {
      const r = await call(server, "POST", "/api/v1/webhooks", key, { url, events: ["task.created"] });
      assert.equal(r.status, 400, url);
      assert.equal(r.body.error.code, "invalid_request");
      assert.match(r.body.error.message, /not an allowed destination|refused address/);
    }
  });

  it("caps webhooks per workspace", async () => {
    // A public literal passes the URL check without DNS (nothing is sent at creation).
    const first = await call(server, "POST", "/api/v1/webhooks", key, { url: "https://93.184.216.34/hook", events: ["task.created"], enabled: false });
    assert.equal(first.status, 201);
    const second = await call(server, "POST", "/api/v1/webhooks", key, { url: "https://93.184.216.34/hook2", events: ["task.created"], enabled: false });
    assert.equal(second.status, 422);
    assert.match(second.body.error.message, /maximum of 1 webhooks/);
  });
});
