// Break-glass windows end by themselves: the expiry is enforced on read and audited once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { BreakGlassService } from "../../src/gateway/breakglass.ts";
import { forEachBackend } from "../helpers/pg.ts";

forEachBackend("break-glass store", (backend) => {
  test("a window expires by itself and its end is audited exactly once", async () => {
    const store = await backend.fresh();
    let now = new Date("2026-01-01T00:00:00Z");
    const audit = new AuditLog(store.db);
    const bg = new BreakGlassService(store.db, audit, 60, () => now);
    await assert.rejects(bg.start(61, "too long", "t"), /at most 60/);
    const state = await bg.start(1, "incident", "t");
    assert.equal((await bg.active())?.id, state.id);
    now = new Date(now.getTime() + 61_000);
    assert.equal(await bg.active(), null, "expired windows stop at once, before the timer closes them");
    const other = new BreakGlassService(store.db, audit, 60, () => now);
    assert.equal(await bg.expireDue(), 1);
    assert.equal(await other.expireDue(), 0);
    const ended = (await audit.list({ limit: 10 })).events.filter((e) => e.action === "gateway.breakglass_ended");
    assert.equal(ended.length, 1);
    assert.equal(ended[0]?.actor, "system");
    assert.equal(ended[0]?.details.reason, "expired");
  });
});
