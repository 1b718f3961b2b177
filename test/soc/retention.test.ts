// Event retention on both backends: old events go, events an incident still points at stay.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pruneEvents } from "../../src/soc/jobs/retention.ts";
import { forEachBackend } from "../helpers/pg.ts";
import { openSoc } from "./harness.ts";

forEachBackend("SOC event retention", (backend) => {
  test("events past retention are deleted unless an incident refers to them", async () => {
    const soc = await openSoc({ store: await backend.fresh() });
    const at = (iso: string) => (soc.clock.now = new Date(iso));
    const step = (target: string, attributes: Record<string, string | string[]>) => ({ source: "shield", kind: "shield.detection", agent: "r", session: "s", target, severity: "high" as const, category: "x", summary: target, attributes });
    at("2025-01-01T00:00:00.000Z");
    await soc.engine.pipeline.ingestEvent({ ...step("lonely", { verdict: "REVIEW", content: "user" }), ts: "2025-01-01T00:00:00.000Z" });
    await soc.engine.pipeline.ingestEvent({ ...step("inj", { content: "tool_result", categories: ["prompt_injection"], verdict: "REVIEW" }), ts: "2025-01-01T00:00:01.000Z" });
    await soc.engine.pipeline.ingestEvent({ ...step("exec", { content: "tool_call", tool_class: "exec", categories: ["dangerous_command"], verdict: "BLOCK" }), ts: "2025-01-01T00:00:02.000Z" });
    await soc.engine.pipeline.ingestEvent({ ...step("egress", { content: "tool_call", categories: ["exfiltration"], verdict: "BLOCK" }), ts: "2025-01-01T00:00:03.000Z" });
    await soc.engine.pipeline.ingestEvent({ ...step("recent", { verdict: "REVIEW", content: "user" }), ts: "2025-03-01T00:00:00.000Z" });
    const before = await soc.store.db.selectFrom("soc_events").select("target").execute();
    assert.equal(await pruneEvents(soc.store.db, 30, new Date("2025-03-02T00:00:00.000Z")), 1);
    const after = (await soc.store.db.selectFrom("soc_events").select("target").orderBy("ts").execute()).map((r) => r.target);
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.includes("lonely") && after.includes("inj") && after.includes("recent"));
    await soc.close();
  });
});
