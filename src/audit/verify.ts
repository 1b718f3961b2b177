// Walks the whole chain in seq order and reports the first event that breaks it. Runs inside one
// read snapshot (see withReadSnapshot) so a concurrent append cannot look like tampering.
import type { Kysely } from "kysely";
import type { Database } from "../store/schema.ts";
import { computeEventHash, GENESIS_HASH } from "./chain.ts";
import { isRecord } from "../json-record.ts";

export const HEAD_SETTING_KEY = "audit.head";

export interface ChainHead {
  seq: number;
  hash: string;
}

export type AuditBreakKind =
  | "bad_seq" // a seq that cannot occur in a chain starting at 1 (e.g. a row moved to seq 0)
  | "missing_events" // a gap in seq: events were deleted from the middle
  | "hash_mismatch" // stored content no longer matches its hash: altered or moved
  | "broken_link" // prev_hash is not the previous event's hash: a neighbour was altered or replaced
  | "truncated" // the recorded head is beyond the last stored event: the tail was deleted
  | "head_mismatch" // the last event is not the one the head records, or events exist beyond it
  | "head_missing"; // events exist but the head record was removed or mangled

export type AuditVerifyResult =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; count: number; firstBad: { seq: number; id: string | null }; kind: AuditBreakKind; reason: string };

type Failure = Extract<AuditVerifyResult, { ok: false }>;
type Bad = Omit<Failure, "ok" | "count">;

export function parseHead(value: string | undefined): ChainHead | null {
  if (value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== "object" || parsed === null) return null;
    const { seq, hash } = parsed as { seq?: unknown; hash?: unknown };
    if (typeof seq !== "number" || !Number.isSafeInteger(seq) || typeof hash !== "string") return null;
    return { seq, hash };
  } catch {
    return null;
  }
}

export async function readHeadSetting(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", HEAD_SETTING_KEY).executeTakeFirst();
  return row?.value;
}

function parseDetails(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

const PAGE = 500;

export async function verifyChain(db: Kysely<Database>): Promise<AuditVerifyResult> {
  const headValue = await readHeadSetting(db);
  const head = parseHead(headValue);
  let count = 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let last: { seq: number; id: string; hash: string } | null = null;
  let beyondHead: { seq: number; id: string } | null = null;
  let bad: Bad | null = null;

  for (let after: number | null = null; ; ) {
    let query = db.selectFrom("audit_events").selectAll().orderBy("seq", "asc").limit(PAGE);
    if (after !== null) query = query.where("seq", ">", after);
    const rows = await query.execute();
    for (const row of rows) {
      count++;
      // Once broken, keep counting (count is the log's size) but stop judging.
      if (bad) continue;
      const at = { seq: row.seq, id: row.id };
      if (head && beyondHead === null && row.seq > head.seq) beyondHead = at;
      if (row.seq < expectedSeq) {
        bad = { firstBad: at, kind: "bad_seq", reason: `seq ${row.seq} is out of sequence (expected ${expectedSeq})` };
        continue;
      }
      if (row.seq > expectedSeq) {
        const missing = row.seq - expectedSeq === 1 ? `seq ${expectedSeq}` : `seq ${expectedSeq}..${row.seq - 1}`;
        bad = { firstBad: at, kind: "missing_events", reason: `events missing before this one (${missing} deleted)` };
        continue;
      }
      const details = parseDetails(row.details);
      const hash = details === null ? null : computeEventHash({ ...row, details });
      if (hash !== row.hash) {
        bad = { firstBad: at, kind: "hash_mismatch", reason: "content does not match its hash (event altered or moved)" };
        continue;
      }
      if (row.prev_hash !== prevHash) {
        bad = { firstBad: at, kind: "broken_link", reason: "prev_hash does not match the previous event (an earlier event was altered or replaced)" };
        continue;
      }
      prevHash = row.hash;
      expectedSeq++;
      last = { seq: row.seq, id: row.id, hash: row.hash };
    }
    const tail = rows.at(-1);
    if (!tail || rows.length < PAGE) break;
    after = tail.seq;
  }

  if (bad) return { ok: false, count, ...bad };
  // The chain itself is consistent; the head tells whether its tail is complete.
  if (count === 0 && headValue === undefined) return { ok: true, count, head: null };
  if (!head) {
    const at = last ? { seq: last.seq, id: last.id } : { seq: 1, id: null };
    return { ok: false, count, firstBad: at, kind: "head_missing", reason: "the chain head record is missing or malformed" };
  }
  const lastSeq = last?.seq ?? 0;
  if (head.seq > lastSeq) {
    return {
      ok: false,
      count,
      firstBad: { seq: lastSeq + 1, id: null },
      kind: "truncated",
      reason: `chain truncated: the head records ${head.seq} events but the log ends at seq ${lastSeq}`,
    };
  }
  if (beyondHead) {
    return { ok: false, count, firstBad: beyondHead, kind: "head_mismatch", reason: `event lies beyond the recorded chain head (seq ${head.seq})` };
  }
  if (last && head.hash !== last.hash) {
    return { ok: false, count, firstBad: { seq: last.seq, id: last.id }, kind: "head_mismatch", reason: "last event does not match the recorded chain head (it was replaced)" };
  }
  return { ok: true, count, head };
}
