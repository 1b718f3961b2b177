// Lists the per-session totals the watcher keeps (tokens, cost, detections), newest activity
// first, with the core's tamper-proof cursors for paging.
import { type Kysely, sql } from "kysely";
import type { CursorCodec } from "../../http/cursor.ts";
import type { Database } from "../../store/schema.ts";

export interface SessionRow {
  instanceId: string;
  agentId: string;
  sessionId: string;
  sessionKey: string | null;
  layout: string;
  provider: string | null;
  model: string | null;
  eventsRead: number;
  eventsSkipped: number;
  modelCalls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  detections: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
}

/** Sort keys as SQL both dialects accept (literals, not parameters: PostgreSQL cannot type those). */
const LAST = sql<string>`COALESCE(last_event_at, '')`;
const KEY = sql<string>`instance_id || '/' || agent_id || '/' || session_id`;

export async function listSessions(db: Kysely<Database>, cursors: CursorCodec, query: { workspace: string; instanceId?: string | undefined; limit: number; cursor?: string | undefined }): Promise<{ data: SessionRow[]; next_cursor: string | null }> {
  let q = db.selectFrom("openclaw_sessions").selectAll().where("workspace", "=", query.workspace);
  if (query.instanceId) q = q.where("instance_id", "=", query.instanceId);
  if (query.cursor) {
    const at = cursors.decode<{ t: string; k: string }>(query.cursor);
    // Order: last_event_at desc, then the composite key; sessions with no timestamp sort as "".
    q = q.where((eb) => eb.or([eb(LAST, "<", at.t), eb.and([eb(LAST, "=", at.t), eb(KEY, ">", at.k)])]));
  }
  const rows = await q
    .orderBy(LAST, "desc")
    .orderBy(KEY)
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const next_cursor = rows.length > query.limit && last ? cursors.encode({ t: last.last_event_at ?? "", k: `${last.instance_id}/${last.agent_id}/${last.session_id}` }) : null;
  return {
    data: page.map((r) => ({
      instanceId: r.instance_id, agentId: r.agent_id, sessionId: r.session_id, sessionKey: r.session_key, layout: r.layout, provider: r.provider, model: r.model,
      eventsRead: Number(r.events_read), eventsSkipped: Number(r.events_skipped), modelCalls: Number(r.model_calls), failedCalls: Number(r.failed_calls),
      inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens), totalTokens: Number(r.total_tokens), costUsd: r.cost_usd, detections: Number(r.detections),
      firstEventAt: r.first_event_at, lastEventAt: r.last_event_at,
    })),
    next_cursor,
  };
}
