// Break-glass: for a bounded time, Shield verdicts are not enforced (traffic is still scanned,
// recorded and marked). Starting and ending are audited, and a window ends by itself: the
// hot path compares against its expiry, and the module's timer writes the "ended" audit event.
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { AuditLog } from "../audit/audit-log.ts";
import { AppError, invalidRequest } from "../errors.ts";
import type { Database } from "../store/schema.ts";
import type { GatewayBreakGlassTable } from "./tables.ts";

const CACHE_MS = 1000;

export interface BreakGlassState {
  id: string;
  started_at: string;
  expires_at: string;
  reason: string;
  started_by: string;
}

export class BreakGlassService {
  readonly #db: Kysely<Database>;
  readonly #audit: AuditLog;
  readonly maxMinutes: number;
  readonly #clock: () => Date;
  #cached: { state: BreakGlassState | null; at: number } | undefined;

  constructor(db: Kysely<Database>, audit: AuditLog, maxMinutes: number, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#audit = audit;
    this.maxMinutes = maxMinutes;
    this.#clock = clock;
  }

  /** As active(), while the cache is fresh; undefined otherwise. */
  cached(): BreakGlassState | null | undefined {
    const now = this.#clock().getTime();
    if (!this.#cached || now - this.#cached.at >= CACHE_MS) return undefined;
    const state = this.#cached.state;
    return state && Date.parse(state.expires_at) > now ? state : null;
  }

  /** The window in force now, or null. Cached for a second (the CLI's changes apply within it). */
  async active(): Promise<BreakGlassState | null> {
    const now = this.#clock();
    if (!this.#cached || now.getTime() - this.#cached.at >= CACHE_MS) {
      const row = await this.#db
        .selectFrom("gateway_breakglass")
        .selectAll()
        .where("ended_at", "is", null)
        .where("expires_at", ">", now.toISOString())
        .orderBy("started_at", "desc")
        .executeTakeFirst();
      this.#cached = { state: row ? toState(row) : null, at: now.getTime() };
    }
    const state = this.#cached.state;
    return state && Date.parse(state.expires_at) > now.getTime() ? state : null;
  }

  async start(minutes: number, reason: string, actor: string): Promise<BreakGlassState> {
    if (!Number.isInteger(minutes) || minutes < 1) throw invalidRequest("minutes must be a whole number of at least 1");
    if (minutes > this.maxMinutes) throw invalidRequest(`minutes must be at most ${this.maxMinutes} (the configured maximum)`);
    const text = reason.trim();
    if (text.length < 3 || text.length > 500) throw invalidRequest("a reason of 3 to 500 characters is required");
    const now = this.#clock();
    const state = await this.#audit.transaction(async (trx, append) => {
      const open = await trx.selectFrom("gateway_breakglass").select("id").where("ended_at", "is", null).where("expires_at", ">", now.toISOString()).executeTakeFirst();
      if (open) throw new AppError("conflict", `break-glass ${open.id} is already active; end it first`);
      const row: GatewayBreakGlassTable = {
        id: `bg_${randomUUID().replaceAll("-", "")}`,
        started_at: now.toISOString(),
        expires_at: new Date(now.getTime() + minutes * 60_000).toISOString(),
        ended_at: null,
        reason: text,
        started_by: actor,
        ended_by: null,
      };
      await trx.insertInto("gateway_breakglass").values(row).execute();
      await append({ actor, action: "gateway.breakglass_started", target: `breakglass:${row.id}`, details: { minutes, expires_at: row.expires_at, reason: text } });
      return toState(row);
    });
    this.#cached = undefined;
    return state;
  }

  /** Ends the active window early; returns null when none was active. */
  async end(actor: string, reason = "ended by operator"): Promise<BreakGlassState | null> {
    const now = this.#clock().toISOString();
    const ended = await this.#audit.transaction(async (trx, append) => {
      const open = await trx.selectFrom("gateway_breakglass").selectAll().where("ended_at", "is", null).where("expires_at", ">", now).executeTakeFirst();
      if (!open) return null;
      await trx.updateTable("gateway_breakglass").set({ ended_at: now, ended_by: actor }).where("id", "=", open.id).execute();
      await append({ actor, action: "gateway.breakglass_ended", target: `breakglass:${open.id}`, details: { reason, started_at: open.started_at, ended_at: now } });
      return toState(open);
    });
    this.#cached = undefined;
    return ended;
  }

  /** Closes and audits windows that ran out; the module runs this on a timer. */
  async expireDue(): Promise<number> {
    const now = this.#clock().toISOString();
    const due = await this.#db.selectFrom("gateway_breakglass").selectAll().where("ended_at", "is", null).where("expires_at", "<=", now).execute();
    let closed = 0;
    for (const row of due) {
      const done = await this.#audit.transaction(async (trx, append) => {
        const result = await trx.updateTable("gateway_breakglass").set({ ended_at: row.expires_at, ended_by: "system" }).where("id", "=", row.id).where("ended_at", "is", null).executeTakeFirst();
        // Another process (a second server, the CLI) may have closed it first: audit once.
        if (Number(result.numUpdatedRows) !== 1) return false;
        await append({ actor: "system", action: "gateway.breakglass_ended", target: `breakglass:${row.id}`, details: { reason: "expired", started_at: row.started_at, ended_at: row.expires_at } });
        return true;
      });
      if (done) closed++;
    }
    if (closed > 0) this.#cached = undefined;
    return closed;
  }

  async history(limit = 20): Promise<Array<BreakGlassState & { ended_at: string | null; ended_by: string | null }>> {
    const rows = await this.#db.selectFrom("gateway_breakglass").selectAll().orderBy("started_at", "desc").limit(limit).execute();
    return rows.map((r) => ({ ...toState(r), ended_at: r.ended_at, ended_by: r.ended_by }));
  }
}

function toState(row: GatewayBreakGlassTable): BreakGlassState {
  return { id: row.id, started_at: row.started_at, expires_at: row.expires_at, reason: row.reason, started_by: row.started_by };
}
