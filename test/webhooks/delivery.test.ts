// Delivery as a receiver experiences it, against real HTTP receivers and a real database (SQLite,
// and PostgreSQL when CLAWNEX_TEST_DATABASE_URL is set): the whole retry schedule walked with a
// moved clock, success on a later attempt, Retry-After, and 410 Gone. Safety cases:
// delivery-safety.test.ts.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Webhook } from "standardwebhooks";
import { forEachBackend } from "../helpers/pg.ts";
import { actor, buildHarness, live, sharedStore } from "./harness.ts";
import { startReceiver } from "./receiver.ts";

const SCHEDULE = [5, 30, 60, 300, 1800, 7200];

forEachBackend("webhook delivery", (backend) => {
  const fresh = sharedStore(backend);
  it("walks the whole retry schedule (5 s, 30 s, 1 min, 5 min, 30 min, 2 h), then marks the delivery failed", async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(500).end("nope"));
    const h = await buildHarness(await fresh());
    try {
      const { secret, id } = await h.module.service.create(live, { url: `${receiver.url}/hook`, events: ["task.completed"] }, actor);
      assert.equal(await h.module.service.publish(live, "task.completed", { id: "task_1" }, h.clock.now().toISOString()), 1);

      assert.equal(await h.module.worker.runDue(), 1);
      for (const delay of SCHEDULE) {
        const [pending] = (await h.module.service.listDeliveries(live, id, { limit: 10 })).data;
        assert.equal(pending?.status, "pending");
        assert.equal(pending?.next_attempt_at, new Date(h.clock.now().getTime() + delay * 1000).toISOString());
        h.clock.advance(delay - 0.001);
        assert.equal(await h.module.worker.runDue(), 0, "not retried before its time");
        h.clock.advance(0.001);
        assert.equal(await h.module.worker.runDue(), 1);
      }
      h.clock.advance(86_400);
      assert.equal(await h.module.worker.runDue(), 0, "no attempt after the last retry");

      const [failed] = (await h.module.service.listDeliveries(live, id, { limit: 10 })).data;
      assert.equal(failed?.status, "failed");
      assert.equal(failed?.next_attempt_at, null);
      assert.equal(failed?.attempts.length, 7);
      assert.deepEqual(
        failed?.attempts.map((a) => [a.attempt, a.status_code, a.succeeded, a.error]),
        Array.from({ length: 7 }, (_, i) => [i + 1, 500, false, "receiver answered 500"]),
      );
      // Every attempt carries the same event id and body; each signature is valid at its own timestamp.
      assert.equal(receiver.received.length, 7);
      assert.equal(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size, 1);
      assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1);
      const stamps = receiver.received.map((r) => Number(r.headers["webhook-timestamp"]));
      assert.deepEqual(
        stamps.slice(1).map((t, i) => t - (stamps[i] ?? 0)),
        SCHEDULE,
      );
      for (const r of receiver.received) {
        const verifier = new Webhook(secret);
        // The reference verifier checks against the real clock; re-sign check via its sign() at the attempt's time.
        assert.equal(verifier.sign(String(r.headers["webhook-id"]), new Date(Number(r.headers["webhook-timestamp"]) * 1000), r.body), r.headers["webhook-signature"]);
      }
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("succeeds on a later attempt and stops retrying", async () => {
    const receiver = await startReceiver((_req, res, i) => res.writeHead(i === 0 ? 503 : 204).end());
    const h = await buildHarness(await fresh());
    try {
      const { id } = await h.module.service.create(live, { url: receiver.url, events: ["*"] }, actor);
      await h.module.service.publish(live, "agent.created", { id: "agent_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      h.clock.advance(5);
      await h.module.worker.runDue();
      h.clock.advance(100_000);
      assert.equal(await h.module.worker.runDue(), 0);
      const [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.status, "succeeded");
      assert.deepEqual(
        delivery?.attempts.map((a) => a.status_code),
        [503, 204],
      );
      assert.equal(receiver.received.length, 2);
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("honours a receiver's Retry-After (later than the schedule, capped at its longest delay)", async () => {
    const receiver = await startReceiver((_req, res, i) => res.writeHead(429, { "retry-after": i === 0 ? "120" : "999999" }).end());
    const h = await buildHarness(await fresh());
    try {
      const { id } = await h.module.service.create(live, { url: receiver.url, events: ["task.failed"] }, actor);
      await h.module.service.publish(live, "task.failed", { id: "task_1" }, h.clock.now().toISOString());
      const t0 = h.clock.now().getTime();
      await h.module.worker.runDue();
      let [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.next_attempt_at, new Date(t0 + 120_000).toISOString());
      h.clock.advance(120);
      await h.module.worker.runDue();
      [delivery] = (await h.module.service.listDeliveries(live, id, { limit: 5 })).data;
      assert.equal(delivery?.next_attempt_at, new Date(t0 + 120_000 + 7200_000).toISOString());
    } finally {
      await h.close();
      await receiver.close();
    }
  });

  it("a 410 Gone fails the delivery and disables the webhook (audited); nothing more is queued for it", async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(410).end());
    const h = await buildHarness(await fresh());
    try {
      const { id } = await h.module.service.create(live, { url: receiver.url, events: ["task.created"] }, actor);
      await h.module.service.publish(live, "task.created", { id: "task_1" }, h.clock.now().toISOString());
      await h.module.worker.runDue();
      const webhook = await h.module.service.get(live, id);
      assert.equal(webhook.enabled, false);
      assert.match(webhook.disabled_reason ?? "", /410/);
      assert.equal((await h.module.service.listDeliveries(live, id, { limit: 5 })).data[0]?.status, "failed");
      assert.equal(await h.module.service.publish(live, "task.created", { id: "task_2" }, h.clock.now().toISOString()), 0);
      const audit = await h.core.audit.list({ limit: 50 });
      assert.ok(audit.events.some((e) => e.action === "webhook.disabled" && e.target === id));
      // Re-enabling clears the reason.
      const enabled = await h.module.service.update(live, id, { enabled: true }, actor);
      assert.equal(enabled.disabled_reason, null);
    } finally {
      await h.close();
      await receiver.close();
    }
  });

});
