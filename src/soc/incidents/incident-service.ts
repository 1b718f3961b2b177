// Reading and triaging incidents. An incident's detail lists its events in order, each with the
// rule steps it matched. Status changes are audited; resolving one tells the correlator, so the
// group's next events start a new incident instead of growing the closed one.
import type { Kysely } from "kysely";
import type { AuditLog } from "../../audit/audit-log.ts";
import { notFound } from "../../errors.ts";
import type { Database } from "../../store/schema.ts";
import { type FeedRequest, type Page, SeqCursor } from "../feed.ts";
import { planStatusChange, type Status, type StatusChange } from "../lifecycle.ts";
import type { SocSeverity } from "../model.ts";
import { eventFromRow } from "../pipeline/normalize.ts";
import { type Incident, type IncidentDetail, type IncidentEventEntry, incidentFromRow } from "./incident-types.ts";

export interface IncidentFilter {
  from?: string | undefined;
  to?: string | undefined;
  severity?: SocSeverity[] | undefined;
  status?: Status[] | undefined;
  rule_id?: string | undefined;
}

export class IncidentService {
  readonly #db: Kysely<Database>;
  readonly #audit: AuditLog;
  readonly #clock: () => Date;
  readonly #onStatus: (incidentId: string, status: Status) => void;
  readonly cursor: SeqCursor;

  constructor(db: Kysely<Database>, audit: AuditLog, cursor: SeqCursor, onStatus: (incidentId: string, status: Status) => void = () => {}, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#audit = audit;
    this.cursor = cursor;
    this.#onStatus = onStatus;
    this.#clock = clock;
  }

  async list(workspace: string, filter: IncidentFilter, request: FeedRequest): Promise<Page<Incident>> {
    const position = this.cursor.decode(request);
    let q = this.#db.selectFrom("soc_incidents").selectAll().where("workspace", "=", workspace);
    if (filter.status) q = q.where("status", "in", filter.status);
    if (filter.severity) q = q.where("severity", "in", filter.severity);
    if (filter.rule_id !== undefined) q = q.where("rule_id", "=", filter.rule_id);
    if (filter.from !== undefined) q = q.where("last_seen", ">=", filter.from);
    if (filter.to !== undefined) q = q.where("first_seen", "<", filter.to);
    if (position !== undefined) q = q.where("seq", request.order === "asc" ? ">" : "<", position);
    const rows = await q.orderBy("seq", request.order).limit(request.limit + 1).execute();
    return this.cursor.page(request, rows, (r) => Number(r.seq), incidentFromRow);
  }

  async get(workspace: string, id: string): Promise<IncidentDetail> {
    const row = await this.#db.selectFrom("soc_incidents").selectAll().where("id", "=", id).where("workspace", "=", workspace).executeTakeFirst();
    if (!row) throw notFound("incident");
    const links = await this.#db
      .selectFrom("soc_incident_events as l")
      .innerJoin("soc_events as e", "e.id", "l.event_id")
      .selectAll("e")
      .select(["l.step_id", "l.position"])
      .where("l.incident_id", "=", id)
      .orderBy("l.position", "asc")
      .orderBy("e.ts", "asc")
      .limit(5000)
      .execute();
    const entries = new Map<string, IncidentEventEntry>();
    for (const link of links) {
      const entry = entries.get(link.id);
      if (entry) entry.steps.push(link.step_id);
      else {
        const { step_id, position, ...event } = link;
        entries.set(link.id, { position: Number(position), steps: [step_id], event: eventFromRow(event) });
      }
    }
    return { ...incidentFromRow(row), events: [...entries.values()] };
  }

  async update(workspace: string, id: string, change: StatusChange, actor: string): Promise<Incident> {
    const now = this.#clock();
    const updated = await this.#audit.transaction(async (trx, append) => {
      const row = await trx.selectFrom("soc_incidents").selectAll().where("id", "=", id).where("workspace", "=", workspace).executeTakeFirst();
      if (!row) throw notFound("incident");
      const plan = planStatusChange(row.status as Status, change, now);
      if (!plan) return incidentFromRow(row);
      const next = { ...plan, status_by: actor, updated_at: now.toISOString() };
      await trx.updateTable("soc_incidents").set(next).where("id", "=", row.id).execute();
      await append({ actor, action: `soc.incident.${plan.status}`, target: `incident:${row.id}`, workspace, details: { previous: row.status, status: plan.status, reason: plan.status_reason, suppressed_until: plan.suppressed_until } });
      return incidentFromRow({ ...row, ...next });
    });
    this.#onStatus(updated.id, updated.status);
    return updated;
  }
}
