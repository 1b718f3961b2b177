// The watcher's own state in the ClawNex store: checkpoints, per-session totals, model calls and
// the links from transcript parts to recorded scans. A batch's rows and its checkpoint commit in
// one transaction, so a crash replays the whole batch or none of it. SQLite statements run
// synchronously, so the commit yields to the event loop between statements: requests that do not
// need the store keep being served while a large batch is written.
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { type Kysely, sql } from "kysely";
import type { Database } from "../../store/schema.ts";

export interface Cursor {
  sourceKey: string;
  agentId: string;
  sessionId: string;
  layout: "sqlite" | "jsonl";
  path: string;
  position: number;
  fingerprint: string | null;
  eventsRead: number;
}

export interface SessionDelta {
  agentId: string;
  sessionId: string;
  layout: "sqlite" | "jsonl";
  sessionKey: string | null;
  provider: string | null;
  model: string | null;
  eventsRead: number;
  eventsSkipped: number;
  malformed: number;
  unknownTypes: number;
  messages: number;
  modelCalls: number;
  failedCalls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  costUsd: number;
  detections: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
}

export interface ModelCallRow {
  sessionId: string;
  eventId: string;
  agentId: string;
  ts: string;
  provider: string | null;
  model: string | null;
  api: string | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  stopReason: string | null;
  error: string | null;
  responseId: string | null;
  toolCallIds: string[];
}

export interface Batch {
  cursors: Cursor[];
  sessions: SessionDelta[];
  calls: ModelCallRow[];
  /** agentId → last activity seen in this batch. */
  agents: Map<string, string | null>;
}

const INSERT_CHUNK = 100;

export function emptyDelta(agentId: string, sessionId: string, layout: "sqlite" | "jsonl"): SessionDelta {
  return {
    agentId, sessionId, layout, sessionKey: null, provider: null, model: null,
    eventsRead: 0, eventsSkipped: 0, malformed: 0, unknownTypes: 0, messages: 0, modelCalls: 0, failedCalls: 0,
    inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, totalTokens: 0, costUsd: 0, detections: 0,
    firstEventAt: null, lastEventAt: null,
  };
}

const COUNTERS = [
  ["events_read", "eventsRead"], ["events_skipped", "eventsSkipped"], ["malformed", "malformed"], ["unknown_types", "unknownTypes"],
  ["messages", "messages"], ["model_calls", "modelCalls"], ["failed_calls", "failedCalls"], ["input_tokens", "inputTokens"],
  ["output_tokens", "outputTokens"], ["cache_read_tokens", "cacheReadTokens"], ["cache_write_tokens", "cacheWriteTokens"],
  ["total_tokens", "totalTokens"], ["detections", "detections"],
] as const;

