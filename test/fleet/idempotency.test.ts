// Idempotency-Key as a retrying client and an attacker exercise it: replays return the stored
// response without repeating the effect; a different body is 422; a concurrent duplicate is 409;
// keys are per workspace and expire after 24 hours.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { IdempotencyStore } from "../../src/http/idempotency.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { client, type FleetClient } from "./client.ts";
import { type BackendDatabase, backends } from "./backends.ts";

for (const backend of backends()) describe(`Idempotency-Key on fleet writes [${backend.name}]`, () => {
  let database: BackendDatabase;
  let server: TestServer;
  let api: FleetClient;

  before(async () => {
    database = await backend.open();
    server = await startTestServer({ env: database.env });
    api = client(server, (await server.createKey(["agents:read", "agents:write", "tasks:write", "tasks:read"])).key);
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  const count = async (name: string) => (await api.get("/agents?limit=100")).body.data.filter((a: { name: string }) => a.name === name).length;

  it("replays the stored response for the same request and does not repeat the effect", async () => {
    const key = randomUUID();
    const body = { name: "idem-once", model: "m", labels: ["a"] };
    const first = await api.post("/agents", body, { "idempotency-key": key });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get("idempotent-replayed"), null);
    // Same JSON with keys in another order is the same request.
    const replay = await api.post("/agents", { labels: ["a"], model: "m", name: "idem-once" }, { "idempotency-key": key });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(replay.body, first.body);
    assert.equal(await count("idem-once"), 1, "the agent was created once");
  });

  it("answers 422 idempotency_conflict for the same key with a different body or path", async () => {
    const key = randomUUID();
    assert.equal((await api.post("/agents", { name: "idem-a", model: "m" }, { "idempotency-key": key })).status, 201);
    const other = await api.post("/agents", { name: "idem-b", model: "m" }, { "idempotency-key": key });
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, "idempotency_conflict");
    const sandbox = await client(server, api.key, { sandbox: true }).post("/agents", { name: "idem-a", model: "m" }, { "idempotency-key": key });
    assert.equal(sandbox.status, 422, "the same key on another endpoint is another request");
    assert.equal(await count("idem-b"), 0);
  });

  it("answers 409 to a duplicate sent while the first request is still running", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    // The create handler awaits event handlers before answering: hold the first request there.
    const off = server.services.events.on("agent.created", async (event) => {
      if (event.data.name !== "idem-slow") return;
      entered();
      await gate;
    });
    try {
      const key = randomUUID();
      const body = { name: "idem-slow", model: "m" };
      const first = api.post("/agents", body, { "idempotency-key": key });
      await inside;
      const duplicate = await api.post("/agents", body, { "idempotency-key": key });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.error.code, "conflict");
      assert.ok(duplicate.headers.get("retry-after"));
      release();
      assert.equal((await first).status, 201);
      const later = await api.post("/agents", body, { "idempotency-key": key });
      assert.equal(later.status, 201);
      assert.equal(later.headers.get("idempotent-replayed"), "true");
      assert.equal(await count("idem-slow"), 1);
    } finally {
      release();
      off();
    }
  });

  it("keeps keys per workspace: another workspace's identical key is a separate request", async () => {
    const key = randomUUID();
    const other = client(server, (await server.createKey(["agents:write", "agents:read"], { workspace: "idem-other" })).key);
    const mine = await api.post("/agents", { name: "idem-ws", model: "m" }, { "idempotency-key": key });
    const theirs = await other.post("/agents", { name: "idem-ws", model: "m" }, { "idempotency-key": key });
    assert.equal(mine.status, 201);
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers.get("idempotent-replayed"), null, "never another workspace's stored response");
    assert.notEqual(theirs.body.id, mine.body.id);
  });

  it("replays errors the handler produced and DELETE results, so retries see the first outcome", async () => {
    const agent = (await api.post("/agents", { name: "idem-del", model: "m" })).body;
    const key = randomUUID();
    const first = await api.del(`/agents/${agent.id}`, { "idempotency-key": key });
    assert.equal(first.status, 200);
    const retry = await api.del(`/agents/${agent.id}`, { "idempotency-key": key });
    assert.equal(retry.status, 200, "the retry gets the stored 200, not a 404");
    assert.equal(retry.headers.get("idempotent-replayed"), "true");
    const missing = randomUUID();
    assert.equal((await api.post(`/tasks/task_nope/cancel`, undefined, { "idempotency-key": missing })).status, 404);
    const again = await api.post(`/tasks/task_nope/cancel`, undefined, { "idempotency-key": missing });
    assert.equal(again.status, 404);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
  });

  it("does not store refusals made before the request ran (validation, auth), and checks the key's shape", async () => {
    const key = randomUUID();
    assert.equal((await api.post("/agents", { name: "" , model: "m" }, { "idempotency-key": key })).status, 400);
    assert.equal((await api.post("/agents", { name: "idem-after-400", model: "m" }, { "idempotency-key": key })).status, 201);
    const bad = await api.post("/agents", { name: "x", model: "m" }, { "idempotency-key": "has space" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /Idempotency-Key/);
    assert.equal((await api.post("/agents", { name: "x", model: "m" }, { "idempotency-key": "k".repeat(256) })).status, 400);
  });

  it("forgets keys after 24 hours", async () => {
    let now = Date.now();
    const store = new IdempotencyStore({ db: server.services.store.db, clock: () => now });
    const claim = () => store.claim("ttl-ws", "ttl-key", "print-1", "POST", "/x");
    assert.equal((await claim()).kind, "claimed");
    await store.complete("ttl-ws", "ttl-key", 201, "application/json", "{}");
    assert.equal((await claim()).kind, "replay");
    await assert.rejects(store.claim("ttl-ws", "ttl-key", "print-2", "POST", "/x"), /different request/);
    now += 24 * 60 * 60 * 1000 + 1;
    assert.equal((await store.claim("ttl-ws", "ttl-key", "print-2", "POST", "/x")).kind, "claimed", "an expired key is free again");
    now += 24 * 60 * 60 * 1000 + 1;
    assert.ok((await store.purgeExpired()) >= 1);
  });
});
