// Delivery safety against real HTTP receivers and a real database (SQLite, and PostgreSQL when
// CLAWNEX_TEST_DATABASE_URL is set): redirects not followed, timeouts, refused connections,
// restarts and crashed workers, competing workers, SSRF refusals at delivery time (DNS
// rebinding, stored loopback URLs), and sandbox/production routing.
import assert from "node:assert/strict";
import { it } from "node:test";
import { DeliveryWorker } from "../../src/webhooks/delivery/delivery-worker.ts";
import { HttpSender } from "../../src/webhooks/delivery/sender.ts";
import { SecretBox } from "../../src/webhooks/secret-box.ts";
import { DeliveryStore } from "../../src/webhooks/store/delivery-store.ts";
import { WebhookStore } from "../../src/webhooks/store/webhook-store.ts";
import { forEachBackend } from "../helpers/pg.ts";
import { actor, buildHarness, live, ManualClock, sharedStore } from "./harness.ts";
import { startReceiver } from "./receiver.ts";

const SCHEDULE = [5, 30, 60, 300, 1800, 7200];

forEachBackend("webhook delivery safety", (backend) => {
  const fresh = sharedStore(backend);
  it("does not follow redirects: a 3xx is a failed attempt and the target is never called", async () => {
    const receiver = await startReceiver((req, res) => (req.path === "/hook" ? res.writeHead(307, { location: "/elsewhere" }).end() : res.writeHead(200).end()));
    const h = await buildHarness(await fresh());
    try {
      const { id } = await h.module.service.create(live, { url: `${receiver.url}/hook`, events: ["task.created"] }, actor);
      await h.module.service.publish(live, "task.created", { id: "task_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      const [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.status, "pending");
      assert.equal(delivery?.attempts[0]?.status_code, 307);
      assert.match(delivery?.attempts[0]?.error ?? "", /redirect \(307\) not followed/);
      assert.deepEqual(
        receiver.received.map((r) => r.path),
        ["/hook"],
      );
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("enforces the timeout on a receiver that never answers", async () => {
    const receiver = await startReceiver(() => {
      /* never answers */
    });
    const h = await buildHarness(await fresh(), { webhooks: { timeoutMs: 300 } });
    try {
      const { id } = await h.module.service.create(live, { url: receiver.url, events: ["task.created"] }, actor);
      await h.module.service.publish(live, "task.created", { id: "task_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      const [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.attempts[0]?.status_code, null);
      assert.equal(delivery?.attempts[0]?.error, "timed out after 300 ms");
      assert.equal(delivery?.status, "pending");
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("records a refused connection as a failed attempt", async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const h = await buildHarness(await fresh());
    try {
      const { id } = await h.module.service.create(live, { url, events: ["task.created"] }, actor);
      await h.module.service.publish(live, "task.created", { id: "task_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      const [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.attempts[0]?.error, "connection refused");
    } finally {
      await h.close();
    }
  });

  it("queued deliveries survive a restart, and a crashed worker's claim lapses instead of losing the delivery", async () => {
    const receiver = await startReceiver();
    const store = await fresh();
    const clock = new ManualClock();
    const first = await buildHarness(store, { clock });
    const { id } = await first.module.service.create(live, { url: receiver.url, events: ["task.created"] }, actor);
    await first.module.service.publish(live, "task.created", { id: "task_1" }, clock.now().toISOString());
    await first.module.service.publish(live, "task.created", { id: "task_2" }, clock.now().toISOString());
    // A worker claims task_2's delivery, then the process dies before sending it.
    const deliveries = new DeliveryStore(first.core.store.db);
    const [claimed] = await deliveries.due(clock.now().toISOString(), 1);
    assert.ok(claimed && (await deliveries.claim(claimed, clock.now().toISOString(), new Date(clock.now().getTime() + 60_000).toISOString())));
    await first.close();

    const second = await buildHarness(store, { clock, reset: false });
    try {
      assert.equal(await second.module.worker.runDue(), 1, "the unclaimed delivery goes out after the restart");
      clock.advance(61);
      assert.equal(await second.module.worker.runDue(), 1, "the lapsed claim is picked up again");
      const statuses = (await second.module.service.listDeliveries(live, id, { limit: 5 })).data.map((d) => d.status);
      assert.deepEqual(statuses, ["succeeded", "succeeded"]);
      assert.equal(receiver.received.length, 2);
    } finally {
      await second.close();
      await receiver.close();
    }
  });

  it("competing workers send each delivery exactly once", async () => {
    const receiver = await startReceiver();
    const store = await fresh();
    const h = await buildHarness(store);
    // A second worker on its own connection where the database allows it (PostgreSQL), as another server would be.
    const other = backend.dialect === "postgres" ? await store.connect() : h.core.store;
    const sender = new HttpSender({ timeoutMs: 5000, policy: { allowPrivate: true } });
    const rival = new DeliveryWorker({
      deliveries: new DeliveryStore(other.db),
      webhooks: new WebhookStore(other.db),
      secrets: SecretBox.fromDataDir(store.dataDir),
      sender,
      clock: h.clock.now,
      retryScheduleSeconds: SCHEDULE,
      concurrency: 4,
      pollIntervalMs: 1000,
      leaseMs: 60_000,
      retentionDays: 30,
    });
    try {
      await h.module.service.create(live, { url: receiver.url, events: ["task.created"] }, actor);
      for (let i = 0; i < 40; i++) await h.module.service.publish(live, "task.created", { id: `task_${i}` }, h.clock.now().toISOString());
      const [a, b] = await Promise.all([h.module.worker.runDue(), rival.runDue()]);
      assert.equal(a + b, 40);
      assert.equal(receiver.received.length, 40);
      assert.equal(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size, 40);
    } finally {
      await sender.close();
      await h.close();
      await receiver.close();
    }
  });

  it("refuses at delivery time a host that rebinds to loopback after registration", async () => {
    const receiver = await startReceiver();
    let address = "93.184.216.34";
    const resolver = async () => [{ address, family: 4 }];
    const h = await buildHarness(await fresh(), { allowPrivate: false, resolver });
    try {
      const { id } = await h.module.service.create(live, { url: `http://rebind.example:${receiver.port}/hook`, events: ["task.created"] }, actor);
      address = "127.0.0.1";
      await h.module.service.publish(live, "task.created", { id: "task_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      const [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.match(delivery?.attempts[0]?.error ?? "", /^destination refused/);
      assert.ok(!(delivery?.attempts[0]?.error ?? "").includes("127.0.0.1"));
      assert.equal(receiver.received.length, 0);
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("refuses at delivery time a stored loopback URL once private destinations are no longer allowed", async () => {
    const receiver = await startReceiver();
    const store = await fresh();
    const relaxed = await buildHarness(store);
    const { id } = await relaxed.module.service.create(live, { url: receiver.url, events: ["task.created"] }, actor);
    await relaxed.close();
    const strict = await buildHarness(store, { allowPrivate: false, reset: false });
    try {
      await strict.module.service.publish(live, "task.created", { id: "task_1" }, strict.clock.now().toISOString());
      await strict.module.worker.runDue();
      const [delivery] = (await strict.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.match(delivery?.attempts[0]?.error ?? "", /^destination refused/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await strict.close();
      await receiver.close();
    }
  });

  it("routes sandbox events to sandbox webhooks only, and production events to production ones only", async () => {
    const liveReceiver = await startReceiver();
    const sandboxReceiver = await startReceiver();
    const h = await buildHarness(await fresh());
    try {
      await h.module.service.create(live, { url: liveReceiver.url, events: ["agent.created"] }, actor);
      await h.module.service.create({ workspace: "default", sandbox: true }, { url: sandboxReceiver.url, events: ["agent.created"] }, actor);
      await h.module.service.create({ workspace: "other", sandbox: false }, { url: liveReceiver.url, events: ["agent.created"] }, actor);
      await h.core.events.emit("agent.created", { workspace: "default", data: { id: "agent_live" }, occurredAt: h.clock.now().toISOString(), sandbox: false });
      await h.core.events.emit("agent.created", { workspace: "default", data: { id: "agent_sbx" }, occurredAt: h.clock.now().toISOString(), sandbox: true });
      await h.module.worker.runDue();
      assert.deepEqual(
        liveReceiver.received.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id),
        ["agent_live"],
      );
      assert.deepEqual(
        sandboxReceiver.received.map((r) => JSON.parse(r.body) as { data: { id: string }; sandbox: boolean }).map((e) => [e.data.id, e.sandbox]),
        [["agent_sbx", true]],
      );
    } finally {
      await h.close();
      await liveReceiver.close();
      await sandboxReceiver.close();
    }
  });
});
