// Reads the gateway module's traffic records (src/gateway/tables.ts: gateway_traffic, one row per
// chat call through ClawNex) for bypass matching. The gateway keeps the model, the token counts and
// the time of each call, not the upstream response id or tool-call ids, so matches rest on model +
// exact token counts + time (and, for failed calls, model + an error outcome + time). A store
// without the gateway's table has nothing to compare: calls then stay "unknown".
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.ts";
import type { GatewayCall, GatewayTrafficSource } from "./matcher.ts";

const MAX_ROWS = 50_000;

export function gatewayTrafficSource(db: Kysely<Database>): GatewayTrafficSource {
  let present: boolean | undefined;
  return {
    async available() {
      if (present === undefined) {
        try {
          await db.selectFrom("gateway_traffic").select("id").limit(1).execute();
          present = true;
        } catch {
          present = false;
        }
      }
      return present;
    },
    async between(fromIso: string, toIso: string, workspace?: string): Promise<GatewayCall[]> {
      let query = db
        .selectFrom("gateway_traffic")
        .select(["id", "ts", "model", "tokens_in", "tokens_out", "tokens_estimated", "outcome"])
        .where("ts", ">=", fromIso)
        .where("ts", "<=", toIso)
        .orderBy("ts")
        .limit(MAX_ROWS);
      if (workspace) query = query.where("workspace", "=", workspace);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        ts: r.ts,
        model: r.model,
        // Estimated counts (tokenizer, not the upstream's usage) cannot match OpenClaw's exactly.
        inputTokens: r.tokens_estimated ? null : r.tokens_in,
        outputTokens: r.tokens_estimated ? null : r.tokens_out,
        toolCallIds: [],
        responseId: null,
        failed: r.outcome !== "ok",
      }));
    },
  };
}
