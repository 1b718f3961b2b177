// The server checkpoints SQLite's WAL on a worker thread. What a user relies on: committed rows
// reach the database file itself (so the WAL does not grow forever and a copy of the file alone is
// complete), and close() leaves everything in the file.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { openStore } from "../../src/store/database.ts";

function rowsInMainFileOnly(dir: string): number {
  // Copy just clawnex.db, without -wal: only checkpointed pages are in it.
  const copy = join(dir, "copy.db");
  copyFileSync(join(dir, "clawnex.db"), copy);
  const db = new DatabaseSync(copy);
  try {
    return Number((db.prepare("SELECT count(*) AS n FROM wal_probe").get() as { n: number }).n);
  } catch {
    return 0; // the table itself is not checkpointed yet
  } finally {
    db.close();
    rmSync(copy, { force: true });
  }
}

test("with background checkpoints, committed rows reach the database file without a commit paying for it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-wal-"));
  try {
    const store = await openStore({ dataDir: dir });
    assert.ok(store.checkpointInBackground, "SQLite stores offer background checkpoints");
    const errors: string[] = [];
    store.checkpointInBackground(50, (m) => errors.push(m));
    await sql`CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, v TEXT)`.execute(store.db);
    for (let i = 0; i < 200; i++) await sql`INSERT INTO wal_probe (v) VALUES (${`row ${i}`})`.execute(store.db);
    let seen = 0;
    for (let attempt = 0; attempt < 100 && seen < 200; attempt++) {
      await sleep(50);
      seen = rowsInMainFileOnly(dir);
    }
    assert.equal(seen, 200, "the worker copied the WAL into the file");
    for (let i = 0; i < 50; i++) await sql`INSERT INTO wal_probe (v) VALUES (${`late ${i}`})`.execute(store.db);
    await store.close();
    assert.equal(rowsInMainFileOnly(dir), 250, "close() checkpoints what is left");
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
