// Tasks survive restarts: close the server while tasks run and wait, start a new one on the same
// data dir. Pending tasks run; running ones are failed with a clear reason or retried per their
// agent's policy (a visible transition and a counted attempt); a crashed runner's tasks are
// recovered once its lease lapses. Nothing is lost, nothing runs twice silently.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { client, type FleetClient, waitFor } from "./client.ts";
import { type FleetWorld, startFleetWorld } from "./setup.ts";
import { backends } from "./backends.ts";

for (const backend of backends()) describe(`fleet tasks across restarts [${backend.name}]`, () => {
  let world: FleetWorld;
  let key: string;
  const api = (): FleetClient => client(world.server, key);
  const task = async (id: string) => (await api().get(`/tasks/${id}`)).body;

  before(async () => {
    world = await startFleetWorld({ backend });
    key = (await world.server.createKey(["agents:write", "tasks:read", "tasks:write"])).key;
  });
  after(() => world.dispose());

  it("fails or requeues running tasks per policy and runs pending ones after a restart", async () => {
    const failing = (await api().post("/agents", { name: "no-retry", model: "task-model", restart_policy: "fail" })).body;
    const retrying = (await api().post("/agents", { name: "retry", model: "task-model", restart_policy: "retry", max_attempts: 2 })).body;
    world.upstream.setDefault({ kind: "hang" });
    const x1 = (await api().post("/tasks", { agent_id: failing.id, instructions: "x1" })).body;
    const x2 = (await api().post("/tasks", { agent_id: failing.id, instructions: "x2" })).body; // waits: concurrency 1
    const y1 = (await api().post("/tasks", { agent_id: retrying.id, instructions: "y1" })).body;
    for (const id of [x1.id, y1.id]) await waitFor(() => task(id), (t) => t.state === "running", 5000, `${id} running`);
    assert.equal((await task(x2.id)).state, "pending");

    world.upstream.setDefault({ kind: "text" });
    await world.restart();

    const x1After = await task(x1.id);
    assert.equal(x1After.state, "failed");
    assert.equal(x1After.error.code, "interrupted");
    assert.match(x1After.error.message, /ClawNex stopped while the task was running; not retried \(restart_policy is fail, attempt 1 of 3\)/);

    const y1Done = await waitFor(() => task(y1.id), (t) => t.state === "completed", 10_000, "y1 retried to completion");
    assert.equal(y1Done.attempts, 2, "the retry is a counted attempt");
    assert.deepEqual(
      y1Done.transitions.map((t: { state: string }) => t.state),
      ["pending", "running", "pending", "running", "completed"],
    );
    assert.match(y1Done.transitions[2].reason, /requeued by the agent's retry policy \(attempt 1 of 2 was interrupted\)/);
    assert.match(y1Done.transitions[3].reason, /attempt 2/);

    const x2Done = await waitFor(() => task(x2.id), (t) => t.state === "completed", 10_000, "x2 picked up after restart");
    assert.equal(x2Done.attempts, 1);
    // x1 stays failed: it was not run again.
    assert.equal((await task(x1.id)).state, "failed");
    assert.equal(world.upstream.requests.filter((r) => JSON.stringify(r.body).includes('"x1"')).length, 1);
  });

  it("gives up after max_attempts interruptions", async () => {
    const agent = (await api().post("/agents", { name: "retry-once", model: "task-model", restart_policy: "retry", max_attempts: 1 })).body;
    world.upstream.setDefault({ kind: "hang" });
    const t = (await api().post("/tasks", { agent_id: agent.id, instructions: "only once" })).body;
    await waitFor(() => task(t.id), (x) => x.state === "running", 5000, "running");
    world.upstream.setDefault({ kind: "text" });
    await world.restart();
    const after = await task(t.id);
    assert.equal(after.state, "failed");
    assert.match(after.error.message, /restart_policy is retry, attempt 1 of 1/);
  });

  it("recovers the tasks of a runner that crashed (its lease lapsed)", async () => {
    const agent = (await api().post("/agents", { name: "crash", model: "task-model", restart_policy: "retry", max_attempts: 3, status: "paused" })).body;
    const t = (await api().post("/tasks", { agent_id: agent.id, instructions: "after the crash" })).body;
    // What a killed process leaves behind: a running task held by a runner that no longer renews.
    const past = new Date(Date.now() - 60_000).toISOString();
    await world.server.services.store.db
      .updateTable("fleet_tasks")
      .set({ state: "running", attempts: 1, started_at: past, lease_owner: "runner_dead", lease_expires_at: past })
      .where("id", "=", t.id)
      .execute();
    await api().patch(`/agents/${agent.id}`, { status: "active" });
    await world.restart();
    const done = await waitFor(() => task(t.id), (x) => x.state === "completed", 10_000, "crash recovery");
    assert.equal(done.attempts, 2);
    assert.ok(done.transitions.some((x: { reason: string | null }) => /lease lapsed/.test(x.reason ?? "")));
  });
});
