// The store's row writer (SQLite: a thread with its own connection; PostgreSQL: the pool). What
// callers rely on: once write() resolves, this process's own queries see the rows; transactions
// are all or nothing, in order, and the count of committed ones is exact; close() waits for every
// write already handed over, so nothing acknowledged is lost on shutdown; and with the writer
// thread gone, writes still succeed on the main connection. The writer's commits must not empty the
// server's key cache (its version moves on key changes only).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Insertable } from "kysely";
import { kyselyRowWriter, SqliteRowWriter } from "../../src/store/row-writer.ts";
import { openStore } from "../../src/store/database.ts";
import type { SettingsTable } from "../../src/store/schema.ts";
import { forEachBackend } from "../helpers/pg.ts";

const setting = (key: string): Insertable<SettingsTable> => ({ key, value: JSON.stringify({ key }), updated_at: new Date().toISOString() });

forEachBackend("row writer", (backend) => {
  test("rows are visible to the store's own queries as soon as write() resolves", async () => {
    const store = await backend.fresh();
    const result = await store.writer.write([[{ table: "settings", rows: [setting("a"), setting("b")] }], [{ table: "settings", rows: [setting("c")] }]]);
    assert.deepEqual(result, { committed: 2 });
    const keys = (await store.db.selectFrom("settings").select("key").orderBy("key").execute()).map((r) => r.key);
    assert.deepEqual(keys, ["a", "b", "c"]);
  });

  test("a failing transaction is rolled back whole; those before it stay, those after it are not run", async () => {
    const store = await backend.fresh();
    const result = await store.writer.write([
      [{ table: "settings", rows: [setting("first")] }],
      // "dup" twice: the second violates the primary key, so "x" and the first "dup" go too.
      [{ table: "settings", rows: [setting("x"), setting("dup"), setting("dup")] }],
      [{ table: "settings", rows: [setting("after")] }],
    ]);
    assert.equal(result.committed, 1);
    assert.ok(result.error instanceof Error);
    const keys = (await store.db.selectFrom("settings").select("key").execute()).map((r) => r.key);
    assert.deepEqual(keys, ["first"]);
  });

  test("rows of one table whose properties differ in order or in undefined ones land with their own values", async () => {
    const store = await backend.fresh();
    const at = new Date().toISOString();
    const rows = [
      { key: "a", value: "va", updated_at: at },
      { updated_at: at, value: "vb", key: "b" },
      { key: "c", value: "vc", updated_at: at, extra: undefined },
      { value: "vd", key: "d", updated_at: at },
      { key: "e", value: "ve", updated_at: at },
    ] as Array<Insertable<SettingsTable>>;
    assert.deepEqual(await store.writer.write([[{ table: "settings", rows }]]), { committed: 1 });
    const stored = await store.db.selectFrom("settings").select(["key", "value"]).orderBy("key").execute();
    assert.deepEqual(
      stored.map((r) => `${r.key}=${r.value}`),
      ["a=va", "b=vb", "c=vc", "d=vd", "e=ve"],
    );
  });

  test("ignoreConflicts keeps the first row of a key instead of failing", async () => {
    const store = await backend.fresh();
    await store.writer.write([[{ table: "settings", rows: [{ ...setting("k"), value: "1" }] }]]);
    const result = await store.writer.write([[{ table: "settings", rows: [{ ...setting("k"), value: "2" }, setting("other")], ignoreConflicts: true }]]);
    assert.deepEqual(result, { committed: 1 });
    const rows = await store.db.selectFrom("settings").select(["key", "value"]).orderBy("key").execute();
    assert.deepEqual(
      rows.map((r) => [r.key, r.value]),
      [
        ["k", "1"],
        ["other", JSON.stringify({ key: "other" })],
      ],
    );
  });

  test("close() waits for writes handed over and not yet answered: none is lost", async () => {
    const store = await backend.fresh();
    const writes = Array.from({ length: 40 }, (_, i) => store.writer.write([[{ table: "settings", rows: Array.from({ length: 25 }, (_, j) => setting(`w${i}_${j}`)) }]]));
    // Not awaited: close the whole store at once, as a shutdown does.
    await store.close();
    const results = await Promise.all(writes);
    assert.deepEqual(results.filter((r) => r.committed !== 1), [], "every write was committed");
    const reopened = await store.connect();
    const { n } = await reopened.db.selectFrom("settings").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    assert.equal(Number(n), 1000);
  });
});

test("SQLite: without its thread (it cannot start), writes go through the main connection and are not lost", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-writer-"));
  const store = await openStore({ dataDir });
  // A path the thread cannot open: it fails at start, like a crash would.
  const writer = new SqliteRowWriter(join(dataDir, "missing-dir", "nope.db"), kyselyRowWriter(store.db, true));
  try {
    const first = await writer.write([[{ table: "settings", rows: [setting("lost-thread")] }]]);
    assert.equal(first.committed, 0, "the write in flight when the thread died is reported as not written");
    assert.ok(first.error);
    const retried = await writer.write([[{ table: "settings", rows: [setting("lost-thread")] }], [{ table: "settings", rows: [setting("second")] }]]);
    assert.deepEqual(retried, { committed: 2 });
    const keys = (await store.db.selectFrom("settings").select("key").orderBy("key").execute()).map((r) => r.key);
    assert.deepEqual(keys, ["lost-thread", "second"]);
  } finally {
    await writer.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("SQLite: the key version moves on a key change from any connection, not on the writer's rows nor on last use", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-writer-"));
  const store = await openStore({ dataDir });
  const other = await openStore({ dataDir }); // like the CLI in another process
  try {
    const version = () => store.externalChanges?.();
    const key = { id: "key_1", workspace: "default", name: "k", prefix: "cnx_aaaaaaaa", key_hash: "00", scopes: "[]", created_at: new Date().toISOString(), expires_at: null, revoked_at: null, last_used_at: null };
    const v0 = version();
    await other.db.insertInto("api_keys").values(key).execute();
    const v1 = version();
    assert.notEqual(v1, v0, "a key created elsewhere");
    await store.writer.write([[{ table: "settings", rows: [setting("traffic-like")] }]]);
    await other.db.updateTable("api_keys").set({ last_used_at: new Date().toISOString() }).where("id", "=", "key_1").execute();
    assert.equal(version(), v1, "rows from the writer thread and last-use stamps leave cached keys valid");
    await other.db.updateTable("api_keys").set({ revoked_at: new Date().toISOString() }).where("id", "=", "key_1").execute();
    assert.notEqual(version(), v1, "a revocation elsewhere");
  } finally {
    await other.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
