// The tamper-evident audit trail: every security-relevant change (keys created, revoked, ...) is
// appended as a hash-chained event. The database refuses UPDATE/DELETE on audit_events via
// triggers; the chain makes any change made around those triggers detectable by verify().
//
// SECRETS: details are stored verbatim and shown to anyone holding `audit:read`. Callers must
// pass only identifiers (key ids, key prefixes, names), never API keys, tokens, passwords or
// scanned text. As a last line of defence, anything shaped like a full ClawNex API key is
// reduced to its public prefix before it is stored.
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { invalidRequest } from "../errors.ts";
import type { Dialect } from "../store/database.ts";
import type { AuditEventsTable, Database } from "../store/schema.ts";
import { canonicalJson, computeEventHash, GENESIS_HASH } from "./chain.ts";
import { type AuditVerifyResult, type ChainHead, HEAD_SETTING_KEY, parseHead, readHeadSetting, verifyChain } from "./verify.ts";
import { detectDialect, withReadSnapshot, withWriteLock } from "./write-transaction.ts";
import { isRecord } from "../json-record.ts";

export type { AuditBreakKind, AuditVerifyResult, ChainHead } from "./verify.ts";

export interface AuditEventInput {
  actor: string;
  action: string;
  target?: string | null;
  /** Identifiers only, never secrets: see the note at the top of this file. */
  details?: Record<string, unknown>;
  workspace?: string;
}

export interface AuditEvent {
  seq: number;
  id: string;
  ts: string;
  workspace: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditListOptions {
  /** Inclusive lower bound on ts (any Date-parsable string). */
  since?: string;
  /** Exclusive upper bound on ts. */
  until?: string;
  /** 1..1000, default 100. */
  limit?: number;
  /** nextCursor from the previous page. */
  cursor?: string;
  workspace?: string;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass back as `cursor` for the following page; null on the last page. */
  nextCursor: string | null;
}

export type AppendFn = (input: AuditEventInput) => Promise<AuditEvent>;

const FULL_KEY = /\b(cnx_[A-Za-z0-9]{8})_[A-Za-z0-9]{32}\b/g;
export const MAX_LIST_LIMIT = 1000;

function rowToEvent(row: AuditEventsTable): AuditEvent {
  let details: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(row.details);
    details = isRecord(parsed) ? parsed : { $unparseable: row.details };
  } catch {
    // Only a tampered row can get here; show it rather than hide the whole page (verify flags it).
    details = { $unparseable: row.details };
  }
  const { seq, id, ts, workspace, actor, action, target } = row;
  return { seq, id, ts, workspace, actor, action, target, details, prevHash: row.prev_hash, hash: row.hash };
}

function toIso(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidRequest(`${name} must be an ISO-8601 timestamp`);
  return new Date(ms).toISOString();
}

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const seq = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seq)) throw invalidRequest("invalid cursor");
  return seq;
}

export class AuditLog {
  readonly #db: Kysely<Database>;
  readonly #clock: () => Date;
  readonly #dialect: Dialect;

  constructor(db: Kysely<Database>, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
    this.#dialect = detectDialect(db);
  }

  /** Appends one event in its own transaction. */
  append(input: AuditEventInput): Promise<AuditEvent> {
    return this.transaction((_trx, append) => append(input));
  }

  /**
   * Runs `fn` in a transaction that holds the audit write lock, so changes to other tables and
   * the events describing them commit (or roll back) together. `fn` may be re-run on a transient
   * conflict; use only `trx` inside it.
   */
  transaction<T>(fn: (trx: Kysely<Database>, append: AppendFn) => Promise<T>): Promise<T> {
    return withWriteLock(this.#db, this.#dialect, (trx) => fn(trx, (input) => this.#appendLocked(trx, input)));
  }

  async #appendLocked(trx: Kysely<Database>, input: AuditEventInput): Promise<AuditEvent> {
    if (!input.actor || !input.action) throw new TypeError("audit events need an actor and an action");
    const last = await trx.selectFrom("audit_events").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();
    const head = parseHead(await readHeadSetting(trx));
    // Continue from the head, not the last row: if someone deleted the tail, the next event keeps
    // pointing past the hole and verify still reports it instead of the chain silently healing.
    const from: ChainHead | null = head && (!last || head.seq >= last.seq) ? head : (last ?? null);
    const seq = from ? from.seq + 1 : 1;
    const prevHash = from ? from.hash : GENESIS_HASH;
    // Round-trip through canonical JSON so what we hash is exactly what a reader will parse back.
    const detailsJson = canonicalJson(input.details ?? {}).replace(FULL_KEY, "$1_[redacted]");
    const details = JSON.parse(detailsJson) as Record<string, unknown>;
    const fields = {
      seq,
      id: `evt_${randomUUID().replaceAll("-", "")}`,
      ts: this.#clock().toISOString(),
      workspace: input.workspace ?? "default",
      actor: input.actor,
      action: input.action,
      target: input.target ?? null,
      details,
      prev_hash: prevHash,
    };
    const hash = computeEventHash(fields);
    await trx
      .insertInto("audit_events")
      .values({ ...fields, details: detailsJson, hash })
      .execute();
    const headValue = canonicalJson({ seq, hash });
    await trx
      .insertInto("settings")
      .values({ key: HEAD_SETTING_KEY, value: headValue, updated_at: fields.ts })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: headValue, updated_at: fields.ts }))
      .execute();
    return { ...fields, prevHash, hash };
  }

  async list(options: AuditListOptions = {}): Promise<AuditPage> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) throw invalidRequest(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    let query = this.#db.selectFrom("audit_events").selectAll().orderBy("seq", "asc").limit(limit + 1);
    if (options.cursor !== undefined) query = query.where("seq", ">", decodeCursor(options.cursor));
    if (options.since !== undefined) query = query.where("ts", ">=", toIso(options.since, "since"));
    if (options.until !== undefined) query = query.where("ts", "<", toIso(options.until, "until"));
    if (options.workspace !== undefined) query = query.where("workspace", "=", options.workspace);
    const rows = await query.execute();
    const page = rows.slice(0, limit).map(rowToEvent);
    const lastEvent = page.at(-1);
    return { events: page, nextCursor: rows.length > limit && lastEvent ? encodeCursor(lastEvent.seq) : null };
  }

  /** Checks every event's hash and link, and that the tail matches the recorded head. */
  verify(): Promise<AuditVerifyResult> {
    return withReadSnapshot(this.#db, this.#dialect, (trx) => verifyChain(trx));
  }

  /** The recorded chain head (last seq and hash), for anchoring outside the database. */
  async head(): Promise<ChainHead | null> {
    return parseHead(await readHeadSetting(this.#db));
  }
}
