// The key version the server checks on every request (sqlite-keys-version.ts) may skip its read
// transaction only while no connection has committed anything. What the key cache relies on: the
// version it returns is always the one a fresh read would give, whatever other connections commit
// and in whatever order; and reads are in fact skipped between commits (else it is the slow path).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { openStore } from "../../src/store/database.ts";
import { sqliteKeysVersion } from "../../src/store/sqlite-keys-version.ts";

/** A migrated SQLite store file in WAL mode, as the server has it. */
async function migratedFile(): Promise<{ file: string; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-keys-version-"));
  const store = await openStore({ dataDir: dir });
  await store.close();
  return { file: store.location, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The server's connection, counting the statements it runs. */
function countingConnection(file: string): { database: DatabaseSync; reads: () => number } {
  const database = new DatabaseSync(file);
  let reads = 0;
  const prepare = database.prepare.bind(database);
  database.prepare = (sql: string) => {
    const statement = prepare(sql);
    const get = statement.get.bind(statement) as (...args: SQLInputValue[]) => ReturnType<typeof statement.get>;
    statement.get = ((...args: SQLInputValue[]) => {
      reads++;
      return get(...args);
    }) as typeof statement.get;
    return statement;
  };
  return { database, reads: () => reads };
}

const truth = (file: string): number => {
  const fresh = new DatabaseSync(file);
  try {
    return Number((fresh.prepare("SELECT version FROM api_keys_version WHERE id = 1").get() as { version: number }).version);
  } finally {
    fresh.close();
  }
};

const keyRow = (n: number) => [`key_${n}`, "default", `k${n}`, `cnx_${n}`, "00", "[]", new Date().toISOString()];
const INSERT_KEY = "INSERT INTO api_keys (id, workspace, name, prefix, key_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)";

test("the key version is always what a fresh read gives, whatever other connections commit", async () => {
  const { file, done } = await migratedFile();
  const server = countingConnection(file);
  const version = sqliteKeysVersion(server.database, file);
  const other = new DatabaseSync(file);
  other.exec("PRAGMA busy_timeout = 5000");
  let n = 0;
  const ops = fc.constantFrom("key-insert", "key-revoke", "unrelated-commit", "server-commit", "checkpoint", "read");
  try {
    fc.assert(
      fc.property(fc.array(ops, { minLength: 1, maxLength: 30 }), (steps) => {
        for (const step of steps) {
          if (step === "key-insert") other.prepare(INSERT_KEY).run(...keyRow(++n));
          else if (step === "key-revoke" && n > 0) other.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").run(new Date().toISOString(), `key_${n}`);
          else if (step === "unrelated-commit") other.prepare("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('x', ?, ?)").run(String(n), new Date().toISOString());
          else if (step === "server-commit") server.database.prepare("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('y', ?, ?)").run(String(n), new Date().toISOString());
          else if (step === "checkpoint") other.exec("PRAGMA wal_checkpoint(TRUNCATE)");
          assert.equal(version.read(), truth(file), `after ${step}`);
        }
      }),
      { numRuns: 60 },
    );
    // With nothing committed in between, the version is not read again.
    version.read();
    const before = server.reads();
    for (let k = 0; k < 100; k++) version.read();
    assert.equal(server.reads(), before);
    other.prepare(INSERT_KEY).run(...keyRow(++n));
    assert.equal(version.read(), truth(file));
    assert.equal(server.reads(), before + 1);
  } finally {
    version.close();
    other.close();
    server.database.close();
    done();
  }
});

test("a key change committed by another process is seen on the next read", async () => {
  const { file, done } = await migratedFile();
  const server = new DatabaseSync(file);
  const version = sqliteKeysVersion(server, file);
  try {
    const start = version.read();
    for (let k = 1; k <= 3; k++) {
      const script = `const { DatabaseSync } = require("node:sqlite"); const db = new DatabaseSync(${JSON.stringify(file)}); db.prepare(${JSON.stringify(INSERT_KEY)}).run(...${JSON.stringify(keyRow(k))}); db.close();`;
      const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(version.read(), start + k);
    }
  } finally {
    version.close();
    server.close();
    done();
  }
});

test("without WAL mode (no -shm file) every read goes to the database", async () => {
  const dir = mkdtempSync(join(tmpdir(), "clawnex-keys-version-"));
  const file = join(dir, "plain.db");
  const setup = new DatabaseSync(file);
  setup.exec("PRAGMA journal_mode = DELETE; CREATE TABLE api_keys_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL); INSERT INTO api_keys_version VALUES (1, 7)");
  const server = countingConnection(file);
  const version = sqliteKeysVersion(server.database, file);
  try {
    assert.equal(version.read(), 7);
    setup.exec("UPDATE api_keys_version SET version = 8");
    assert.equal(version.read(), 8);
    assert.equal(server.reads(), 2);
  } finally {
    version.close();
    setup.close();
    server.database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
