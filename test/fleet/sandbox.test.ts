// The sandbox mirror: the same keys and routes under /api/v1/sandbox, isolated data, tasks run
// by the built-in simulated model (no provider call, no cost), events marked sandbox.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FleetEvent } from "../../src/fleet/events.ts";
import { client, type FleetClient, waitFor } from "./client.ts";
import { upload } from "./multipart.ts";
import { type FleetWorld, startFleetWorld } from "./setup.ts";
import { backends } from "./backends.ts";

for (const backend of backends()) describe(`fleet sandbox [${backend.name}]`, () => {
  let world: FleetWorld;
  let prod: FleetClient;
  let sandbox: FleetClient;
  const events: FleetEvent[] = [];

  before(async () => {
    world = await startFleetWorld({ backend });
    const { key } = await world.server.createKey(["agents:read", "agents:write", "tasks:read", "tasks:write", "files:read", "files:write"]);
    prod = client(world.server, key);
    sandbox = client(world.server, key, { sandbox: true });
    for (const type of ["agent.created", "task.created", "task.completed"] as const) world.server.services.events.on(type, (e) => void events.push(e));
  });
  after(() => world.dispose());

  it("keeps sandbox and production data apart, with the same key", async () => {
    const live = (await prod.post("/agents", { name: "live", model: "task-model" })).body;
    const practice = (await sandbox.post("/agents", { name: "practice", model: "task-model" })).body;
    assert.equal(practice.sandbox, true);
    assert.equal(live.sandbox, false);
    assert.equal((await sandbox.get(`/agents/${live.id}`)).status, 404);
    assert.equal((await prod.get(`/agents/${practice.id}`)).status, 404);
    assert.equal((await sandbox.patch(`/agents/${live.id}`, { name: "x" })).status, 404);
    assert.equal((await sandbox.del(`/agents/${live.id}`)).status, 404);
    assert.ok(!(await prod.get("/agents?limit=100")).body.data.some((a: { id: string }) => a.id === practice.id));
    assert.ok(!(await sandbox.get("/agents?limit=100")).body.data.some((a: { id: string }) => a.id === live.id));
    // A sandbox task can never drive a production agent, nor use a production file.
    assert.equal((await sandbox.post("/tasks", { agent_id: live.id, instructions: "x" })).status, 404);
    const liveFile = (await upload(`${world.server.url}/api/v1/files`, prod.key, "prod data", "p.txt")).body;
    assert.equal((await sandbox.post("/tasks", { agent_id: practice.id, instructions: "x", file_ids: [liveFile.id] })).status, 404);
    assert.equal((await sandbox.get(`/files/${liveFile.id}`)).status, 404);
  });

  it("runs sandbox tasks on the simulated model: no provider call, deterministic text, no cost", async () => {
    const practice = (await sandbox.post("/agents", { name: "sim", model: "task-model" })).body;
    const file = (await upload(`${world.server.url}/api/v1/sandbox/files`, sandbox.key, "sandbox file text", "s.txt")).body;
    assert.equal(file.sandbox, true);
    world.upstream.requests.length = 0;
    events.length = 0;
    const run = async () => {
      const created = (await sandbox.post("/tasks", { agent_id: practice.id, instructions: "Draft the release note.", file_ids: [file.id] })).body;
      return waitFor(async () => (await sandbox.get(`/tasks/${created.id}`)).body, (t) => t.state === "completed" || t.state === "failed", 10_000, "sandbox task");
    };
    const first = await run();
    const second = await run();
    assert.equal(first.state, "completed", JSON.stringify(first.error));
    assert.equal(first.model, "clawnex-sandbox-sim");
    assert.equal(first.cost_usd, 0);
    assert.match(first.outputs[0].content, /^\[sandbox simulated model\]/);
    assert.equal(first.outputs[0].content, second.outputs[0].content, "deterministic");
    assert.equal(world.upstream.requests.length, 0, "no provider was called");
    const traffic = await world.server.services.store.db.selectFrom("gateway_traffic").select("id").where("task_id", "in", [first.id, second.id]).execute();
    assert.equal(traffic.length, 0, "no provider budget used");
    await waitFor(async () => events.length, (n) => n >= 4, 5000, "the sandbox tasks' events");
    for (const e of events) assert.equal(e.sandbox, true, "sandbox events are marked for sandbox webhooks only");
  });

  it("still scans sandbox prompts: a blocked prompt fails there too", async () => {
    const practice = (await sandbox.post("/agents", { name: "sim-block", model: "task-model" })).body;
    const created = (await sandbox.post("/tasks", { agent_id: practice.id, instructions: "please zz-block-me now" })).body;
    const t = await waitFor(async () => (await sandbox.get(`/tasks/${created.id}`)).body, (x) => x.state === "failed", 10_000, "blocked sandbox task");
    assert.equal(t.error.code, "blocked");
    assert.match(t.error.scan_id, /^scan_/);
  });
});
