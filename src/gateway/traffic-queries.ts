// Reads of the traffic records: a cursor-paginated list (newest first) and cost summaries.
import { type Kysely, sql } from "kysely";
import type { CursorCodec } from "../http/cursor.ts";
import type { Database } from "../store/schema.ts";
import type { GatewayTrafficTable } from "./tables.ts";

export interface TrafficFilters {
  since?: string | undefined;
  until?: string | undefined;
  model?: string | undefined;
  /** Matches the inbound or the outbound verdict. */
  verdict?: "ALLOW" | "REVIEW" | "BLOCK" | undefined;
  keyId?: string | undefined;
  agentId?: string | undefined;
  route?: string | undefined;
  outcome?: string | undefined;
}

export interface TrafficPage {
  data: Array<Omit<GatewayTrafficTable, "stream" | "break_glass" | "tokens_estimated"> & { stream: boolean; break_glass: boolean; tokens_estimated: boolean }>;
  next_cursor: string | null;
}

export interface CostGroup {
  key: string;
  requests: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  /** Requests whose cost is unknown (model missing from the price table and the overrides). */
  unpriced: number;
}

export interface CostSummary {
  since: string | null;
  until: string | null;
  total: Omit<CostGroup, "key">;
  by_day: CostGroup[];
  by_model: CostGroup[];
  by_provider: CostGroup[];
  by_key: CostGroup[];
}

export class TrafficQueries {
  readonly #db: Kysely<Database>;
  readonly #cursors: CursorCodec;

  constructor(db: Kysely<Database>, cursors: CursorCodec) {
    this.#db = db;
    this.#cursors = cursors;
  }

  async list(workspace: string, filters: TrafficFilters, limit: number, cursor?: string): Promise<TrafficPage> {
    let q = this.#db.selectFrom("gateway_traffic").selectAll().where("workspace", "=", workspace);
    if (filters.since) q = q.where("ts", ">=", filters.since);
    if (filters.until) q = q.where("ts", "<", filters.until);
    if (filters.model) q = q.where((eb) => eb.or([eb("model", "=", filters.model as string), eb("upstream_model", "=", filters.model as string)]));
    if (filters.verdict) q = q.where((eb) => eb.or([eb("inbound_verdict", "=", filters.verdict as string), eb("outbound_verdict", "=", filters.verdict as string)]));
    if (filters.keyId) q = q.where("key_id", "=", filters.keyId);
    if (filters.agentId) q = q.where("agent_id", "=", filters.agentId);
    if (filters.route) q = q.where("route", "=", filters.route);
    if (filters.outcome) q = q.where("outcome", "=", filters.outcome);
    if (cursor) {
      const at = this.#cursors.decode<{ ts: string; id: string }>(cursor);
      q = q.where((eb) => eb.or([eb("ts", "<", at.ts), eb.and([eb("ts", "=", at.ts), eb("id", "<", at.id)])]));
    }
    const rows = await q.orderBy("ts", "desc").orderBy("id", "desc").limit(limit + 1).execute();
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      data: page.map((r) => ({ ...r, stream: r.stream === 1, break_glass: r.break_glass === 1, tokens_estimated: r.tokens_estimated === 1 })),
      next_cursor: more && last ? this.#cursors.encode({ ts: last.ts, id: last.id }) : null,
    };
  }

  async costSummary(workspace: string, since: string | undefined, until: string | undefined): Promise<CostSummary> {
    const group = async (expr: "day" | "model" | "provider" | "key"): Promise<CostGroup[]> => {
      const keyExpr =
        expr === "day" ? sql<string>`substr(ts, 1, 10)` : expr === "model" ? sql<string>`coalesce(upstream_model, model)` : expr === "provider" ? sql<string>`coalesce(route, provider, 'unknown')` : sql<string>`coalesce(key_id, 'none')`;
      let q = this.#db
        .selectFrom("gateway_traffic")
        .select([
          keyExpr.as("key"),
          sql<number>`count(*)`.as("requests"),
          sql<number>`coalesce(sum(tokens_in), 0)`.as("tokens_in"),
          sql<number>`coalesce(sum(tokens_out), 0)`.as("tokens_out"),
          sql<number>`coalesce(sum(cost_usd), 0)`.as("cost_usd"),
          sql<number>`sum(case when cost_usd is null then 1 else 0 end)`.as("unpriced"),
        ])
        .where("workspace", "=", workspace);
      if (since) q = q.where("ts", ">=", since);
      if (until) q = q.where("ts", "<", until);
      const rows = await q.groupBy(keyExpr).orderBy(expr === "day" ? "key" : "cost_usd", expr === "day" ? "asc" : "desc").limit(1000).execute();
      return rows.map((r) => ({ key: String(r.key), requests: Number(r.requests), tokens_in: Number(r.tokens_in), tokens_out: Number(r.tokens_out), cost_usd: round(Number(r.cost_usd)), unpriced: Number(r.unpriced) }));
    };
    const [by_day, by_model, by_provider, by_key] = [await group("day"), await group("model"), await group("provider"), await group("key")];
    const total = by_day.reduce((t, g) => ({ requests: t.requests + g.requests, tokens_in: t.tokens_in + g.tokens_in, tokens_out: t.tokens_out + g.tokens_out, cost_usd: round(t.cost_usd + g.cost_usd), unpriced: t.unpriced + g.unpriced }), { requests: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0, unpriced: 0 });
    return { since: since ?? null, until: until ?? null, total, by_day, by_model, by_provider, by_key };
  }
}

function round(usd: number): number {
  return Math.round(usd * 1e8) / 1e8;
}
