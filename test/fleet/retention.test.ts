// Task history is kept 30 days (CLAWNEX_TASK_RETENTION_DAYS to change it), then purged; tasks
// still pending or running are never purged.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isFleetModule } from "../../src/fleet/module.ts";
import { client, type FleetClient, waitFor } from "./client.ts";
import { type FleetWorld, startFleetWorld } from "./setup.ts";
import { backends } from "./backends.ts";

const DAY = 86_400_000;

for (const backend of backends()) describe(`fleet task retention [${backend.name}]`, () => {
  let world: FleetWorld;
  let api: FleetClient;

  before(async () => {
    world = await startFleetWorld({ backend, env: { CLAWNEX_TASK_RETENTION_DAYS: "7" } });
    api = client(world.server, (await world.server.createKey(["agents:write", "tasks:read", "tasks:write"])).key);
  });
  after(() => world.dispose());

  it("purges finished tasks past the retention, with their transitions and outputs, and keeps the rest", async () => {
    const agent = (await api.post("/agents", { name: "r", model: "task-model" })).body;
    const paused = (await api.post("/agents", { name: "r-paused", model: "task-model", status: "paused" })).body;
    const done = (await api.post("/tasks", { agent_id: agent.id, instructions: "finish" })).body;
    await waitFor(async () => (await api.get(`/tasks/${done.id}`)).body.state, (s) => s === "completed", 10_000, "completion");
    const waiting = (await api.post("/tasks", { agent_id: paused.id, instructions: "wait" })).body;
    const fleet = world.server.services.modules.find(isFleetModule);
    const maintenance = fleet?.maintenance();
    assert.ok(maintenance);

    assert.equal((await maintenance.run(Date.now() + 6 * DAY)).tasks, 0, "within 7 days: kept");
    assert.equal((await maintenance.run(Date.now() + 8 * DAY)).tasks, 1);
    assert.equal((await api.get(`/tasks/${done.id}`)).status, 404);
    assert.equal((await api.get(`/tasks/${waiting.id}`)).body.state, "pending", "unfinished tasks are never purged");
    const db = world.server.services.store.db;
    assert.equal((await db.selectFrom("fleet_task_transitions").select("seq").where("task_id", "=", done.id).execute()).length, 0);
    assert.equal((await db.selectFrom("fleet_task_outputs").select("id").where("task_id", "=", done.id).execute()).length, 0);
    await api.post(`/tasks/${waiting.id}/cancel`);
  });
});
