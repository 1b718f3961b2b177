// A counter that moves whenever an API key's row changes in a way authentication depends on, kept
// by triggers (so any connection's change counts: the CLI, another process, a hand edit). The
// SQLite server caches key rows and reads this one-row table per request to see such a change at
// once. It used to read PRAGMA data_version instead, which moves on *every* commit by another
// connection; since traffic rows are written by a thread with its own connection, that emptied
// the key cache after every traffic batch. last_used_at (touched once a minute) is left out.
// PostgreSQL keeps no such cache (keys are read per request), so it needs nothing here.
import { type Kysely, sql } from "kysely";
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = (dialect) => ({
  async up(db: Kysely<unknown>) {
    if (dialect !== "sqlite") return;
    await sql`CREATE TABLE api_keys_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`.execute(db);
    await sql`INSERT INTO api_keys_version (id, version) VALUES (1, 0)`.execute(db);
    const bump = sql`BEGIN UPDATE api_keys_version SET version = version + 1 WHERE id = 1; END`;
    await sql`CREATE TRIGGER api_keys_version_insert AFTER INSERT ON api_keys ${bump}`.execute(db);
    await sql`CREATE TRIGGER api_keys_version_delete AFTER DELETE ON api_keys ${bump}`.execute(db);
    await sql`CREATE TRIGGER api_keys_version_update AFTER UPDATE OF id, workspace, name, prefix, key_hash, scopes, created_at, expires_at, revoked_at ON api_keys ${bump}`.execute(db);
  },
});
