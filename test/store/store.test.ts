import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { openStore } from "../../src/store/database.ts";
import { forEachBackend } from "../helpers/pg.ts";

const EVENT = {
  seq: 1,
  id: "evt_1",
  ts: "2024-01-01T00:00:00.000Z",
  workspace: "default",
  actor: "test",
  action: "test.event",
  target: null,
  details: "{}",
  prev_hash: "0".repeat(64),
  hash: "f".repeat(64),
};

forEachBackend("store", (backend) => {
  test("migrations create every table and are idempotent on reopen", async () => {
    const store = await backend.fresh();
    for (const table of ["api_keys", "audit_events", "scans", "settings"] as const) {
      const rows = await store.db.selectFrom(table).selectAll().execute();
      assert.deepEqual(rows, [], `${table} starts empty`);
    }
    // A second open (the CLI while the server runs) re-runs the migrator without error.
    const second = await store.connect();
    assert.equal(second.dialect, backend.dialect);
    await second.close();
  });

  test("audit_events refuses UPDATE and DELETE while the triggers exist", async () => {
    const store = await backend.fresh();
    await store.db.insertInto("audit_events").values(EVENT).execute();
    await assert.rejects(sql`UPDATE audit_events SET actor = 'mallory'`.execute(store.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_events`.execute(store.db), /append-only/);
    await assert.rejects(store.db.updateTable("audit_events").set({ details: '{"x":1}' }).where("seq", "=", 1).execute(), /append-only/);
    await assert.rejects(store.db.deleteFrom("audit_events").where("seq", "=", 1).execute(), /append-only/);
    const rows = await store.db.selectFrom("audit_events").selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.actor, "test");
  });

  test("api_keys.prefix and audit_events.seq are unique", async () => {
    const store = await backend.fresh();
    const key = {
      id: "key_a",
      workspace: "default",
      name: "a",
      prefix: "cnx_AAAAAAAA",
      key_hash: "0".repeat(64),
      scopes: "[]",
      created_at: "2024-01-01T00:00:00.000Z",
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
    };
    await store.db.insertInto("api_keys").values(key).execute();
    await assert.rejects(store.db.insertInto("api_keys").values({ ...key, id: "key_b" }).execute());
    await store.db.insertInto("audit_events").values(EVENT).execute();
    await assert.rejects(store.db.insertInto("audit_events").values({ ...EVENT, id: "evt_2" }).execute());
  });

  test("settings upsert works on this dialect", async () => {
    const store = await backend.fresh();
    for (const value of ["one", "two"]) {
      await store.db
        .insertInto("settings")
        .values({ key: "k", value, updated_at: "2024-01-01T00:00:00.000Z" })
        .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
        .execute();
    }
    const rows = await store.db.selectFrom("settings").selectAll().execute();
    assert.deepEqual(rows.map((r) => r.value), ["two"]);
  });
});

test("openStore rejects an unreachable PostgreSQL server with a clear error", async () => {
  await assert.rejects(openStore({ dataDir: "/nonexistent", databaseUrl: "postgres://nobody@127.0.0.1:1/none" }), /ECONNREFUSED|connect/);
});
