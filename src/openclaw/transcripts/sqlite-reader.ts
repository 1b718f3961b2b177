// Reads an agent's transcript store (agents/<id>/agent/openclaw-agent.sqlite, agent schema 23 in
// OpenClaw 2026.9.6) strictly read-only: `transcript_events` holds one JSON event per row, either
// as `event_json` text or, for events from 1 KiB up, as level-1 zstd in `event_zstd` with its
// decoded size in `event_utf8_bytes`. Selecting event_json alone would miss those rows.
// Opened with openReadOnly (see ../sqlite-readonly.ts): nothing is ever written to OpenClaw's state.
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { zstdDecompressSync } from "node:zlib";
import { openReadOnly, tableNames } from "../sqlite-readonly.ts";

export interface SessionHead {
  sessionId: string;
  sessionKey: string | null;
  maxSeq: number;
}

export type SqliteEvent =
  | { seq: number; kind: "event"; text: string }
  /** Too large to decode within the limit, or a compressed payload that does not decode. */
  | { seq: number; kind: "oversized" | "undecodable" };

interface EventRow {
  seq: number | bigint;
  event_json: string | null;
  event_zstd: Uint8Array | null;
  event_utf8_bytes: number | bigint | null;
}

export class AgentTranscriptDb {
  readonly #db: DatabaseSync;
  readonly #read: StatementSync;
  readonly #maxSeq: StatementSync;
  readonly #hasWindows: boolean;

  constructor(path: string) {
    this.#db = openReadOnly(path);
    const tables = tableNames(this.#db);
    if (!tables.has("transcript_events")) {
      this.#db.close();
      throw new Error("not an OpenClaw agent database (no transcript_events table)");
    }
    this.#hasWindows = tables.has("session_windows");
    this.#read = this.#db.prepare(
      "SELECT seq, event_json, event_zstd, event_utf8_bytes FROM transcript_events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    );
    this.#maxSeq = this.#db.prepare("SELECT max(seq) AS max_seq FROM transcript_events WHERE session_id = ?");
  }

  /** Every session with its newest seq (cheap: one indexed max per session). */
  sessions(): SessionHead[] {
    if (this.#hasWindows) {
      const rows = this.#db.prepare("SELECT session_id, session_key FROM session_windows ORDER BY created_at, session_id").all() as Array<{ session_id: string; session_key: string | null }>;
      return rows.map((r) => {
        const max = (this.#maxSeq.get(r.session_id) as { max_seq: number | bigint | null } | undefined)?.max_seq;
        return { sessionId: r.session_id, sessionKey: r.session_key, maxSeq: max === null || max === undefined ? -1 : Number(max) };
      });
    }
    const rows = this.#db.prepare("SELECT session_id, max(seq) AS max_seq FROM transcript_events GROUP BY session_id").all() as Array<{ session_id: string; max_seq: number | bigint }>;
    return rows.map((r) => ({ sessionId: r.session_id, sessionKey: null, maxSeq: Number(r.max_seq) }));
  }

  /** OpenClaw's version as recorded in schema_meta (app_version), when present. */
  appVersion(): string | null {
    try {
      const row = this.#db.prepare("SELECT app_version FROM schema_meta WHERE app_version IS NOT NULL ORDER BY updated_at DESC LIMIT 1").get() as { app_version: string } | undefined;
      return row?.app_version ?? null;
    } catch {
      return null;
    }
  }

  readEvents(sessionId: string, afterSeq: number, limit: number, maxEventBytes: number): SqliteEvent[] {
    const rows = this.#read.all(sessionId, afterSeq, limit) as unknown as EventRow[];
    return rows.map((row): SqliteEvent => {
      const seq = Number(row.seq);
      if (row.event_json !== null) {
        return Buffer.byteLength(row.event_json) > maxEventBytes ? { seq, kind: "oversized" } : { seq, kind: "event", text: row.event_json };
      }
      if (row.event_zstd === null) return { seq, kind: "undecodable" };
      const declared = row.event_utf8_bytes === null ? null : Number(row.event_utf8_bytes);
      if (declared !== null && declared > maxEventBytes) return { seq, kind: "oversized" };
      try {
        const text = zstdDecompressSync(row.event_zstd, { maxOutputLength: maxEventBytes }).toString("utf8");
        return { seq, kind: "event", text };
      } catch {
        return { seq, kind: "undecodable" };
      }
    });
  }

  close(): void {
    this.#db.close();
  }
}
