// Opens the store selected by configuration: the embedded SQLite file by default, or PostgreSQL
// when CLAWNEX_DATABASE_URL is set. Both run the same migrations and the same Kysely queries.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { migrateToLatest } from "./migrations.ts";
import type { Database } from "./schema.ts";
import { NodeSqliteDatabase } from "./sqlite-adapter.ts";

export type Dialect = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Location for humans: the SQLite file path, or the PostgreSQL URL without credentials. */
  location: string;
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
  if (options.databaseUrl) {
    dialect = "postgres";
    location = redactUrl(options.databaseUrl);
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = "sqlite";
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    location = join(options.dataDir, SQLITE_FILE_NAME);
    const database = new NodeSqliteDatabase(location);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  }
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, dialect, location, close: () => db.destroy() };
}
