// The JS SDK (sdk/js) against the real server: typed errors, env configuration, async-iterator
// pagination, one Idempotency-Key across the retries of a write (against the real idempotency
// layer), verification of a real signed delivery, and browser portability. Retries against a
// misbehaving server: js-sdk-retries.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import {
  AuthenticationError,
  BadRequestError,
  ClawNex,
  NotFoundError,
  PermissionDeniedError,
  type RetryInfo,
  verifyClawNexSignature,
  verifyWebhook,
  WebhookVerificationError,
} from "../../sdk/js/src/index.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { startReceiver, type Receiver } from "../webhooks/receiver.ts";

describe("JS SDK against a live ClawNex", () => {
  let server: TestServer;
  let receiver: Receiver;
  let client: ClawNex;
  let key: string;

  before(async () => {
    server = await startTestServer({ env: { CLAWNEX_WEBHOOK_ALLOW_PRIVATE: "true" } });
    receiver = await startReceiver();
    key = (await server.createKey(["admin"])).key;
    client = new ClawNex({ baseURL: server.url, apiKey: key, initialRetryDelayMs: 10 });
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  it("reads CLAWNEX_URL and CLAWNEX_API_KEY from the environment", async () => {
    const saved = { url: process.env.CLAWNEX_URL, key: process.env.CLAWNEX_API_KEY };
    process.env.CLAWNEX_URL = server.url;
    process.env.CLAWNEX_API_KEY = key;
    try {
      const fromEnv = new ClawNex();
      assert.equal(fromEnv.baseURL, server.url);
      const result = await fromEnv.shield.scan({ text: "please zz-block-me now" });
      assert.equal(result.verdict, "BLOCK");
    } finally {
      if (saved.url === undefined) delete process.env.CLAWNEX_URL;
      else process.env.CLAWNEX_URL = saved.url;
      if (saved.key === undefined) delete process.env.CLAWNEX_API_KEY;
      else process.env.CLAWNEX_API_KEY = saved.key;
    }
    assert.throws(() => new ClawNex({ baseURL: undefined, apiKey: "x" }), /CLAWNEX_URL/);
  });

  it("raises typed errors carrying code, status and request id", async () => {
    const wrongKey = new ClawNex({ baseURL: server.url, apiKey: "cnx_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" });
    await assert.rejects(async () => await wrongKey.webhooks.list(), (err: unknown) => err instanceof AuthenticationError && err.status === 401 && err.code === "unauthorized" && /^req_/.test(err.requestId ?? ""));
    await assert.rejects(client.webhooks.get("wh_missing"), (err: unknown) => err instanceof NotFoundError && err.code === "not_found");
    await assert.rejects(client.webhooks.create({ url: "ftp://x", events: ["task.created"] }), (err: unknown) => err instanceof BadRequestError && err.code === "invalid_request");
    const narrow = new ClawNex({ baseURL: server.url, apiKey: (await server.createKey(["agents:read"])).key });
    await assert.rejects(async () => await narrow.webhooks.list(), (err: unknown) => err instanceof PermissionDeniedError && err.code === "forbidden_scope");
  });

  it("iterates every item across pages with for await, and exposes the first page with await", async () => {
    const scoped = new ClawNex({ baseURL: server.url, apiKey: (await server.createKey(["webhooks:manage"], { workspace: "sdk-paging" })).key });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await scoped.webhooks.create({ url: `${receiver.url}/p${i}`, events: ["task.created"] })).id);
    const first = await scoped.webhooks.list({ limit: 3 });
    assert.equal(first.data.length, 3);
    assert.equal(first.has_more, true);
    const seen: string[] = [];
    for await (const webhook of scoped.webhooks.list({ limit: 3 })) seen.push(webhook.id);
    assert.deepEqual(seen, ids);
    let pages = 0;
    for await (const page of scoped.webhooks.list({ limit: 3 }).pages()) pages += page.data.length > 0 ? 1 : 0;
    assert.equal(pages, 3);
  });

  it("covers agents and tasks when the fleet API is present", async (t) => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    if (!doc.paths["/api/v1/agents"]) return t.skip("this server has no fleet API");
    const scoped = new ClawNex({ baseURL: server.url, apiKey: (await server.createKey(["admin"], { workspace: "sdk-fleet" })).key });
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await scoped.sandbox.agents.create({ name: `agent-${i}`, model: "sim-model" }));
    const listed = await scoped.sandbox.agents.list({ limit: 2, order: "asc" }).toArray();
    assert.deepEqual(
      listed.map((a) => a.id),
      created.map((a) => a.id),
    );
    const agentId = String(created[0]?.id);
    const task = await scoped.sandbox.tasks.create({ agent_id: agentId, instructions: "Summarise: hello" });
    assert.equal(task.agent_id, agentId);
    const fetched = await scoped.sandbox.tasks.get(String(task.id));
    assert.equal(fetched.id, task.id);
    assert.equal((await scoped.sandbox.agents.list().toArray()).length, 5);
    await assert.rejects(scoped.agents.get(agentId), NotFoundError);
  });

  it("reuses one Idempotency-Key across the retries of a write, so it happens once", async () => {
    const seenKeys: string[] = [];
    let dropped = false;
    // The first answer is lost on the way back (the server did the work): the SDK retries.
    const lossyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      seenKeys.push(new Headers(init?.headers).get("idempotency-key") ?? "");
      if (!dropped && init?.method === "POST") {
        dropped = true;
        await response.arrayBuffer();
        throw new TypeError("fetch failed: socket hang up");
      }
      return response;
    };
    const retries: RetryInfo[] = [];
    const lossy = new ClawNex({ baseURL: server.url, apiKey: key, fetch: lossyFetch, initialRetryDelayMs: 10, onRetry: (info) => retries.push(info) });
    const url = `${receiver.url}/idempotent-${Date.now()}`;
    const created = await lossy.webhooks.create({ url, events: ["task.created"] });
    assert.match(created.secret, /^whsec_/);
    assert.equal(seenKeys.length, 2);
    assert.equal(seenKeys[0], seenKeys[1]);
    assert.match(seenKeys[0] ?? "", /^sdk-/);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.status, null);
    const matching = (await client.webhooks.list({ limit: 100 }).toArray()).filter((w) => w.url === url);
    assert.equal(matching.length, 1, "created once");
    assert.equal(matching[0]?.id, created.id);
  });

  it("verifies a real signed delivery, and rejects tampering, replays and wrong secrets", async () => {
    const hook = await client.webhooks.create({ url: `${receiver.url}/sdk-verify`, events: ["task.created"] });
    const delivery = await client.webhooks.test(hook.id);
    assert.equal(delivery.event_type, "webhook.test");
    let got = receiver.received.find((r) => r.path === "/sdk-verify");
    while (!got) {
      await new Promise((r) => setTimeout(r, 20));
      got = receiver.received.find((r) => r.path === "/sdk-verify");
    }
    const headers = got.headers as Record<string, string>;
    const event = await verifyWebhook({ payload: got.body, headers, secret: hook.secret });
    assert.equal(event.type, "webhook.test");
    assert.equal(event.id, headers["webhook-id"]);
    assert.equal((event.data as { webhook_id: string }).webhook_id, hook.id);
    assert.equal(await verifyClawNexSignature(got.body, headers["x-clawnex-signature"], hook.secret), true);
    // Also with a Headers object and raw bytes.
    await verifyWebhook({ payload: new TextEncoder().encode(got.body), headers: new Headers(headers), secret: hook.secret });

    const reject = (options: Parameters<typeof verifyWebhook>[0]) => assert.rejects(verifyWebhook(options), WebhookVerificationError);
    await reject({ payload: got.body.replace("webhook.test", "webhook.tesT"), headers, secret: hook.secret });
    await reject({ payload: got.body, headers, secret: (await client.webhooks.create({ url: `${receiver.url}/other`, events: ["task.created"] })).secret });
    await reject({ payload: got.body, headers, secret: hook.secret, now: new Date(Date.now() + 10 * 60_000) });
    await reject({ payload: got.body, headers: { ...headers, "webhook-id": "evt_forged" }, secret: hook.secret });
    await reject({ payload: got.body, headers: { ...headers, "x-clawnex-signature": `sha256=${"0".repeat(64)}` }, secret: hook.secret });
    const { "webhook-signature": _dropped, ...unsigned } = headers;
    await reject({ payload: got.body, headers: unsigned, secret: hook.secret });
    assert.equal(await verifyClawNexSignature(`${got.body} `, headers["x-clawnex-signature"], hook.secret), false);

    const rotated = await client.webhooks.rotateSecret(hook.id);
    assert.notEqual(rotated.secret, hook.secret);
    // During the overlap (24 h by default) the SDK verifies a delivery with either secret.
    assert.notEqual(rotated.previous_secret_expires_at, null);
    await client.webhooks.test(hook.id);
    const during = await (async () => {
      for (;;) {
        const all = receiver.received.filter((r) => r.path === "/sdk-verify");
        if (all.length >= 2) return all[1] as (typeof all)[number];
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for (const secret of [hook.secret, rotated.secret]) {
      assert.equal((await verifyWebhook({ payload: during.body, headers: during.headers as Record<string, string>, secret })).type, "webhook.test");
      assert.equal(await verifyClawNexSignature(during.body, (during.headers as Record<string, string>)["x-clawnex-signature"], secret), true);
    }
    const retired = await client.webhooks.rotateSecret(hook.id, { previous_secret_expires_in: 0 });
    assert.equal(retired.previous_secret_expires_at, null);
    const deliveries = await client.webhooks.deliveries(hook.id).toArray();
    assert.ok(deliveries.some((d) => d.id === delivery.id));
    const deleted = await client.webhooks.delete(hook.id);
    assert.equal(deleted.id, hook.id);
  });
});

describe("JS SDK portability and verifier vectors", () => {
  it("typechecks for browsers: DOM lib, no Node types (fetch and Web Crypto only)", () => {
    const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "sdk/js/tsconfig.json", "--noEmit"], { encoding: "utf8" });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  it("has types generated from the server's current OpenAPI document", () => {
    const check = spawnSync(process.execPath, ["sdk/js/scripts/generate-types.ts", "--check"], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });

  it("accepts the Standard Webhooks reference vector", async () => {
    const headers = { "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" };
    const event = await verifyWebhook({ payload: '{"test": 2432232314}', headers, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", now: new Date(1614265330 * 1000) });
    assert.deepEqual(event, { test: 2432232314 });
    await assert.rejects(verifyWebhook({ payload: '{"test": 2432232314}', headers, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }), /too old/);
  });
});
