// API keys: creation, listing, revocation and request authentication. Only a SHA-256 digest of
// each key is stored; the key itself is shown once, at creation. Authentication reuses a key's row
// only while the store's key version (SQLite: bumped by a trigger on every change to api_keys and
// checked on each request, see sqlite-keys-version.ts; PostgreSQL reads the row each time) is
// unchanged, so a revocation or expiry made by the CLI in another process applies to the server's
// very next request.
import { hash, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { AuditLog } from "../audit/audit-log.ts";
import { isRetryableWriteError } from "../audit/write-transaction.ts";
import { invalidRequest, notFound } from "../errors.ts";
import type { ApiKeysTable, Database } from "../store/schema.ts";
import { parseDuration } from "./duration.ts";
import { randomBase62 } from "./random.ts";
import { isScope, SCOPES } from "./scopes.ts";

export { parseDuration };

export type ApiKeyStatus = "active" | "expired" | "revoked";

export interface ApiKeyRecord {
  id: string;
  workspace: string;
  name: string;
  /** Public part of the key (`cnx_` + 8 chars): safe to show and log. */
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  status: ApiKeyStatus;
}

export interface CreateKeyInput {
  name: string;
  scopes: string[];
  /** Lifetime from now; omitted means the key never expires. */
  expiresInMs?: number;
  workspace?: string;
}

export interface CreatedKey {
  /** The full secret key. Returned only here; it cannot be recovered later. */
  key: string;
  record: ApiKeyRecord;
}

/** `cnx_<8 base62: public prefix>_<32 base62: secret>`; 32 base62 chars carry ~190 bits. */
const KEY_SHAPE = /^(cnx_[0-9A-Za-z]{8})_[0-9A-Za-z]{32}$/;
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_TEXT = 200;

/** One-shot digest: a createHash object per request cost several times as much. */
function sha256(text: string): Buffer {
  return hash("sha256", text, "buffer");
}

function parseScopes(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    // A mangled scopes column grants nothing rather than failing open.
    return Array.isArray(parsed) ? parsed.filter((s): s is string => typeof s === "string") : [];
  } catch {
    return [];
  }
}

function statusOf(row: Pick<ApiKeysTable, "revoked_at" | "expires_at">, now: Date): ApiKeyStatus {
  if (row.revoked_at !== null) return "revoked";
  if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return "expired";
  return "active";
}

function toRecord(row: ApiKeysTable, now: Date, scopes = parseScopes(row.scopes)): ApiKeyRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    name: row.name,
    prefix: row.prefix,
    scopes: [...scopes],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    status: statusOf(row, now),
  };
}

function requireText(value: unknown, field: string): string {
  const text = typeof value === "string" ? value.trim() : "";
  if (text === "") throw invalidRequest(`${field} must not be empty`);
  if (text.length > MAX_TEXT) throw invalidRequest(`${field} must be at most ${MAX_TEXT} characters`);
  return text;
}

function validateScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw invalidRequest(`at least one scope is required; valid scopes: ${SCOPES.join(", ")}`, { valid_scopes: SCOPES });
  }
  const unknown = scopes.filter((s) => typeof s !== "string" || !isScope(s)).map(String);
  if (unknown.length > 0) {
    throw invalidRequest(`unknown scope(s): ${unknown.join(", ")}; valid scopes: ${SCOPES.join(", ")}`, { unknown_scopes: unknown, valid_scopes: SCOPES });
  }
  return [...new Set(scopes as string[])];
}

interface KeyRow {
  row: ApiKeysTable;
  /** row.key_hash as bytes. */
  digest: Buffer;
  /** row.scopes parsed. */
  scopes: string[];
  /** The key version it was read at (-1: not cached). */
  version: number;
}

export class KeyService {
  readonly #db: Kysely<Database>;
  readonly #audit: AuditLog;
  readonly #clock: () => Date;
  readonly #externalChanges: (() => number) | undefined;
  /**
   * Key rows by prefix, valid while no connection has changed a key (see Store.externalChanges),
   * with the stored digest already decoded from hex.
   */
  readonly #cache = new Map<string, KeyRow>();
  #localChanges = 0;

  constructor(db: Kysely<Database>, audit: AuditLog, clock: () => Date = () => new Date(), externalChanges?: () => number) {
    this.#db = db;
    this.#audit = audit;
    this.#clock = clock;
    this.#externalChanges = externalChanges;
  }

