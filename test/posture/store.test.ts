// The posture store and service on SQLite (and PostgreSQL when CLAWNEX_TEST_DATABASE_URL is set):
// latest run, retention, concurrent scans sharing one run, the SOC hand-off failing softly.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PostureReport } from "../../src/soc/posture/scanner.ts";
import { PostureService } from "../../src/soc/posture/service.ts";
import { PostureStore } from "../../src/soc/posture/store.ts";
import { forEachBackend } from "../helpers/pg.ts";

function report(at: string, findings = 0): PostureReport {
  return {
    scannedAt: at,
    durationMs: 5,
    host: { hostname: "h", platform: "linux" },
    advisoryTableDate: "2026-11-24",
    summary: { critical: 0, high: 0, medium: findings, low: 0, info: 0 },
    findings: Array.from({ length: findings }, (_, i) => ({ checkId: "posture.test", severity: "medium" as const, title: `t${i}`, evidence: `e${i}`, remediation: "r" })),
    checks: [{ id: "sockets", status: findings ? "findings" : "ok", note: "n", durationMs: 1 }],
  };
}

forEachBackend("posture store", (backend) => {
  test("latest is the newest run; older runs beyond keep are deleted", async () => {
    const store = await backend.fresh();
    const posture = new PostureStore(store.db);
    assert.equal(await posture.latest(), null);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await posture.save(report(`2026-11-24T10:0${i}:00.000Z`, i), i % 2 ? "api" : "schedule", 3)).id);
    assert.equal(await posture.count(), 3);
    const latest = await posture.latest();
    assert.equal(latest?.id, ids[4]);
    assert.equal(latest?.trigger, "schedule");
    assert.deepEqual(latest?.report, report("2026-11-24T10:04:00.000Z", 4));
  });

  test("concurrent runs share one scan; a failing SOC hand-off does not fail the run", async () => {
    const store = await backend.fresh();
    let scans = 0;
    let release: () => void = () => {};
    const errors: unknown[] = [];
    const service = new PostureService({
      store: new PostureStore(store.db),
      keepRuns: 10,
      scan: async () => {
        scans++;
        await new Promise<void>((r) => (release = r));
        return report(new Date(Date.UTC(2026, 10, 24, 0, 0, scans)).toISOString(), 2);
      },
      ingest: async () => {
        throw new Error("soc down");
      },
      onIngestError: (err) => errors.push(err),
    });
    const first = service.latest();
    const second = service.run("api");
    const third = service.run("schedule");
    await new Promise((r) => setImmediate(r));
    release();
    const [a, b, c] = await Promise.all([first, second, third]);
    assert.equal(scans, 1);
    assert.equal(a.id, b.id);
    assert.equal(b.id, c.id);
    assert.equal(a.trigger, "api", "the run that started it names the trigger");
    assert.equal(errors.length, 1);
    assert.equal((await service.latest()).id, a.id, "latest does not scan again");
    const next = service.run("schedule");
    await new Promise((r) => setImmediate(r));
    release();
    assert.notEqual((await next).id, a.id);
    assert.equal(scans, 2);
  });
});
