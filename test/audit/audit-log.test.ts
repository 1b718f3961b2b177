import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { computeEventHash, GENESIS_HASH } from "../../src/audit/chain.ts";
import { AppError } from "../../src/errors.ts";
import { forEachBackend } from "../helpers/pg.ts";

function steppingClock(start = Date.parse("2024-05-01T00:00:00.000Z"), stepMs = 1000): () => Date {
  let now = start;
  return () => new Date((now += stepMs));
}

forEachBackend("audit log", (backend) => {
  test("appends a contiguous hash chain that verifies", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db, steppingClock());
    const first = await audit.append({ actor: "cli", action: "key.created", target: "key_1", details: { b: 2, a: { y: 1, x: [3, 2] } } });
    const second = await audit.append({ actor: "cli", action: "key.revoked", target: "key_1", workspace: "team" });
    const third = await audit.append({ actor: "server", action: "settings.changed" });
    assert.deepEqual([first.seq, second.seq, third.seq], [1, 2, 3]);
    assert.equal(first.prevHash, GENESIS_HASH);
    assert.equal(second.prevHash, first.hash);
    assert.equal(third.prevHash, second.hash);
    assert.equal(second.workspace, "team");
    assert.equal(third.target, null);
    assert.deepEqual(third.details, {});
    assert.match(first.hash, /^[0-9a-f]{64}$/);
    // Independent recomputation: the documented field set, canonical JSON, sha256.
    assert.equal(first.hash, computeEventHash({ ...first, prev_hash: first.prevHash }));
    assert.deepEqual(await audit.verify(), { ok: true, count: 3, head: { seq: 3, hash: third.hash } });
    assert.deepEqual(await audit.head(), { seq: 3, hash: third.hash });
  });

  test("an empty log verifies", async () => {
    const store = await backend.fresh();
    assert.deepEqual(await new AuditLog(store.db).verify(), { ok: true, count: 0, head: null });
  });

  test("anything shaped like a full API key is reduced to its prefix in details", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    const leaked = `cnx_AbCdEfGh_${"x".repeat(32)}`;
    const event = await audit.append({ actor: "cli", action: "oops", details: { note: `key was ${leaked}` } });
    assert.equal(event.details.note, "key was cnx_AbCdEfGh_[redacted]");
    const rows = await store.db.selectFrom("audit_events").select("details").execute();
    assert.ok(!JSON.stringify(rows).includes(leaked));
    assert.equal((await audit.verify()).ok, true);
  });

  test("list pages by opaque cursor in seq order and filters by time", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db, steppingClock(Date.parse("2024-05-01T00:00:00.000Z"), 60_000));
    for (let i = 0; i < 7; i++) await audit.append({ actor: "cli", action: `a.${i}`, workspace: i % 2 ? "odd" : "default" });
    const seen: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await audit.list({ limit: 3, cursor });
      seen.push(...page.events.map((e) => e.seq));
      if (!page.nextCursor) break;
      assert.match(page.nextCursor, /^[A-Za-z0-9_-]+$/);
      cursor = page.nextCursor;
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
    // Events are at 00:01, 00:02, ... 00:07.
    const window = await audit.list({ since: "2024-05-01T00:03:00Z", until: "2024-05-01T00:05:00Z" });
    assert.deepEqual(window.events.map((e) => e.seq), [3, 4]);
    assert.equal(window.nextCursor, null);
    const odd = await audit.list({ workspace: "odd" });
    assert.deepEqual(odd.events.map((e) => e.seq), [2, 4, 6]);
  });

  test("list rejects a bad cursor, bad timestamps and bad limits as invalid_request", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    const isInvalid = (err: unknown) => err instanceof AppError && err.code === "invalid_request";
    await assert.rejects(audit.list({ cursor: "not a cursor!" }), isInvalid);
    await assert.rejects(audit.list({ cursor: Buffer.from("1; drop table").toString("base64url") }), isInvalid);
    await assert.rejects(audit.list({ since: "yesterday" }), isInvalid);
    await assert.rejects(audit.list({ limit: 0 }), isInvalid);
    await assert.rejects(audit.list({ limit: 1001 }), isInvalid);
    await assert.rejects(audit.list({ limit: 2.5 }), isInvalid);
  });

  test("appends from two connections (server and CLI) interleave into one valid chain", async () => {
    const store = await backend.fresh();
    const other = await store.connect();
    const a = new AuditLog(store.db);
    const b = new AuditLog(other.db);
    // Sequential alternation across connections: each must see the other's head.
    for (let i = 0; i < 6; i++) await (i % 2 ? b : a).append({ actor: i % 2 ? "cli" : "server", action: `step.${i}` });
    const result = await a.verify();
    assert.deepEqual(result.ok && result.count, 6);
    const page = await b.list();
    assert.deepEqual(page.events.map((e) => e.actor), ["server", "cli", "server", "cli", "server", "cli"]);
  });

  test("a failed transaction leaves neither its changes nor its audit event", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    await audit.append({ actor: "cli", action: "before" });
    await assert.rejects(
      audit.transaction(async (trx, append) => {
        await append({ actor: "cli", action: "doomed" });
        await trx.insertInto("settings").values({ key: "doomed", value: "1", updated_at: "now" }).execute();
        throw new Error("boom");
      }),
      /boom/,
    );
    const events = (await audit.list()).events.map((e) => e.action);
    assert.deepEqual(events, ["before"]);
    assert.equal(await store.db.selectFrom("settings").selectAll().where("key", "=", "doomed").executeTakeFirst(), undefined);
    assert.deepEqual(await audit.verify(), { ok: true, count: 1, head: await audit.head() });
    // The connection is usable again (no transaction left open).
    assert.equal((await audit.append({ actor: "cli", action: "after" })).seq, 2);
  });

  test("the database itself refuses to rewrite or delete audit events", async () => {
    const store = await backend.fresh();
    const audit = new AuditLog(store.db);
    await audit.append({ actor: "cli", action: "x" });
    await assert.rejects(sql`UPDATE audit_events SET details = '{"forged":true}'`.execute(store.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_events WHERE seq = 1`.execute(store.db), /append-only/);
    assert.equal((await audit.verify()).ok, true);
  });
});
