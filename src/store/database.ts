// Opens the store selected by configuration: the embedded SQLite file by default, or PostgreSQL
// when CLAWNEX_DATABASE_URL is set. Both run the same migrations and the same Kysely queries.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { migrateToLatest } from "./migrations.ts";
import { kyselyRowWriter, type RowWriter, SqliteRowWriter } from "./row-writer.ts";
import type { Database } from "./schema.ts";
import { NodeSqliteDatabase } from "./sqlite-adapter.ts";
import { type KeysVersion, sqliteKeysVersion } from "./sqlite-keys-version.ts";
import { startWalCheckpointer, type WalCheckpointer } from "./wal-checkpointer.ts";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Location for humans: the SQLite file path, or the PostgreSQL URL without credentials. */
  location: string;
  /**
   * SQLite only: a number that changes whenever any connection (another process, such as the CLI)
   * commits a change to API keys (migration 0009's triggers). Lets the key cache on the hot path
   * see such changes on the very next request, without being emptied by unrelated writes.
   */
  externalChanges?: () => number;
  /**
   * SQLite only, for long-running servers: checkpoint the WAL on a worker thread instead of inside
   * whichever commit crosses SQLite's threshold (a stall of the event loop). Stopped by close().
   */
  checkpointInBackground?: (intervalMs?: number, onError?: (message: string) => void) => void;
  /**
   * Batched inserts off the request path (see row-writer.ts): on SQLite a writer thread with its
   * own connection, on PostgreSQL this store's pool. close() waits for writes in flight.
   */
  writer: RowWriter;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
}

export const SQLITE_FILE_NAME = "clawnex.db";

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "postgres://(unparseable url)";
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  let location: string;
  let externalChanges: (() => number) | undefined;
  let checkpointInBackground: Store["checkpointInBackground"];
  let checkpointer: WalCheckpointer | undefined;
  let keysVersion: KeysVersion | undefined;
  let writer: RowWriter;
  if (options.databaseUrl) {
    dialect = "postgres";
    location = redactUrl(options.databaseUrl);
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle connection the server drops (restart, failover, admin kill) is reported here; with
    // no listener it would crash the process. The pool discards it and the next query reconnects.
    pool.on("error", () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    writer = kyselyRowWriter(db);
  } else {
    dialect = "sqlite";
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    location = join(options.dataDir, SQLITE_FILE_NAME);
    const database = new NodeSqliteDatabase(location);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    keysVersion = sqliteKeysVersion(database.raw, location);
    externalChanges = keysVersion.read;
    const file = location;
    writer = new SqliteRowWriter(file, kyselyRowWriter(db, true));
    checkpointInBackground = (intervalMs = 1000, onError) => {
      checkpointer ??= startWalCheckpointer(database.raw, file, intervalMs, onError);
    };
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const close = async () => {
    // The writer first: its last rows are then in the WAL the final checkpoint copies.
    await writer.close();
    await checkpointer?.stop();
    await db.destroy();
    keysVersion?.close();
  };
  return { db, dialect, location, writer, ...(externalChanges ? { externalChanges } : {}), ...(checkpointInBackground ? { checkpointInBackground } : {}), close };
}
