// RFC 5424 syslog messages for alerts and audit events:
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [clawnex@32473 k="v" ...] BOM{json}
// PRI = facility × 8 + severity. The structured data carries the fields a SIEM indexes on; MSG is
// the record as JSON (UTF-8, so it starts with a BOM as the RFC requires). 32473 is the private
// enterprise number RFC 5612 sets aside for documentation: ClawNex has none of its own.
import type { AuditRecord } from "../audit-feed.ts";
import type { SocSeverity } from "../model.ts";
import type { ExportedAlert } from "./excerpts.ts";

export const SD_ID = "clawnex@32473";

/** SOC severity → syslog severity (2 crit, 3 err, 4 warning, 5 notice, 6 info). */
const SYSLOG_SEVERITY: Record<SocSeverity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

export interface SyslogHeader {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
}

/** PRINTUSASCII without spaces, or "-" (NILVALUE) when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return clean.length > 0 ? clean : "-";
}

/** SD-PARAM values escape '"', '\' and ']' (RFC 5424 section 6.3.3). */
function sdValue(value: string): string {
  return value.slice(0, 256).replace(/[\\"\]]/g, (c) => `\\${c}`);
}

export function structuredData(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined)
    .map(([k, v]) => `${k}="${sdValue(String(v))}"`);
  return `[${SD_ID}${parts.length ? ` ${parts.join(" ")}` : ""}]`;
}

export function formatSyslog(header: SyslogHeader, severity: number, timestamp: string, msgId: string, sd: string, message: string): string {
  const pri = header.facility * 8 + severity;
  return `<${pri}>1 ${timestamp} ${headerField(header.hostname, 255)} ${headerField(header.appName, 48)} ${headerField(header.procId, 128)} ${headerField(msgId, 32)} ${sd} \uFEFF${message}`;
}

export function alertMessage(header: SyslogHeader, alert: ExportedAlert): string {
  // The event id list is for the API; the syslog record stays small enough for one datagram.
  const { event_ids: _ids, ...record } = alert;
  const sd = structuredData({ id: alert.id, seq: alert.seq, rule: alert.rule_id, severity: alert.severity, status: alert.status, workspace: alert.workspace, agent: alert.agent, target: alert.target, count: alert.count });
  return formatSyslog(header, SYSLOG_SEVERITY[alert.severity], alert.created_at, "alert", sd, JSON.stringify(record));
}

export function auditMessage(header: SyslogHeader, event: AuditRecord): string {
  const sd = structuredData({ id: event.id, seq: event.seq, action: event.action, actor: event.actor, target: event.target, workspace: event.workspace });
  return formatSyslog(header, 5, event.ts, "audit", sd, JSON.stringify(event));
}
