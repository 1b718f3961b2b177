// Deliveries as the webhook API's users see them: signed test events both signature styles
// verify, rotation, every attempt listed, redelivery, shield.blocked without text, real fleet
// events routed by side and queued before the answer, Idempotency-Key, and the audit trail.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { verifyClawNexSignature, verifyWebhook } from "../../sdk/js/src/index.ts";
import { postJson } from "../helpers/server.ts";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { call, until } from "./http.ts";
import { startReceiver, type Receiver } from "./receiver.ts";

describe("webhook deliveries over the API", () => {
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

  it("delivers a signed webhook.test that both signature styles verify", async () => {
    const created = await create({ url: `${receiver.url}/signed`, events: ["task.created"] });
    const before = receiver.received.length;
    const test = await call(server, "POST", `/api/v1/webhooks/${created.body.id}/test`, key);
    assert.equal(test.status, 202);
    assert.equal(test.body.event_type, "webhook.test");
    await receiver.waitFor(before + 1);
    const got = receiver.received.find((r) => r.path === "/signed");
    assert.ok(got);
    const event = new Webhook(created.body.secret).verify(got.body, got.headers as Record<string, string>) as { id: string; type: string; timestamp: string; data: { webhook_id: string } };
    assert.equal(event.type, "webhook.test");
    assert.equal(event.id, got.headers["webhook-id"]);
    assert.equal(event.data.webhook_id, created.body.id);
    assert.ok(!Number.isNaN(Date.parse(event.timestamp)));
    assert.equal(got.headers["x-clawnex-signature"], `sha256=${createHmac("sha256", created.body.secret).update(got.body).digest("hex")}`);
    assert.equal(got.headers["content-type"], "application/json");
  });

  it("rotates the secret with an overlap: both secrets verify until the old one expires, then only the new one", async () => {
    const created = await create({ url: `${receiver.url}/rotate`, events: ["task.created"] });
    const id = created.body.id as string;
    const old = created.body.secret as string;
    const deliver = async () => {
      const before = receiver.received.filter((r) => r.path === "/rotate").length;
      assert.equal((await call(server, "POST", `/api/v1/webhooks/${id}/test`, key)).status, 202);
      const got = await until(() => receiver.received.filter((r) => r.path === "/rotate")[before]);
      return { body: got.body, headers: got.headers as Record<string, string> };
    };
    // Every verifier a receiver may use: the Standard Webhooks reference library, the JS SDK's
    // verifier (both headers), and a plain HMAC of the body against X-ClawNex-Signature's list.
    const verifies = async (got: { body: string; headers: Record<string, string> }, secret: string) => {
      const standard = (() => {
        try {
          new Webhook(secret).verify(got.body, got.headers);
          return true;
        } catch {
          return false;
        }
      })();
      const sdk = await verifyWebhook({ payload: got.body, headers: got.headers, secret }).then(() => true, () => false);
      const plain = (got.headers["x-clawnex-signature"] ?? "").split(", ").includes(`sha256=${createHmac("sha256", secret).update(got.body).digest("hex")}`);
      assert.equal(sdk, standard, "the SDK agrees with the reference library");
      assert.equal(plain, standard, "X-ClawNex-Signature agrees with webhook-signature");
      assert.equal(await verifyClawNexSignature(got.body, got.headers["x-clawnex-signature"], secret), standard);
      return standard;
    };

    // Default overlap: 24 hours, shown on the webhook.
    const rotated = await call(server, "POST", `/api/v1/webhooks/${id}/rotate-secret`, key);
    assert.equal(rotated.status, 200);
    const fresh = rotated.body.secret as string;
    assert.match(fresh, /^whsec_/);
    assert.notEqual(fresh, old);
    const overlapEnds = Date.parse(rotated.body.previous_secret_expires_at);
    assert.ok(Math.abs(overlapEnds - (Date.now() + 24 * 3600_000)) < 60_000, rotated.body.previous_secret_expires_at);
    assert.equal((await call(server, "GET", `/api/v1/webhooks/${id}`, key)).body.previous_secret_expires_at, rotated.body.previous_secret_expires_at);
    const during = await deliver();
    assert.equal(during.headers["webhook-signature"]?.split(" ").length, 2);
    assert.equal(during.headers["x-clawnex-signature"]?.split(", ").length, 2);
    assert.equal(await verifies(during, fresh), true, "the new secret verifies during the overlap");
    assert.equal(await verifies(during, old), true, "the old secret still verifies during the overlap");

    // A rotation during an overlap keeps only the secret it replaces; 0 retires it at once.
    const immediate = await call(server, "POST", `/api/v1/webhooks/${id}/rotate-secret`, key, { previous_secret_expires_in: 0 });
    assert.equal(immediate.status, 200);
    assert.equal(immediate.body.previous_secret_expires_at, null);
    const alone = await deliver();
    assert.equal(alone.headers["webhook-signature"]?.split(" ").length, 1);
    assert.equal(await verifies(alone, immediate.body.secret), true);
    assert.equal(await verifies(alone, fresh), false);
    assert.equal(await verifies(alone, old), false);

    // A short overlap: once it has passed, deliveries carry the new signature only.
    const short = await call(server, "POST", `/api/v1/webhooks/${id}/rotate-secret`, key, { previous_secret_expires_in: 1 });
    assert.notEqual(short.body.previous_secret_expires_at, null);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(short.body.previous_secret_expires_at) - Date.now()) + 50));
    assert.equal((await call(server, "GET", `/api/v1/webhooks/${id}`, key)).body.previous_secret_expires_at, null);
    const afterExpiry = await deliver();
    assert.equal(await verifies(afterExpiry, short.body.secret), true);
    assert.equal(await verifies(afterExpiry, immediate.body.secret), false, "the expired secret no longer verifies");

    for (const bad of [{ previous_secret_expires_in: -1 }, { previous_secret_expires_in: 8 * 24 * 3600 }, { previous_secret_expires_in: "1h" }, { expires: 1 }]) {
      const res = await call(server, "POST", `/api/v1/webhooks/${id}/rotate-secret`, key, bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body.error.code, "invalid_request");
    }
  });

  it("lists every attempt of every delivery: time, status code, latency, error", async () => {
    const failing = await startReceiver((_req, res) => res.writeHead(500).end());
    try {
      const created = await create({ url: `${failing.url}/x`, events: ["task.created"] });
      await call(server, "POST", `/api/v1/webhooks/${created.body.id}/test`, key);
      await failing.waitFor(1);
      let page = await call(server, "GET", `/api/v1/webhooks/${created.body.id}/deliveries`, key);
      while (page.body.data[0]?.attempts.length !== 1) page = await call(server, "GET", `/api/v1/webhooks/${created.body.id}/deliveries`, key);
      const [delivery] = page.body.data;
      assert.equal(delivery.status, "pending");
      assert.equal(delivery.attempt_count, 1);
      const [attempt] = delivery.attempts;
      assert.equal(attempt.attempt, 1);
      assert.equal(attempt.status_code, 500);
      assert.equal(attempt.error, "receiver answered 500");
      assert.equal(attempt.succeeded, false);
      assert.ok(attempt.latency_ms >= 0);
      assert.ok(!Number.isNaN(Date.parse(attempt.started_at)));
      const retryDue = Date.parse(delivery.next_attempt_at) - Date.parse(delivery.updated_at);
      assert.equal(retryDue, 5000);
      const detail = await call(server, "GET", `/api/v1/webhooks/${created.body.id}/deliveries/${delivery.id}`, key);
      assert.equal(detail.body.payload.type, "webhook.test");
      assert.equal((await call(server, "GET", `/api/v1/webhooks/${created.body.id}/deliveries?status=succeeded`, key)).body.data.length, 0);
    } finally {
      await failing.close();
    }
  });

  it("redelivers a past event as a new delivery with the same event id", async () => {
    const created = await create({ url: `${receiver.url}/again`, events: ["task.created"] });
    const test = await call(server, "POST", `/api/v1/webhooks/${created.body.id}/test`, key);
    const again = await call(server, "POST", `/api/v1/webhooks/${created.body.id}/deliveries/${test.body.id}/redeliver`, key);
    assert.equal(again.status, 202);
    assert.notEqual(again.body.id, test.body.id);
    assert.equal(again.body.event_id, test.body.event_id);
    const got = await until(() => {
      const hits = receiver.received.filter((r) => r.path === "/again");
      return hits.length >= 2 ? hits : undefined;
    });
    assert.equal(got[0]?.headers["webhook-id"], got[1]?.headers["webhook-id"]);
  });

  it("fires shield.blocked on a BLOCK verdict with ids and numbers only, never the scanned text", async () => {
    const created = await create({ url: `${receiver.url}/shield`, events: ["shield.blocked"] });
    await postJson(`${server.url}/api/v1/shield/scan`, { text: "harmless weather question" }, { authorization: `Bearer ${key}` });
    const scan = await postJson(`${server.url}/api/v1/shield/scan`, { text: "please zz-block-me now, secret zzsecret_abcdefghij0123456789" }, { authorization: `Bearer ${key}` });
    assert.equal(scan.body.verdict, "BLOCK");
    const hits = await until(() => {
      const found = receiver.received.filter((r) => r.path === "/shield");
      return found.length > 0 ? found : undefined;
    });
    const event = new Webhook(created.body.secret).verify(hits[0]?.body ?? "", hits[0]?.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };
    assert.equal(event.type, "shield.blocked");
    assert.equal(event.data.scan_id, scan.body.id);
    assert.equal(event.data.verdict, "BLOCK");
    assert.deepEqual([...(event.data.rule_ids as string[])].sort(), ["testing.block-marker", "testing.fake-token"]);
    assert.equal(event.data.direction, "inbound");
    assert.equal(event.data.source, "api");
    assert.ok(!hits[0]?.body.includes("zz-block-me") && !hits[0]?.body.includes("zzsecret_"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.received.filter((r) => r.path === "/shield").length, 1, "the ALLOW scan fired nothing");
  });

  it("queues fleet event deliveries in the database before the producer's await returns", async () => {
    const created = await create({ url: `${receiver.url}/fleet`, events: ["agent.created"] });
    await server.services.events.emit("agent.created", { workspace: "default", data: { id: "agent_durable" }, occurredAt: new Date().toISOString(), sandbox: false });
    const rows = await server.services.store.db.selectFrom("webhook_deliveries").select(["event_type", "payload"]).where("webhook_id", "=", created.body.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.event_type, "agent.created");
    assert.equal((JSON.parse(rows[0]?.payload ?? "{}") as { data: { id: string } }).data.id, "agent_durable");
  });

  it("delivers real fleet events: production ones to production webhooks, sandbox ones (incl. shield.blocked) to sandbox webhooks only", async (t) => {
    const doc = (await call(server, "GET", "/api/v1/openapi.json", null)).body;
    if (!doc.paths["/api/v1/sandbox/tasks"]) return t.skip("this server has no fleet API");
    const admin = (await server.createKey(["admin"], { workspace: "fleet-events" })).key;
    const live = await call(server, "POST", "/api/v1/webhooks", admin, { url: `${receiver.url}/fleet-live`, events: ["*"] });
    await call(server, "POST", "/api/v1/sandbox/webhooks", admin, { url: `${receiver.url}/fleet-sandbox`, events: ["*"] });

    const agent = await call(server, "POST", "/api/v1/agents", admin, { name: "prod-agent", model: "gpt-4o-mini" });
    assert.equal(agent.status, 201);
    // Durable before the answer: the delivery row exists as soon as the 201 arrives.
    const queued = await server.services.store.db.selectFrom("webhook_deliveries").select("event_type").where("webhook_id", "=", live.body.id).execute();
    assert.deepEqual(
      queued.map((r) => r.event_type),
      ["agent.created"],
    );

    const sandboxAgent = await call(server, "POST", "/api/v1/sandbox/agents", admin, { name: "sbx-agent", model: "sim" });
    const task = await call(server, "POST", "/api/v1/sandbox/tasks", admin, { agent_id: sandboxAgent.body.id, instructions: "please zz-block-me now" });
    assert.equal(task.status, 201);
    const typesAt = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => (JSON.parse(r.body) as { type: string }).type);
    const deadline = Date.now() + 20_000;
    while (!typesAt("/fleet-sandbox").includes("shield.blocked") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const sandboxTypes = typesAt("/fleet-sandbox");
    assert.ok(sandboxTypes.includes("agent.created") && sandboxTypes.includes("task.created") && sandboxTypes.includes("shield.blocked"), sandboxTypes.join(","));
    const blocked = receiver.received.find((r) => r.path === "/fleet-sandbox" && r.body.includes('"shield.blocked"'));
    const event = JSON.parse(blocked?.body ?? "{}") as { sandbox: boolean; data: Record<string, unknown> };
    assert.equal(event.sandbox, true);
    assert.equal(event.data.task_id, task.body.id);
    assert.ok(!blocked?.body.includes("zz-block-me"));
    while (typesAt("/fleet-live").length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(typesAt("/fleet-live"), ["agent.created"], "no sandbox event reached the production webhook");
  });

  it("delivers a task's whole lifecycle and every agent change, in order, to a subscriber", async (t) => {
    const doc = (await call(server, "GET", "/api/v1/openapi.json", null)).body;
    if (!doc.paths["/api/v1/sandbox/tasks"]) return t.skip("this server has no fleet API");
    const admin = (await server.createKey(["admin"], { workspace: "lifecycle" })).key;
    await call(server, "POST", "/api/v1/sandbox/webhooks", admin, { url: `${receiver.url}/lifecycle`, events: ["agent.created", "agent.updated", "agent.deleted", "task.created", "task.started", "task.output_received", "task.completed", "task.cancelled", "task.failed"] });
    const events = () => receiver.received.filter((r) => r.path === "/lifecycle").map((r) => JSON.parse(r.body) as { type: string; data: { id: string } });
    const of = (id: string) => events().filter((e) => e.data.id === id).map((e) => e.type);
    const waitFor = (id: string, type: string) => until(() => (of(id).includes(type) ? true : undefined), 20_000);

    // The simulated model of the sandbox: a task that runs to completion.
    const agent = (await call(server, "POST", "/api/v1/sandbox/agents", admin, { name: "life", model: "sim" })).body;
    const done = (await call(server, "POST", "/api/v1/sandbox/tasks", admin, { agent_id: agent.id, instructions: "Summarise the week." })).body;
    await waitFor(done.id, "task.completed");
    assert.deepEqual(of(done.id), ["task.created", "task.started", "task.output_received", "task.completed"]);

    // Cancelled while pending (the agent is paused, so it never starts).
    await call(server, "PATCH", `/api/v1/sandbox/agents/${agent.id}`, admin, { status: "paused" });
    const cancelled = (await call(server, "POST", "/api/v1/sandbox/tasks", admin, { agent_id: agent.id, instructions: "never mind" })).body;
    assert.equal((await call(server, "POST", `/api/v1/sandbox/tasks/${cancelled.id}/cancel`, admin)).status, 200);
    await waitFor(cancelled.id, "task.cancelled");
    assert.deepEqual(of(cancelled.id), ["task.created", "task.cancelled"]);

    await call(server, "PATCH", `/api/v1/sandbox/agents/${agent.id}`, admin, { status: "active" });
    assert.equal((await call(server, "DELETE", `/api/v1/sandbox/agents/${agent.id}`, admin)).status, 200);
    await waitFor(agent.id, "agent.deleted");
    assert.deepEqual(of(agent.id), ["agent.created", "agent.updated", "agent.updated", "agent.deleted"]);
  });

  it("honours Idempotency-Key: a replay returns the same webhook and secret without creating another; the stored answer holds no secret", async () => {
    const body = { url: `${receiver.url}/idem`, events: ["task.created"] };
    const headers = { "idempotency-key": "create-idem-1" };
    const first = await create(body, key, headers);
    const replay = await create(body, key, headers);
    assert.equal(first.status, 201);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.equal(replay.body.id, first.body.id);
    assert.equal(replay.body.secret, first.body.secret);
    const all = (await call(server, "GET", "/api/v1/webhooks?limit=100", key)).body.data as Array<{ url: string }>;
    assert.equal(all.filter((w) => w.url === body.url).length, 1);
    const conflict = await create({ ...body, description: "different" }, key, headers);
    assert.equal(conflict.status, 422);
    assert.equal(conflict.body.error.code, "idempotency_conflict");
    const stored = await server.services.store.db.selectFrom("idempotency_keys").selectAll().where("key", "=", "create-idem-1").executeTakeFirstOrThrow();
    assert.ok(!JSON.stringify(stored).includes(first.body.secret.slice(6)));

    const rotateHeaders = { "idempotency-key": "rotate-idem-1" };
    const r1 = await call(server, "POST", `/api/v1/webhooks/${first.body.id}/rotate-secret`, key, undefined, rotateHeaders);
    const r2 = await call(server, "POST", `/api/v1/webhooks/${first.body.id}/rotate-secret`, key, undefined, rotateHeaders);
    assert.equal(r2.body.secret, r1.body.secret);
    assert.equal(r2.headers.get("idempotent-replayed"), "true");
  });

  it("audits every change with the destination's origin only, never the secret or the URL's path", async () => {
    const created = await create({ url: `${receiver.url}/services/T000/B000/tokenInPath?sig=abc`, events: ["task.created"] });
    const rotated = await call(server, "POST", `/api/v1/webhooks/${created.body.id}/rotate-secret`, key);
    await call(server, "DELETE", `/api/v1/webhooks/${created.body.id}`, key);
    const events = (await server.services.audit.list({ limit: 1000 })).events.filter((e) => e.target === created.body.id);
    assert.deepEqual(
      events.map((e) => e.action),
      ["webhook.created", "webhook.secret_rotated", "webhook.deleted"],
    );
    const text = JSON.stringify(events);
    for (const secretish of [created.body.secret, rotated.body.secret, "tokenInPath", "sig=abc"]) assert.ok(!text.includes(secretish), secretish);
    assert.equal(events[0]?.details.destination, receiver.url);
  });

});
