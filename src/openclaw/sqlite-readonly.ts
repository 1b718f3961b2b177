// Opens one of OpenClaw's SQLite databases without ever writing to OpenClaw's state. Even a
// read-only SQLite connection creates the -wal and -shm companions of a WAL database when they are
// missing, owned by whoever runs ClawNex, which could lock OpenClaw out of its own store. So:
// while OpenClaw has the WAL open (the files exist) attach read-only like any reader; when they are
// absent (no writer) open immutable, which creates nothing.
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";

export function openReadOnly(path: string): DatabaseSync {
  const url = pathToFileURL(path);
  if (!existsSync(`${path}-wal`)) url.searchParams.set("immutable", "1");
  const db = new DatabaseSync(url, { readOnly: true });
  db.exec("PRAGMA busy_timeout = 2000");
  return db;
}

export function tableNames(db: DatabaseSync): Set<string> {
  return new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
}
