// Per-key Shield mode overrides: a key can be held in OBSERVE while the fleet is in BLOCK (a noisy
// agent under investigation) or in BLOCK while the rest observes. Changes are audited in the same
// transaction; reads are cached briefly so the hot path rarely touches the database.
import type { Kysely } from "kysely";
import type { AuditLog } from "../audit/audit-log.ts";
import type { ShieldMode } from "../config/config.ts";
import { notFound } from "../errors.ts";
import type { Database } from "../store/schema.ts";

const CACHE_MS = 1000;

export interface KeyModeOverride {
  key_id: string;
  mode: ShieldMode;
  updated_at: string;
  updated_by: string;
}

export class KeyModeStore {
  readonly #db: Kysely<Database>;
  readonly #audit: AuditLog;
  readonly #cache = new Map<string, { mode: ShieldMode | null; at: number }>();

  constructor(db: Kysely<Database>, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
  }

  /** As get(), while the key's cache entry is fresh; undefined otherwise. */
  cached(keyId: string): ShieldMode | null | undefined {
    const hit = this.#cache.get(keyId);
    return hit && Date.now() - hit.at < CACHE_MS ? hit.mode : undefined;
  }

  /** The key's override, or null when it follows the global mode. */
  async get(keyId: string): Promise<ShieldMode | null> {
    const now = Date.now();
    const hit = this.#cache.get(keyId);
    if (hit && now - hit.at < CACHE_MS) return hit.mode;
    const row = await this.#db.selectFrom("gateway_key_modes").select("mode").where("key_id", "=", keyId).executeTakeFirst();
    const mode = row ? (row.mode as ShieldMode) : null;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(keyId, { mode, at: now });
    return mode;
  }

  async list(workspace: string): Promise<KeyModeOverride[]> {
    const rows = await this.#db.selectFrom("gateway_key_modes").select(["key_id", "mode", "updated_at", "updated_by"]).where("workspace", "=", workspace).orderBy("key_id").execute();
    return rows.map((r) => ({ ...r, mode: r.mode as ShieldMode }));
  }

  /** Sets (or with null clears) a key's override; the key must exist in the workspace. */
  async set(workspace: string, keyId: string, mode: ShieldMode | null, actor: string, reason?: string): Promise<{ previous: ShieldMode | null; mode: ShieldMode | null }> {
    const result = await this.#audit.transaction(async (trx, append) => {
      const key = await trx.selectFrom("api_keys").select("id").where("id", "=", keyId).where("workspace", "=", workspace).executeTakeFirst();
      if (!key) throw notFound("API key");
      const before = await trx.selectFrom("gateway_key_modes").select("mode").where("key_id", "=", keyId).executeTakeFirst();
      const previous = before ? (before.mode as ShieldMode) : null;
      const now = new Date().toISOString();
      if (mode === null) await trx.deleteFrom("gateway_key_modes").where("key_id", "=", keyId).execute();
      else {
        await trx
          .insertInto("gateway_key_modes")
          .values({ key_id: keyId, workspace, mode, updated_at: now, updated_by: actor })
          .onConflict((oc) => oc.column("key_id").doUpdateSet({ mode, updated_at: now, updated_by: actor }))
          .execute();
      }
      await append({ actor, action: "gateway.key_mode_changed", target: `api_key:${keyId}`, workspace, details: { previous, mode, ...(reason ? { reason } : {}) } });
      return { previous, mode };
    });
    this.#cache.delete(keyId);
    return result;
  }
}
