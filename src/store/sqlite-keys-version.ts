// The SQLite key version (migration 0009: bumped by triggers on every change to api_keys), read
// on every authenticated request. A read transaction costs 15-50 µs on a server whose writer
// thread commits all the time; most requests need none. In WAL mode every commit, by any
// connection of any process, rewrites the WAL-index header at the start of the "-shm" file
// (walIndexWriteHdr increments its change counter; https://www.sqlite.org/walformat.html), which
// every connection maps shared. If the header's first copy is byte for byte what it was when the
// version was last read, no transaction has committed since, so that version is still current.
// The header is read before the version, so a commit landing between the two shows up as a
// changed header on the next call: the check can only cause an extra read, never a stale answer.
// Without a "-shm" file (not WAL mode) every call reads the version.
import { closeSync, openSync, readSync } from "node:fs";
import type { DatabaseSync, StatementSync } from "node:sqlite";

/** The first of the two copies of the WAL-index header (WalIndexHdr). */
const HEADER_BYTES = 48;

export interface KeysVersion {
  read(): number;
  /** Closes the "-shm" file descriptor (the database connection is the caller's). */
  close(): void;
}

export function sqliteKeysVersion(database: DatabaseSync, file: string): KeysVersion {
  let statement: StatementSync | undefined;
  let shm: number | null | undefined;
  const seenHeader = Buffer.alloc(HEADER_BYTES);
  const header = Buffer.alloc(HEADER_BYTES);
  let seenValid = false;
  let version = 0;
  const read = (): number => {
    const headerRead = typeof shm === "number" && readSync(shm, header, 0, HEADER_BYTES, 0) === HEADER_BYTES;
    if (headerRead && seenValid && header.equals(seenHeader)) return version;
    // Prepared on first use: the table exists once the migrations have run.
    statement ??= database.prepare("SELECT version FROM api_keys_version WHERE id = 1");
    version = Number((statement.get() as { version: number }).version);
    seenValid = headerRead;
    if (headerRead) header.copy(seenHeader);
    if (shm === undefined) {
      // After a read the connection has the WAL open, and with it the "-shm" file, if any.
      try {
        shm = openSync(`${file}-shm`, "r");
      } catch {
        shm = null;
      }
    }
    return version;
  };
  return {
    read,
    close() {
      if (typeof shm === "number") closeSync(shm);
      shm = null;
    },
  };
}