  /** A version that moves on any key change, here or in another process; undefined = no caching. */
  #version(): number | undefined {
    return this.#externalChanges ? this.#externalChanges() * 1_000_000 + this.#localChanges : undefined;
  }

  /** The cached row when still current; most requests end here, without a turn of the event loop. */
  #cachedRow(prefix: string, version: number | undefined): KeyRow | undefined {
    const cached = this.#cache.get(prefix);
    return version !== undefined && cached && cached.version === version ? cached : undefined;
  }

  async #loadRow(prefix: string, version: number | undefined): Promise<KeyRow | undefined> {
    const row = await this.#db.selectFrom("api_keys").selectAll().where("prefix", "=", prefix).executeTakeFirst();
    if (!row) return undefined;
    const entry: KeyRow = { row, digest: Buffer.from(row.key_hash, "hex"), scopes: parseScopes(row.scopes), version: version ?? -1 };
    if (version !== undefined) {
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(prefix, entry);
    }
    return entry;
  }

  async create(input: CreateKeyInput, actor: string): Promise<CreatedKey> {
    const name = requireText(input.name, "name");
    const workspace = requireText(input.workspace ?? "default", "workspace");
    const scopes = validateScopes(input.scopes);
    const { expiresInMs } = input;
    if (expiresInMs !== undefined && (!Number.isSafeInteger(expiresInMs) || expiresInMs <= 0)) {
      throw invalidRequest("expiry must be a positive whole number of milliseconds");
    }
    const now = this.#clock();
    const expiresAt = expiresInMs === undefined ? null : new Date(now.getTime() + expiresInMs);
    if (expiresAt !== null && Number.isNaN(expiresAt.getTime())) throw invalidRequest("expiry is too far in the future");

    this.#localChanges++;
    return this.#audit.transaction(async (trx, append) => {
      // Generated inside the transaction: on a (vanishingly rare) prefix collision the whole
      // transaction is retried with fresh randomness.
      const prefix = `cnx_${randomBase62(8)}`;
      const key = `${prefix}_${randomBase62(32)}`;
      const row: ApiKeysTable = {
        id: `key_${randomBase62(16)}`,
        workspace,
        name,
        prefix,
        key_hash: sha256(key).toString("hex"),
        scopes: JSON.stringify(scopes),
        created_at: now.toISOString(),
        expires_at: expiresAt?.toISOString() ?? null,
        revoked_at: null,
        last_used_at: null,
      };
      await trx.insertInto("api_keys").values(row).execute();
      await append({
        actor,
        action: "key.created",
        target: row.id,
        workspace,
        details: { id: row.id, name, prefix, scopes, expires_at: row.expires_at },
      });
      return { key, record: toRecord(row, now) };
    });
  }

  async list(workspace?: string): Promise<ApiKeyRecord[]> {
    let query = this.#db.selectFrom("api_keys").selectAll().orderBy("created_at", "asc").orderBy("id", "asc");
    if (workspace !== undefined) query = query.where("workspace", "=", workspace);
    const now = this.#clock();
    return (await query.execute()).map((row) => toRecord(row, now));
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.#db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toRecord(row, this.#clock()) : null;
  }

  /** Revokes a key; revoking an already revoked key returns it unchanged and logs nothing. */
  async revoke(id: string, actor: string): Promise<ApiKeyRecord> {
    try {
      return await this.#revoke(id, actor);
    } finally {
      // After the commit: nothing cached before it can be served again.
      this.#localChanges++;
      this.#cache.clear();
    }
  }

  async #revoke(id: string, actor: string): Promise<ApiKeyRecord> {
    return this.#audit.transaction(async (trx, append) => {
      const now = this.#clock();
      const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw notFound(`API key '${id}'`);
      if (row.revoked_at !== null) return toRecord(row, now);
      const revoked = { ...row, revoked_at: now.toISOString() };
      await trx.updateTable("api_keys").set({ revoked_at: revoked.revoked_at }).where("id", "=", id).where("revoked_at", "is", null).execute();
      await append({
        actor,
        action: "key.revoked",
        target: id,
        workspace: row.workspace,
        details: { id, name: row.name, prefix: row.prefix },
      });
      return toRecord(revoked, now);
    });
  }

  /** The key's record when `rawKey` is a valid, active key; null otherwise (never throws for bad input). */
  async authenticate(rawKey: string): Promise<ApiKeyRecord | null> {
    const prefix = typeof rawKey === "string" ? KEY_SHAPE.exec(rawKey)?.[1] : undefined;
    if (prefix === undefined) return null; // not even shaped like a key: no database round trip
    const version = this.#version();
    const found = this.#cachedRow(prefix, version) ?? (await this.#loadRow(prefix, version));
    if (!found) return null;
    const { row, digest: stored } = found;
    const presented = sha256(rawKey);
    // Constant-time over the digests, so response timing reveals nothing about the secret part.
    if (stored.length !== presented.length || !timingSafeEqual(stored, presented)) return null;
    const now = this.#clock();
    if (statusOf(row, now) !== "active") return null;
    const touching = this.#touch(row, now);
    if (touching) await touching;
    return toRecord(row, now, found.scopes);
  }

  /** Records last use at most once a minute per key, so authentication is normally read-only (and synchronous). */
  #touch(row: ApiKeysTable, now: Date): Promise<void> | undefined {
    const nowMs = now.getTime();
    if (row.last_used_at !== null && nowMs - Date.parse(row.last_used_at) < LAST_USED_RESOLUTION_MS) return undefined;
    return this.#writeLastUsed(row, now, nowMs);
  }

  async #writeLastUsed(row: ApiKeysTable, now: Date, nowMs: number): Promise<void> {
    const stamp = now.toISOString();
    const staleBefore = new Date(nowMs - LAST_USED_RESOLUTION_MS).toISOString();
    try {
      // The condition keeps concurrent requests (and processes) from rewriting it in a burst.
      await this.#db
        .updateTable("api_keys")
        .set({ last_used_at: stamp })
        .where("id", "=", row.id)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<=", staleBefore)]))
        .execute();
      row.last_used_at = stamp;
    } catch (err) {
      // last_used_at is informational: a busy database must not turn a valid request into a 500.
      if (!isRetryableWriteError(err)) throw err;
    }
  }
}