export class WatchStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async loadCursors(instanceId: string): Promise<Map<string, Cursor>> {
    const rows = await this.#db.selectFrom("openclaw_watch_cursors").selectAll().where("instance_id", "=", instanceId).execute();
    return new Map(
      rows.map((r) => [
        r.source_key,
        { sourceKey: r.source_key, agentId: r.agent_id, sessionId: r.session_id, layout: r.layout === "jsonl" ? "jsonl" : "sqlite", path: r.path, position: Number(r.position), fingerprint: r.fingerprint, eventsRead: Number(r.events_read) },
      ]),
    );
  }

  async resetInstance(instanceId: string): Promise<void> {
    await this.#db.deleteFrom("openclaw_watch_cursors").where("instance_id", "=", instanceId).execute();
  }

  /** Event ids whose model calls are already recorded: a re-read after truncation must not count them twice. */
  async recordedCallIds(instanceId: string, sessionId: string): Promise<Set<string>> {
    const rows = await this.#db.selectFrom("openclaw_model_calls").select("event_id").where("instance_id", "=", instanceId).where("session_id", "=", sessionId).execute();
    return new Set(rows.map((r) => r.event_id));
  }

  async scanLinkExists(instanceId: string, sessionId: string, eventId: string, part: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("openclaw_event_scans")
      .select("scan_id")
      .where("instance_id", "=", instanceId)
      .where("session_id", "=", sessionId)
      .where("event_id", "=", eventId)
      .where("part", "=", part)
      .executeTakeFirst();
    return row !== undefined;
  }

  async linkScan(instanceId: string, sessionId: string, eventId: string, part: string, scanId: string, verdict: string): Promise<void> {
    await this.#db
      .insertInto("openclaw_event_scans")
      .values({ instance_id: instanceId, session_id: sessionId, event_id: eventId, part, scan_id: scanId, verdict, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.columns(["instance_id", "session_id", "event_id", "part"]).doNothing())
      .execute();
  }

  async commit(instanceId: string, workspace: string, batch: Batch): Promise<void> {
    const now = new Date().toISOString();
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch.calls.length; i += INSERT_CHUNK) {
        const values = batch.calls.slice(i, i + INSERT_CHUNK).map((c) => ({
          instance_id: instanceId, session_id: c.sessionId, event_id: c.eventId, agent_id: c.agentId, workspace, ts: c.ts,
          provider: c.provider, model: c.model, api: c.api, input_tokens: c.inputTokens, output_tokens: c.outputTokens,
          total_tokens: c.totalTokens, cost_usd: c.costUsd, stop_reason: c.stopReason, error: c.error, response_id: c.responseId,
          tool_call_ids: JSON.stringify(c.toolCallIds), gateway_match: "unknown", gateway_ref: null,
        }));
        await trx.insertInto("openclaw_model_calls").values(values).onConflict((oc) => oc.columns(["instance_id", "session_id", "event_id"]).doNothing()).execute();
        await yieldToLoop();
      }
      for (const s of batch.sessions) await this.#upsertSession(trx, instanceId, workspace, s, now);
      await yieldToLoop();
      for (const c of batch.cursors) {
        const values = { instance_id: instanceId, source_key: c.sourceKey, agent_id: c.agentId, session_id: c.sessionId, layout: c.layout, path: c.path, position: c.position, fingerprint: c.fingerprint, events_read: c.eventsRead, updated_at: now };
        await trx
          .insertInto("openclaw_watch_cursors")
          .values(values)
          .onConflict((oc) => oc.columns(["instance_id", "source_key"]).doUpdateSet({ path: values.path, position: values.position, fingerprint: values.fingerprint, events_read: values.events_read, updated_at: now }))
          .execute();
      }
      for (const [agentId, seen] of batch.agents) {
        await trx
          .insertInto("openclaw_agents")
          .values({ instance_id: instanceId, agent_id: agentId, first_seen_at: now, last_seen_at: seen, present: 1, updated_at: now })
          .onConflict((oc) =>
            oc.columns(["instance_id", "agent_id"]).doUpdateSet({
              last_seen_at: sql<string | null>`CASE WHEN openclaw_agents.last_seen_at IS NULL OR excluded.last_seen_at > openclaw_agents.last_seen_at THEN excluded.last_seen_at ELSE openclaw_agents.last_seen_at END`,
              present: 1,
              updated_at: now,
            }),
          )
          .execute();
      }
    });
  }

  async #upsertSession(trx: Kysely<Database>, instanceId: string, workspace: string, s: SessionDelta, now: string): Promise<void> {
    const values = {
      instance_id: instanceId, agent_id: s.agentId, session_id: s.sessionId, workspace, session_key: s.sessionKey, layout: s.layout,
      provider: s.provider, model: s.model, cost_usd: s.costUsd, first_event_at: s.firstEventAt, last_event_at: s.lastEventAt, updated_at: now,
      ...Object.fromEntries(COUNTERS.map(([column, field]) => [column, s[field]])),
    } as Database["openclaw_sessions"];
    const increments = Object.fromEntries(COUNTERS.map(([column]) => [column, sql`openclaw_sessions.${sql.ref(column)} + excluded.${sql.ref(column)}`]));
    await trx
      .insertInto("openclaw_sessions")
      .values(values)
      .onConflict((oc) =>
        oc.columns(["instance_id", "agent_id", "session_id"]).doUpdateSet({
          ...increments,
          cost_usd: sql<number>`openclaw_sessions.cost_usd + excluded.cost_usd`,
          session_key: sql<string | null>`COALESCE(excluded.session_key, openclaw_sessions.session_key)`,
          provider: sql<string | null>`COALESCE(excluded.provider, openclaw_sessions.provider)`,
          model: sql<string | null>`COALESCE(excluded.model, openclaw_sessions.model)`,
          first_event_at: sql<string | null>`COALESCE(openclaw_sessions.first_event_at, excluded.first_event_at)`,
          last_event_at: sql<string | null>`CASE WHEN openclaw_sessions.last_event_at IS NULL OR excluded.last_event_at > openclaw_sessions.last_event_at THEN excluded.last_event_at ELSE openclaw_sessions.last_event_at END`,
          updated_at: now,
        }),
      )
      .execute();
  }
}
