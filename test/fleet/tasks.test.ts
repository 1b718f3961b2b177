// The task lifecycle end to end: API → runner → gateway path (Shield, routing, traffic record) →
// a real local OpenAI-compatible upstream, and back. Blocked prompts, cancel of a running task,
// timeouts, cost limits, per-agent concurrency, upstream errors, scopes and workspaces.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FleetEvent } from "../../src/fleet/events.ts";
import { DEFAULT_TEXT } from "../helpers/fake-upstream.ts";
import { client, type FleetClient, waitFor } from "./client.ts";
import { upload } from "./multipart.ts";
import { type FleetWorld, startFleetWorld, TASK_MODEL_COST } from "./setup.ts";
import { backends } from "./backends.ts";

const TERMINAL = ["completed", "failed", "cancelled"];

for (const backend of backends()) describe(`fleet tasks through the gateway [${backend.name}]`, () => {
  let world: FleetWorld;
  let api: FleetClient;
  const events: Array<{ type: string; payload: FleetEvent }> = [];

  const agent = async (body: Record<string, unknown>) => {
    const res = await api.post("/agents", { model: "task-model", ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string };
  };
  const submit = async (body: Record<string, unknown>) => {
    const res = await api.post("/tasks", body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; state: string };
  };
  const settle = (id: string, states = TERMINAL) =>
    waitFor(
      async () => (await api.get(`/tasks/${id}`)).body,
      (t) => states.includes(t.state),
      15_000,
      `task ${id} to reach ${states.join("/")}`,
    );

  before(async () => {
    world = await startFleetWorld({ backend });
    api = client(world.server, (await world.server.createKey(["agents:read", "agents:write", "tasks:read", "tasks:write", "files:write", "files:read"])).key);
    for (const type of ["task.created", "task.started", "task.output_received", "task.completed", "task.failed", "task.cancelled"] as const) {
      world.server.services.events.on(type, (payload) => void events.push({ type, payload }));
    }
  });
  after(() => world.dispose());

  it("runs a task with an attached file through the gateway and records output, tokens, cost and timing", async () => {
    const reviewer = await agent({ name: "reviewer", constraints: { max_tokens: 64 } });
    const file = (await upload(`${world.server.url}/api/v1/files`, api.key, "line one of the report\nline two\n", "report.txt")).body;
    world.upstream.requests.length = 0;
    events.length = 0;
    const created = await submit({ agent_id: reviewer.id, instructions: "Summarise the attached report.", file_ids: [file.id], metadata: { ticket: "OPS-1" } });
    assert.equal(created.state, "pending");
    const task = await settle(created.id);
    assert.equal(task.state, "completed", JSON.stringify(task.error));
    assert.deepEqual(
      task.transitions.map((t: { state: string }) => t.state),
      ["pending", "running", "completed"],
    );
    assert.equal(task.outputs.length, 1);
    assert.equal(task.outputs[0].content, DEFAULT_TEXT);
    assert.deepEqual(task.usage, { prompt_tokens: 123, completion_tokens: 17, total_tokens: 140 });
    assert.equal(task.cost_usd, TASK_MODEL_COST);
    assert.equal(task.attempts, 1);
    assert.deepEqual(task.metadata, { ticket: "OPS-1" });
    assert.ok(task.timing.queued_ms >= 0 && task.timing.run_ms >= 0);
    assert.ok(task.timing.started_at && task.timing.finished_at);

    // What the upstream received: the instructions and the file's text, max_tokens, the route's key.
    assert.equal(world.upstream.requests.length, 1);
    const sent = world.upstream.requests[0];
    assert.equal(sent?.headers.authorization, "Bearer sk-local-test");
    assert.equal(sent?.body?.max_tokens, 64);
    assert.equal(sent?.body?.model, "task-model");
    const prompt = JSON.stringify(sent?.body?.messages);
    assert.match(prompt, /Summarise the attached report\./);
    assert.match(prompt, /line one of the report/);

    // The call was recorded as gateway traffic for this task and agent.
    const traffic = await world.server.services.store.db.selectFrom("gateway_traffic").selectAll().where("task_id", "=", created.id).execute();
    assert.equal(traffic.length, 1);
    assert.equal(traffic[0]?.agent_id, reviewer.id);
    assert.equal(traffic[0]?.source, "task");

    // Events, in order, each carrying the task as the API shows it at that moment. The runner
    // emits task.completed right after recording it, so it may trail the GET by a moment.
    const mine = await waitFor(
      async () => events.filter((e) => e.payload.data.id === created.id),
      (list) => list.some((e) => e.type === "task.completed"),
      5000,
      "task.completed",
    );
    assert.deepEqual(
      mine.map((e) => e.type),
      ["task.created", "task.started", "task.output_received", "task.completed"],
    );
    assert.equal(mine[0]?.payload.data.state, "pending");
    assert.deepEqual(mine.at(-1)?.payload.data, task);
    assert.equal(mine[0]?.payload.sandbox, false);
  });

  it("fails a task whose prompt the Shield blocks, naming the scan; the upstream never sees it", async () => {
    const a = await agent({ name: "blocked" });
    world.upstream.requests.length = 0;
    const task = await settle((await submit({ agent_id: a.id, instructions: "Ignore that and please zz-block-me now" })).id);
    assert.equal(task.state, "failed");
    assert.equal(task.error.code, "blocked");
    assert.match(task.error.scan_id, /\S/);
    assert.ok(task.error.message.includes(task.error.scan_id), "the reason names the scan id");
    assert.ok(task.transitions.at(-1).reason.includes(task.error.scan_id));
    assert.equal(world.upstream.requests.length, 0);
  });

  it("cancels a running task by aborting its upstream call", async () => {
    const a = await agent({ name: "slow" });
    world.upstream.queue({ kind: "hang" });
    const abortedBefore = world.upstream.aborted;
    const created = await submit({ agent_id: a.id, instructions: "take forever" });
    await settle(created.id, ["running"]);
    await waitFor(async () => world.upstream.requests.some((r) => JSON.stringify(r.body).includes("take forever")), Boolean, 5000, "the upstream call");
    const cancelled = await api.post(`/tasks/${created.id}/cancel`, { reason: "operator stop" });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, "cancelled");
    assert.match(cancelled.body.transitions.at(-1).reason, /^cancelled by key:key_\w+: operator stop$/);
    await waitFor(async () => world.upstream.aborted, (n) => n > abortedBefore, 5000, "the upstream request to be aborted");
    await new Promise((r) => setTimeout(r, 100));
    const later = (await api.get(`/tasks/${created.id}`)).body;
    assert.equal(later.state, "cancelled", "not left to finish");
    assert.equal(later.outputs.length, 0);
    const again = await api.post(`/tasks/${created.id}/cancel`);
    assert.equal(again.status, 409);
  });

  it("cancels a pending task; it never runs", async () => {
    const a = await agent({ name: "paused", status: "paused" });
    const created = await submit({ agent_id: a.id, instructions: "never run" });
    const cancelled = await api.post(`/tasks/${created.id}/cancel`);
    assert.equal(cancelled.body.state, "cancelled");
    await api.patch(`/agents/${a.id}`, { status: "active" });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await api.get(`/tasks/${created.id}`)).body.attempts, 0);
  });

  it("stops and fails a task that exceeds the agent's timeout", async () => {
    const a = await agent({ name: "timeboxed", constraints: { timeout_seconds: 1 } });
    world.upstream.queue({ kind: "hang" });
    const abortedBefore = world.upstream.aborted;
    const task = await settle((await submit({ agent_id: a.id, instructions: "hang please" })).id);
    assert.equal(task.state, "failed");
    assert.equal(task.error.code, "timeout");
    assert.match(task.error.message, /timed out after 1 s/);
    await waitFor(async () => world.upstream.aborted, (n) => n > abortedBefore, 5000, "the upstream request to be aborted");
  });

  it("fails a task whose recorded cost exceeds the agent's max cost, keeping its output", async () => {
    const a = await agent({ name: "frugal", constraints: { max_cost_usd: 0.1 } });
    const task = await settle((await submit({ agent_id: a.id, instructions: "spend" })).id);
    assert.equal(task.state, "failed");
    assert.equal(task.error.code, "cost_exceeded");
    assert.equal(task.cost_usd, TASK_MODEL_COST);
    assert.equal(task.outputs.length, 1);
    const ok = await agent({ name: "generous", constraints: { max_cost_usd: 1 } });
    assert.equal((await settle((await submit({ agent_id: ok.id, instructions: "spend" })).id)).state, "completed");
  });

  it("honours per-agent concurrency", async () => {
    const serial = await agent({ name: "serial", constraints: { concurrency: 1 } });
    const parallel = await agent({ name: "parallel", constraints: { concurrency: 3 } });
    world.upstream.setDefault({ kind: "text", firstByteDelayMs: 150 });
    try {
      const overlaps = async (agentId: string) => {
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await submit({ agent_id: agentId, instructions: `job ${i}` })).id);
        const tasks = await Promise.all(ids.map((id) => settle(id)));
        let max = 0;
        for (const t of tasks) {
          const at = t.timing.started_at;
          max = Math.max(max, tasks.filter((o) => o.timing.started_at <= at && o.timing.finished_at > at).length);
        }
        return max;
      };
      assert.equal(await overlaps(serial.id), 1, "concurrency 1: one at a time");
      assert.ok((await overlaps(parallel.id)) > 1, "concurrency 3: they overlap");
    } finally {
      world.upstream.setDefault({ kind: "text" });
    }
  });

  it("fails a task with the upstream's error when the model call fails", async () => {
    const a = await agent({ name: "broken" });
    world.upstream.queue({ kind: "error", status: 500 });
    const task = await settle((await submit({ agent_id: a.id, instructions: "fail" })).id);
    assert.equal(task.state, "failed");
    assert.equal(task.error.code, "upstream_error");
  });

  it("lists tasks with filters and keeps them to their workspace", async () => {
    const a = await agent({ name: "listed", status: "paused" });
    const t1 = await submit({ agent_id: a.id, instructions: "one" });
    const t2 = await submit({ agent_id: a.id, instructions: "two" });
    const byAgent = await api.get(`/tasks?agent_id=${a.id}&order=asc`);
    assert.deepEqual(
      byAgent.body.data.map((t: { id: string }) => t.id),
      [t1.id, t2.id],
    );
    const pending = await api.get(`/tasks?state=pending&agent_id=${a.id}`);
    assert.equal(pending.body.data.length, 2);
    assert.ok((await api.get("/tasks?state=completed&limit=100")).body.data.every((t: { state: string }) => t.state === "completed"));

    const other = client(world.server, (await world.server.createKey(["tasks:read", "tasks:write"], { workspace: "tasks-other" })).key);
    assert.equal((await other.get(`/tasks/${t1.id}`)).status, 404);
    assert.equal((await other.post(`/tasks/${t1.id}/cancel`)).status, 404);
    assert.ok(!(await other.get("/tasks?limit=100")).body.data.some((t: { id: string }) => t.id === t1.id));
    const reader = client(world.server, (await world.server.createKey(["tasks:read"])).key);
    assert.equal((await reader.post("/tasks", { agent_id: a.id, instructions: "x" })).status, 403);
    assert.equal((await reader.post(`/tasks/${t1.id}/cancel`)).status, 403);
    assert.equal((await reader.get(`/tasks/${t1.id}`)).status, 200);
    for (const t of [t1, t2]) await api.post(`/tasks/${t.id}/cancel`);
  });
});
