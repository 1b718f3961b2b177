// Reading and triaging alerts: the filtered feed (GET /api/v1/alerts and its NDJSON export), one
// alert, and status changes. Every status change is audited in the same transaction as the change.
// Another workspace's alert answers 404, exactly like one that does not exist.
import type { Kysely, SelectQueryBuilder } from "kysely";
import type { AuditLog } from "../../audit/audit-log.ts";
import { notFound } from "../../errors.ts";
import type { Database } from "../../store/schema.ts";
import { type FeedRequest, type Page, SeqCursor } from "../feed.ts";
import { planStatusChange, type Status, type StatusChange } from "../lifecycle.ts";
import type { SocSeverity } from "../model.ts";
import type { SocAlertsTable } from "../tables.ts";
import { type Alert, alertFromRow } from "./alert-types.ts";

export interface AlertFilter {
  from?: string | undefined;
  to?: string | undefined;
  severity?: SocSeverity[] | undefined;
  status?: Status[] | undefined;
  agent?: string | undefined;
  rule_id?: string | undefined;
}

type AlertQuery = SelectQueryBuilder<Database, "soc_alerts", SocAlertsTable>;

export function applyAlertFilter(query: AlertQuery, workspace: string, filter: AlertFilter): AlertQuery {
  let q = query.where("workspace", "=", workspace);
  if (filter.status?.length === 1) q = q.where("status", "=", filter.status[0] ?? "");
  else if (filter.status) q = q.where("status", "in", filter.status);
  if (filter.severity?.length === 1) q = q.where("severity", "=", filter.severity[0] ?? "");
  else if (filter.severity) q = q.where("severity", "in", filter.severity);
  if (filter.agent !== undefined) q = q.where("agent", "=", filter.agent);
  if (filter.rule_id !== undefined) q = q.where("rule_id", "=", filter.rule_id);
  // The window selects alerts active in it: seen at or after `from`, first seen before `to`.
  if (filter.from !== undefined) q = q.where("last_seen", ">=", filter.from);
  if (filter.to !== undefined) q = q.where("first_seen", "<", filter.to);
  return q;
}

export class AlertService {
  readonly #db: Kysely<Database>;
  readonly #audit: AuditLog;
  readonly #clock: () => Date;
  readonly cursor: SeqCursor;

  constructor(db: Kysely<Database>, audit: AuditLog, cursor: SeqCursor, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#audit = audit;
    this.cursor = cursor;
    this.#clock = clock;
  }

  async list(workspace: string, filter: AlertFilter, request: FeedRequest): Promise<Page<Alert>> {
    const position = this.cursor.decode(request);
    let q = applyAlertFilter(this.#db.selectFrom("soc_alerts").selectAll(), workspace, filter);
    if (position !== undefined) q = q.where("seq", request.order === "asc" ? ">" : "<", position);
    const rows = await q.orderBy("seq", request.order).limit(request.limit + 1).execute();
    return this.cursor.page(request, rows, (r) => Number(r.seq), alertFromRow);
  }

  async get(workspace: string, id: string): Promise<Alert> {
    const row = await this.#db.selectFrom("soc_alerts").selectAll().where("id", "=", id).where("workspace", "=", workspace).executeTakeFirst();
    if (!row) throw notFound("alert");
    return alertFromRow(row);
  }

  async update(workspace: string, id: string, change: StatusChange, actor: string): Promise<Alert> {
    const now = this.#clock();
    return this.#audit.transaction(async (trx, append) => {
      const row = await trx.selectFrom("soc_alerts").selectAll().where("id", "=", id).where("workspace", "=", workspace).executeTakeFirst();
      if (!row) throw notFound("alert");
      const plan = planStatusChange(row.status as Status, change, now);
      if (!plan) return alertFromRow(row);
      const next = { ...plan, status_by: actor, updated_at: now.toISOString() };
      await trx.updateTable("soc_alerts").set(next).where("seq", "=", row.seq).execute();
      await append({ actor, action: `soc.alert.${plan.status}`, target: `alert:${row.id}`, workspace, details: { previous: row.status, status: plan.status, reason: plan.status_reason, suppressed_until: plan.suppressed_until } });
      return alertFromRow({ ...row, ...next });
    });
  }

  /** The highest seq now: an export's upper bound, so it is a consistent snapshot. */
  async maxSeq(workspace: string): Promise<number> {
    const row = await this.#db.selectFrom("soc_alerts").select((eb) => eb.fn.max("seq").as("max")).where("workspace", "=", workspace).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** The seq an export of at most `limit` alerts after `afterSeq` ends at (a snapshot taken now). */
  async boundFor(workspace: string, filter: AlertFilter, afterSeq: number, limit: number): Promise<number> {
    const nth = await applyAlertFilter(this.#db.selectFrom("soc_alerts").selectAll(), workspace, filter).where("seq", ">", afterSeq).orderBy("seq", "asc").offset(limit - 1).limit(1).executeTakeFirst();
    return nth ? Number(nth.seq) : await this.maxSeq(workspace);
  }

  /** Alerts after `afterSeq` up to `untilSeq`, in pages, for the NDJSON export and the forwarder. */
  async *iterate(workspace: string | null, filter: AlertFilter, afterSeq: number, untilSeq: number, pageSize = 500): AsyncGenerator<Alert> {
    let position = afterSeq;
    for (;;) {
      let q = this.#db.selectFrom("soc_alerts").selectAll();
      q = workspace === null ? q : applyAlertFilter(q, workspace, filter);
      const rows = await q.where("seq", ">", position).where("seq", "<=", untilSeq).orderBy("seq", "asc").limit(pageSize).execute();
      for (const row of rows) yield alertFromRow(row);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      position = Number(last.seq);
    }
  }
}
