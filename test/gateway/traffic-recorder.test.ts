// The traffic recorder hands its queue to the store's row writer (on SQLite a thread of its own)
// in transactions of a bounded size: against real stores, a batch larger than one transaction is
// written whole; when one transaction fails, what was committed before it is announced, and it and
// everything after it stay queued, none announced and none lost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventBus } from "../../src/app/events.ts";
import { PriceTable } from "../../src/gateway/pricing.ts";
import { type TrafficEntry, TrafficRecorder } from "../../src/gateway/traffic-recorder.ts";
import type { ScanRecord } from "../../src/scans/scan-service.ts";
import { forEachBackend, type TestBackend } from "../helpers/pg.ts";

function scan(id: string): ScanRecord {
  return {
    id,
    verdict: "ALLOW",
    score: 0,
    detections: [],
    mode: "BLOCK",
    enforced: false,
    direction: "inbound",
    source: "gateway",
    latency_ms: 0.1,
    text_sha256: "0".repeat(64),
    text_length: 1,
    invisible: { zero_width: 0, bidi: 0, tag: 0 },
    truncated: false,
    created_at: new Date().toISOString(),
    workspace: "default",
    key_id: null,
    raw_text: null,
    metadata: null,
  };
}

async function withRecorder(backend: TestBackend, run: (recorder: TrafficRecorder, announced: string[], count: () => Promise<number>) => Promise<void>): Promise<void> {
  const store = await backend.fresh();
  const events = new EventBus();
  const announced: string[] = [];
  events.on("scan.completed", ({ scan: s }) => void announced.push(s.id));
  const errors: unknown[] = [];
  const recorder = new TrafficRecorder(store.writer, { flushIntervalMs: 10_000, flushBatchSize: 10_000 }, new PriceTable({}), events, (err) => void errors.push(err));
  try {
    await run(recorder, announced, async () => (await store.db.selectFrom("scans").select("id").execute()).length);
  } finally {
    await recorder.close();
  }
}

forEachBackend("traffic recorder", (backend) => {
  test("a queue larger than one transaction is written whole and every record announced once", async () => {
    await withRecorder(backend, async (recorder, announced, count) => {
      const entries: TrafficEntry[] = Array.from({ length: 50 }, (_, i) => ({ scans: [scan(`scan_${i}`)] }));
      for (const e of entries) recorder.record(e);
      await recorder.flush();
      assert.equal(await count(), 50);
      assert.equal(recorder.queued, 0);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual([...announced].sort(), entries.map((e) => e.scans[0]?.id).sort());
    });
  });

  test("a failing transaction keeps itself and everything after it queued; only committed records are announced", async () => {
    await withRecorder(backend, async (recorder, announced, count) => {
      // Entry 301 repeats entry 300's scan id: the transaction holding both fails on the primary key.
      const ids = Array.from({ length: 400 }, (_, i) => (i === 301 ? "scan_300" : `scan_${i}`));
      for (const id of ids) recorder.record({ scans: [scan(id)] });
      await recorder.flush();
      const written = await count();
      assert.ok(written > 0 && written <= 300, `the transactions before the failing one are committed (${written})`);
      assert.equal(recorder.queued, 400 - written, "nothing after the failure was dropped");
      await new Promise((r) => setImmediate(r));
      assert.equal(announced.length, written, "only committed records are announced");
    });
  });
});
