// The SIEM polling contract: a reader that polls with since=next_cursor gets every alert exactly
// once, in order, while alerts are being created between (and during) its polls — including by a
// second connection to the same database, as a second process (CLI, another server) would be.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SettingsStore } from "../../src/settings/settings-store.ts";
import { CursorCodec } from "../../src/http/cursor.ts";
import { AlertService } from "../../src/soc/alerts/alert-service.ts";
import { SeqCursor } from "../../src/soc/feed.ts";
import { forEachBackend } from "../helpers/pg.ts";
import { openSoc } from "./harness.ts";

function blocked(agent: string, i: number) {
  return { source: "shield", kind: "shield.detection", agent, target: `rule.${i}`, severity: "high" as const, category: "test", summary: "blocked", attributes: { verdict: "BLOCK", direction: "inbound", content: "user" } };
}

forEachBackend("alert feed polling", (backend) => {
  test("each alert is returned exactly once while two writers insert between and during polls", async () => {
    const store = await backend.fresh();
    const second = await store.connect();
    const a = await openSoc({ store, batchSize: 7 });
    const b = await openSoc({ store: second, batchSize: 3 });
    a.clock.now = b.clock.now = new Date();
    const cursors = await CursorCodec.fromSettings(new SettingsStore(store.db));
    const feed = new AlertService(store.db, a.audit, new SeqCursor(cursors, "alerts"));

    const perWriter = 120;
    let done = false;
    const writer = async (soc: typeof a, agent: string) => {
      for (let i = 0; i < perWriter; i++) {
        await soc.engine.pipeline.ingestEvent(blocked(agent, i));
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
    };
    const seen: number[] = [];
    const ids = new Set<string>();
    let since: string | undefined;
    const poll = async () => {
      for (;;) {
        const page = await feed.list("default", {}, { limit: 25, order: "asc", cursor: since });
        for (const alert of page.data) {
          assert.ok(!ids.has(alert.id), `alert ${alert.id} returned twice`);
          ids.add(alert.id);
          seen.push(alert.seq);
        }
        since = page.next_cursor ?? since;
        if (!page.has_more) return;
      }
    };
    const poller = (async () => {
      while (!done) {
        await poll();
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await Promise.all([writer(a, "agent-a"), writer(b, "agent-b"), writer(a, "agent-c")]);
    done = true;
    await poller;
    await poll();

    assert.equal(ids.size, perWriter * 3, "every alert seen");
    assert.deepEqual(seen, [...seen].sort((x, y) => x - y), "in seq order");
    const total = await store.db.selectFrom("soc_alerts").select((eb) => eb.fn.countAll<string | number>().as("n")).executeTakeFirst();
    assert.equal(Number(total?.n), perWriter * 3);
    // Nothing new: an empty page that keeps the position.
    const empty = await feed.list("default", {}, { limit: 25, order: "asc", cursor: since });
    assert.equal(empty.data.length, 0);
    assert.equal(empty.has_more, false);
    assert.equal(empty.next_cursor, since);
    await b.close();
    await a.close();
  });
});
