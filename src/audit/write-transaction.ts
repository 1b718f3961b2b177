// Serialized write transactions that work across processes. The server and the CLI may append
// to the same audit chain at the same moment (one SQLite file in WAL mode, or one PostgreSQL
// database), and a chain append is read-the-head-then-insert, so two appenders must not
// interleave. Each dialect gets its own lock that is held for the whole transaction; on top of
// that, transient conflicts (busy database, unique-key race) are retried a bounded number of times.
import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Dialect } from "../store/database.ts";
import type { Database } from "../store/schema.ts";

/** Arbitrary constant naming ClawNex's audit lock among PostgreSQL advisory locks ("cnxaudit"). */
const PG_AUDIT_LOCK_ID = 0x636e786175646974n;
const MAX_ATTEMPTS = 6;

export function detectDialect(db: Kysely<Database>): Dialect {
  // getExecutor() is marked internal in Kysely's docs, but it is the only handle on the dialect
  // adapter and keeps these classes' constructors as plain (db, clock).
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** Conflicts that a fresh attempt can succeed after, by SQLite extended code or PostgreSQL SQLSTATE. */
export function isRetryableWriteError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { errcode, code } = err as { errcode?: unknown; code?: unknown };
  if (typeof errcode === "number") {
    const primary = errcode & 0xff;
    // SQLITE_BUSY (incl. BUSY_SNAPSHOT), SQLITE_LOCKED, CONSTRAINT_PRIMARYKEY, CONSTRAINT_UNIQUE
    return primary === 5 || primary === 6 || errcode === 1555 || errcode === 2067;
  }
  // unique_violation, serialization_failure, deadlock_detected
  return code === "23505" || code === "40001" || code === "40P01";
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function sqliteImmediate<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  // Kysely's own transaction() issues a deferred BEGIN: its read snapshot can go stale before the
  // first write, which SQLite reports as BUSY_SNAPSHOT without waiting. BEGIN IMMEDIATE takes the
  // write lock up front and honours busy_timeout, so cross-process appenders queue instead.
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      // The original error is the one worth reporting. SQLite may already have rolled back by
      // itself (it does on some I/O errors), in which case this rollback fails harmlessly; what
      // matters is that the shared connection is never left inside an open transaction.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}

async function postgresLocked<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // Released automatically at commit/rollback; READ COMMITTED statements after it see the
    // previous holder's committed rows.
    await sql`select pg_advisory_xact_lock(${PG_AUDIT_LOCK_ID})`.execute(trx);
    return fn(trx);
  });
}

/**
 * Runs `fn` in a transaction holding the store-wide audit write lock, retrying transient
 * conflicts. `fn` may run more than once, so it must derive everything (ids, random keys) inside.
 * Inside `fn`, use only the `trx` handle: on SQLite `db` itself is blocked until `fn` returns.
 */
export async function withWriteLock<T>(db: Kysely<Database>, dialect: Dialect, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return dialect === "postgres" ? await postgresLocked(db, fn) : await sqliteImmediate(db, fn);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryableWriteError(err)) throw err;
      await sleep(5 * 2 ** attempt + Math.random() * 10);
    }
  }
}

/**
 * Runs `fn` against one consistent snapshot of the database, so a multi-query read (verify)
 * never mixes states from before and after a concurrent append.
 */
export async function withReadSnapshot<T>(db: Kysely<Database>, dialect: Dialect, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (dialect === "postgres") {
    return db.transaction().setIsolationLevel("repeatable read").execute(fn);
  }
  // A deferred SQLite transaction pins its WAL snapshot at the first read and never writes.
  return db.transaction().execute(fn);
}
