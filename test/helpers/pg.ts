// Test backends: every store/auth/audit suite runs against a fresh SQLite file, and against a
// fresh PostgreSQL database when CLAWNEX_TEST_DATABASE_URL points at a server we may create
// databases on (scripts/start-test-postgres.sh starts a throwaway one and prints its URL).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { type Dialect, openStore, type Store } from "../../src/store/database.ts";

export const PG_TEST_URL = process.env.CLAWNEX_TEST_DATABASE_URL;
export const PG_SKIP_REASON = "CLAWNEX_TEST_DATABASE_URL is not set: PostgreSQL backend not tested (see scripts/start-test-postgres.sh)";

export interface TestStore extends Store {
  /** CLI environment (for main([...], io)) that opens this same database. */
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** An independent second connection to the same database, like another process would have. */
  connect(): Promise<Store>;
}

export interface TestBackend {
  dialect: Dialect;
  /** A fresh, empty, migrated database; closed and deleted after the suite. */
  fresh(): Promise<TestStore>;
}

type Cleanup = () => Promise<void>;

/** Makes close() safe to call twice: tests may close early, the suite's cleanup closes again. */
function closeOnce(store: Store): Store {
  let closing: Promise<void> | undefined;
  return { ...store, close: () => (closing ??= store.close()) };
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database on the server at `serverUrl`; returns its URL and a dropper. */
export async function createPgDatabase(serverUrl: string): Promise<{ url: string; drop: Cleanup }> {
  const name = `clawnex_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await withAdminClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  return { url: url.toString(), drop };
}

async function freshStore(dialect: Dialect, cleanups: Cleanup[]): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), "clawnex-test-"));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  if (dialect === "postgres") {
    if (!PG_TEST_URL) throw new Error(PG_SKIP_REASON);
    const created = await createPgDatabase(PG_TEST_URL);
    cleanups.push(created.drop);
    databaseUrl = created.url;
  }
  const connect = async () => {
    const store = closeOnce(await openStore({ dataDir, databaseUrl }));
    cleanups.push(store.close);
    return store;
  };
  const store = await connect();
  const env: NodeJS.ProcessEnv = databaseUrl ? { CLAWNEX_DATA_DIR: dataDir, CLAWNEX_DATABASE_URL: databaseUrl } : { CLAWNEX_DATA_DIR: dataDir };
  return { ...store, env, dataDir, connect };
}

/**
 * Registers `fn`'s tests once per backend: always for SQLite, and for PostgreSQL when
 * CLAWNEX_TEST_DATABASE_URL is set (otherwise the suite is reported as skipped, with the reason).
 */
export function forEachBackend(name: string, fn: (backend: TestBackend) => void): void {
  for (const dialect of ["sqlite", "postgres"] as const) {
    if (dialect === "postgres" && !PG_TEST_URL) {
      // A skipped test (not a skipped suite) so the runner's summary counts it under "skipped".
      test(`${name} [${dialect}]`, { skip: PG_SKIP_REASON }, () => {});
      continue;
    }
    describe(`${name} [${dialect}]`, () => {
      const cleanups: Cleanup[] = [];
      after(async () => {
        // Connections close before their database is dropped and their directory removed.
        for (const cleanup of cleanups.reverse()) await cleanup();
      });
      fn({ dialect, fresh: () => freshStore(dialect, cleanups) });
    });
  }
}

/** Drops the append-only triggers, as an attacker with direct database access could. */
export async function dropAuditTriggers(store: Store): Promise<void> {
  if (store.dialect === "sqlite") {
    await sql`DROP TRIGGER audit_events_no_update`.execute(store.db);
    await sql`DROP TRIGGER audit_events_no_delete`.execute(store.db);
  } else {
    await sql`DROP TRIGGER audit_events_append_only ON audit_events`.execute(store.db);
  }
}
