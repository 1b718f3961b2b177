// Agents over HTTP as a user and an attacker use them: CRUD, filters, validation, least
// privilege, workspace isolation, audit and events.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FleetEvent } from "../../src/fleet/events.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { client, type FleetClient, send } from "./client.ts";
import { type BackendDatabase, backends } from "./backends.ts";

for (const backend of backends()) describe(`fleet agents API [${backend.name}]`, () => {
  let database: BackendDatabase;
  let server: TestServer;
  let admin: FleetClient;
  const events: Array<{ type: string; payload: FleetEvent }> = [];

  before(async () => {
    database = await backend.open();
    server = await startTestServer({ env: database.env });
    admin = client(server, (await server.createKey(["agents:read", "agents:write"])).key);
    for (const type of ["agent.created", "agent.updated", "agent.deleted"] as const) server.services.events.on(type, (payload) => void events.push({ type, payload }));
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  it("creates an agent (201) with defaults, reads, changes and deletes it", async () => {
    const created = await admin.post("/agents", { name: "reviewer", model: "gpt-4o-mini", labels: ["prod", "eu"], skills: ["code-review"], constraints: { max_tokens: 256, timeout_seconds: 30 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const agent = created.body;
    assert.match(agent.id, /^agt_[0-9A-Z]{26}$/);
    assert.equal(agent.object, "agent");
    assert.equal(agent.status, "active");
    assert.deepEqual(agent.labels, ["prod", "eu"]);
    assert.deepEqual(agent.constraints, { max_tokens: 256, timeout_seconds: 30, max_cost_usd: null, concurrency: 1 });
    assert.equal(agent.restart_policy, "fail");
    assert.equal(agent.sandbox, false);

    const read = await admin.get(`/agents/${agent.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, agent);

    const patched = await admin.patch(`/agents/${agent.id}`, { status: "paused", constraints: { concurrency: 3, max_tokens: null }, labels: ["prod"] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.status, "paused");
    assert.deepEqual(patched.body.constraints, { max_tokens: null, timeout_seconds: 30, max_cost_usd: null, concurrency: 3 });
    assert.deepEqual(patched.body.labels, ["prod"]);
    assert.ok(patched.body.updated_at >= agent.updated_at);

    const deleted = await admin.del(`/agents/${agent.id}`);
    assert.equal(deleted.status, 200);
    assert.equal((await admin.get(`/agents/${agent.id}`)).status, 404);
    assert.equal((await admin.del(`/agents/${agent.id}`)).status, 404);

    const audit = await server.services.audit.list({ workspace: "default" });
    const actions = audit.events.filter((e) => e.target === agent.id).map((e) => e.action);
    assert.deepEqual(actions, ["agent.created", "agent.updated", "agent.deleted"]);
  });

  it("emits agent events carrying the resource exactly as the API returned it", async () => {
    events.length = 0;
    const created = await admin.post("/agents", { name: "evented", model: "m" });
    const patched = await admin.patch(`/agents/${created.body.id}`, { name: "renamed" });
    await admin.del(`/agents/${created.body.id}`);
    assert.deepEqual(
      events.map((e) => e.type),
      ["agent.created", "agent.updated", "agent.deleted"],
    );
    assert.deepEqual(events[0]?.payload.data, created.body);
    assert.deepEqual(events[1]?.payload.data, patched.body);
    assert.equal(events[0]?.payload.workspace, "default");
    assert.equal(events[0]?.payload.sandbox, false);
    assert.ok(!Number.isNaN(Date.parse(events[0]?.payload.occurredAt ?? "")));
  });

  it("filters by status, label and creation time", async () => {
    const a = (await admin.post("/agents", { name: "f-a", model: "m", labels: ["zone:a"] })).body;
    const b = (await admin.post("/agents", { name: "f-b", model: "m", labels: ["zone:b"], status: "paused" })).body;
    const byLabel = await admin.get("/agents?label=zone:a");
    assert.deepEqual(
      byLabel.body.data.map((x: { id: string }) => x.id),
      [a.id],
    );
    const paused = await admin.get("/agents?status=paused");
    assert.ok(paused.body.data.some((x: { id: string }) => x.id === b.id));
    assert.ok(paused.body.data.every((x: { status: string }) => x.status === "paused"));
    const after = await admin.get(`/agents?created_after=${encodeURIComponent(a.created_at)}&order=asc`);
    assert.ok(after.body.data.every((x: { created_at: string }) => x.created_at > a.created_at));
    const beforeB = await admin.get(`/agents?created_before=${encodeURIComponent(b.created_at)}`);
    assert.ok(beforeB.body.data.every((x: { created_at: string }) => x.created_at < b.created_at));
    assert.equal((await admin.get("/agents?created_after=yesterday")).status, 400);
    assert.equal((await admin.get("/agents?status=sleeping")).status, 400);
  });

  it("refuses invalid bodies with 400 and the error envelope", async () => {
    const cases: unknown[] = [
      "{not json",
      {},
      { name: "", model: "m" },
      { name: "x", model: "m", unexpected: true },
      { name: "x", model: "m", constraints: { concurrency: 0 } },
      { name: "x", model: "m", labels: ["has space"] },
      { name: "x", model: "m", metadata: { big: "x".repeat(20_000) } },
    ];
    for (const body of cases) {
      const res = await admin.post("/agents", body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.error.code, "invalid_request");
      assert.match(res.body.error.request_id, /\S/);
    }
  });

  it("refuses to delete an agent with pending tasks (409)", async () => {
    const tasks = client(server, (await server.createKey(["agents:write", "tasks:write"])).key);
    const agent = (await admin.post("/agents", { name: "busy", model: "m", status: "paused" })).body;
    const task = await tasks.post("/tasks", { agent_id: agent.id, instructions: "wait" });
    assert.equal(task.status, 201);
    const res = await admin.del(`/agents/${agent.id}`);
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, "conflict");
    assert.equal((await tasks.post(`/tasks/${task.body.id}/cancel`)).status, 200);
    assert.equal((await admin.del(`/agents/${agent.id}`)).status, 200);
  });

  it("least privilege: a key with only agents:read lists agents and nothing else", async () => {
    const reader = client(server, (await server.createKey(["agents:read"])).key);
    const agent = (await admin.post("/agents", { name: "visible", model: "m" })).body;
    assert.equal((await reader.get("/agents")).status, 200);
    assert.equal((await reader.get(`/agents/${agent.id}`)).status, 200);
    const refused = [
      await reader.post("/agents", { name: "nope", model: "m" }),
      await reader.patch(`/agents/${agent.id}`, { name: "nope" }),
      await reader.del(`/agents/${agent.id}`),
      await reader.get("/tasks"),
      await reader.post("/tasks", { agent_id: agent.id, instructions: "x" }),
      await reader.get("/files"),
      await send(`${server.url}/api/v1/shield/scan`, "POST", reader.key, { text: "hi" }),
    ];
    for (const res of refused) {
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, "forbidden_scope");
    }
    assert.equal((await admin.get(`/agents/${agent.id}`)).body.name, "visible", "nothing changed");
  });

  it("answers 404 for another workspace's agent, whatever the operation", async () => {
    const other = client(server, (await server.createKey(["agents:read", "agents:write", "tasks:write"], { workspace: "acme" })).key);
    const mine = (await admin.post("/agents", { name: "private", model: "m" })).body;
    const probes = [
      await other.get(`/agents/${mine.id}`),
      await other.patch(`/agents/${mine.id}`, { name: "stolen" }),
      await other.del(`/agents/${mine.id}`),
      await other.post("/tasks", { agent_id: mine.id, instructions: "x" }),
    ];
    for (const res of probes) {
      assert.equal(res.status, 404, JSON.stringify(res.body));
      assert.equal(res.body.error.code, "not_found");
    }
    const list = await other.get("/agents?limit=100");
    assert.ok(!list.body.data.some((a: { id: string }) => a.id === mine.id));
    assert.equal((await admin.get(`/agents/${mine.id}`)).body.name, "private");
  });

  it("refuses requests without a valid key (401)", async () => {
    assert.equal((await send(`${server.url}/api/v1/agents`, "GET", undefined)).status, 401);
    assert.equal((await send(`${server.url}/api/v1/agents`, "GET", "cnx_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")).status, 401);
    // Authentication comes before the body is validated: a caller without a key learns nothing
    // about the schema, and one without the scope gets 403, not a validation hint.
    const invalid = await send(`${server.url}/api/v1/agents`, "POST", undefined, { name: 5 });
    assert.equal(invalid.status, 401);
    const reader = (await server.createKey(["agents:read"])).key;
    assert.equal((await send(`${server.url}/api/v1/agents`, "POST", reader, { name: 5 })).status, 403);
  });
});
