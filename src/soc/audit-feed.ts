// The audit trail as a SOC feed (GET /api/v1/audit, its NDJSON export, the syslog forwarder):
// core.audit.list underneath, with the same signed seq cursors and envelope as alerts.
import { type AuditEvent, type AuditLog, encodeCursor } from "../audit/audit-log.ts";
import type { ChainFields } from "../audit/chain.ts";
import type { FeedRequest, Page, SeqCursor } from "./feed.ts";

/** The wire form of an audit event: its chained fields as stored, plus its own hash. */
export type AuditRecord = ChainFields & { object: "audit_event"; hash: string };

export interface AuditWindow {
  from?: string | undefined;
  to?: string | undefined;
}

export function auditRecord(e: AuditEvent): AuditRecord {
  return { object: "audit_event", seq: e.seq, id: e.id, ts: e.ts, workspace: e.workspace, actor: e.actor, action: e.action, target: e.target, details: e.details, prev_hash: e.prevHash, hash: e.hash };
}

export class AuditFeed {
  readonly #audit: AuditLog;
  readonly cursor: SeqCursor;

  constructor(audit: AuditLog, cursor: SeqCursor) {
    this.#audit = audit;
    this.cursor = cursor;
  }

  async list(workspace: string, window: AuditWindow, request: FeedRequest): Promise<Page<AuditRecord>> {
    const after = this.cursor.decode(request);
    const page = await this.#audit.list({ workspace, since: window.from, until: window.to, limit: request.limit, cursor: after !== undefined ? encodeCursor(after) : undefined });
    const records = page.events.map(auditRecord);
    const last = records.at(-1);
    return { data: records, has_more: page.nextCursor !== null, next_cursor: this.cursor.encode("asc", last ? last.seq : (after ?? 0)) };
  }

  /** Audit events after `afterSeq` up to `untilSeq` (null workspace: all of them), oldest first. */
  async *iterate(workspace: string | null, window: AuditWindow, afterSeq: number, untilSeq: number): AsyncGenerator<AuditRecord> {
    let position = afterSeq;
    for (;;) {
      const page = await this.#audit.list({ workspace: workspace ?? undefined, since: window.from, until: window.to, limit: 1000, cursor: encodeCursor(position) });
      for (const e of page.events) {
        if (e.seq > untilSeq) return;
        yield auditRecord(e);
      }
      const last = page.events.at(-1);
      if (!last || page.nextCursor === null) return;
      position = last.seq;
    }
  }

  /** The chain head's seq: an export's upper bound. */
  async maxSeq(): Promise<number> {
    return (await this.#audit.head())?.seq ?? 0;
  }
}
