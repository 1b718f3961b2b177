// Adapts the built-in node:sqlite (no native addon) to the small interface Kysely's
// SqliteDialect expects from better-sqlite3.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Per-connection settings every connection of the server's process uses (the row writer's too):
 * synchronous is per connection, and FULL would fsync every commit.
 */
export const CONNECTION_PRAGMAS = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

type SqlValue = null | number | bigint | string | Uint8Array;

export function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "string" || value instanceof Uint8Array) {
    return value;
  }
  return JSON.stringify(value);
}

class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #statement: StatementSync;

  constructor(statement: StatementSync) {
    this.#statement = statement;
    this.reader = statement.columns().length > 0;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#statement.all(...parameters.map(toSqlValue));
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#statement.run(...parameters.map(toSqlValue));
  }

  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#statement.iterate(...parameters.map(toSqlValue)) as IterableIterator<unknown>;
  }
}

export class NodeSqliteDatabase implements SqliteDatabase {
  readonly raw: DatabaseSync;
  readonly #cache = new Map<string, NodeSqliteStatement>();

  constructor(path: string) {
    this.raw = new DatabaseSync(path);
    // WAL lets the CLI and the server use the same file at once; busy_timeout makes a writer
    // wait for the other instead of failing with SQLITE_BUSY.
    this.raw.exec(`PRAGMA journal_mode = WAL; ${CONNECTION_PRAGMAS}`);
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = new NodeSqliteStatement(this.raw.prepare(sql));
      if (this.#cache.size > 500) this.#cache.clear();
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.#cache.clear();
    this.raw.close();
  }
}
