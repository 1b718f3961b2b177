// The SQLite row writer's thread (see row-writer.ts): inserts the rows it is sent on its own
// connection, so the server's event loop never waits for an insert or a commit. Requests are
// handled one at a time in arrival order; each transaction is BEGIN IMMEDIATE (it takes the write
// lock up front and waits for it under busy_timeout, where a deferred one that later needs to write
// could fail with SQLITE_BUSY) and is rolled back whole if any insert fails.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { PackedInsert, WriterReply, WriterRequest } from "./row-writer.ts";
import { CONNECTION_PRAGMAS, toSqlValue } from "./sqlite-adapter.ts";

const { path } = workerData as { path: string };
const db = new DatabaseSync(path);
db.exec(CONNECTION_PRAGMAS);

/** Table and column names come from the server's own code, never from input; checked all the same. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const statements = new Map<string, StatementSync>();

function statement(table: string, columns: string[], ignoreConflicts: boolean): StatementSync {
  const key = `${table}|${ignoreConflicts ? 1 : 0}|${columns.join(",")}`;
  let found = statements.get(key);
  if (!found) {
    for (const name of [table, ...columns]) if (!IDENTIFIER.test(name)) throw new Error(`invalid SQL identifier '${name}'`);
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})${ignoreConflicts ? " ON CONFLICT DO NOTHING" : ""}`;
    found = db.prepare(sql);
    if (statements.size > 200) statements.clear();
    statements.set(key, found);
  }
  return found;
}

function commit(transaction: PackedInsert[]): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const run of transaction) {
      const insert = statement(run.table, run.columns, run.ignoreConflicts);
      const width = run.columns.length;
      if (width === 0) throw new Error(`a row for '${run.table}' with no columns`);
      const row = new Array<ReturnType<typeof toSqlValue>>(width);
      for (let at = 0; at < run.values.length; at += width) {
        for (let c = 0; c < width; c++) row[c] = toSqlValue(run.values[at + c]);
        insert.run(...row);
      }
    }
    db.exec("COMMIT");
  } catch (err) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw err;
  }
}

parentPort?.on("message", (message: WriterRequest) => {
  if (message === "stop") {
    db.close();
    const stopped: WriterReply = "stopped";
    parentPort?.postMessage(stopped);
    return;
  }
  let committed = 0;
  let error: { message: string; code?: string } | undefined;
  for (const transaction of message.transactions) {
    try {
      commit(transaction);
      committed++;
    } catch (err) {
      const e = err as Error & { code?: unknown };
      error = { message: e.message, ...(typeof e.code === "string" ? { code: e.code } : {}) };
      break;
    }
  }
  const reply: WriterReply = { id: message.id, committed, ...(error ? { error } : {}) };
  parentPort?.postMessage(reply);
});
