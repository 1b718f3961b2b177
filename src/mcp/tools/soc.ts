// SOC tools: recent alerts (with filters), recent incidents, one incident with its explanation.
import { z } from "zod";
import { STATUSES } from "../../soc/lifecycle.ts";
import { SOC_SEVERITIES } from "../../soc/model.ts";
import { defineTool, nextPage, plural, READ_ONLY, records, str } from "../tool.ts";

const iso = z.iso.datetime({ offset: true });
const common = {
  severity: z.array(z.enum(SOC_SEVERITIES)).max(5).optional().describe("Only these severities, e.g. [\"high\", \"critical\"]."),
  status: z.array(z.enum(STATUSES)).max(4).optional().describe("Only these statuses, e.g. [\"open\"]. Default: all."),
  from: iso.optional().describe("Only rows active at or after this ISO-8601 time."),
  to: iso.optional().describe("Only rows that started before this ISO-8601 time."),
  limit: z.number().int().min(1).max(100).default(20).describe("How many to return (1-100)."),
  cursor: z.string().max(2048).optional().describe("next_cursor from a previous call, to page on."),
  order: z.enum(["desc", "asc"]).default("desc").describe("desc (default): newest first; asc: oldest first, for polling new rows with the cursor."),
};

function query(args: { severity?: string[] | undefined; status?: string[] | undefined; from?: string | undefined; to?: string | undefined; limit: number; cursor?: string | undefined; order: string }) {
  return { severity: args.severity?.join(","), status: args.status?.join(","), from: args.from, to: args.to, limit: args.limit, cursor: args.cursor, order: args.order };
}

export const recentAlerts = defineTool({
  name: "recent_alerts",
  title: "Recent alerts",
  description: "Security alerts ClawNex raised from Shield detections, trust and posture findings, fleet events and key misuse. Each alert folds repeats (count) and has a status (open, acknowledged, resolved, suppressed). Filter by severity, status, agent, rule and time window.",
  inputSchema: {
    ...common,
    agent: z.string().min(1).max(200).optional().describe("Only alerts about this agent id."),
    rule_id: z.string().min(1).max(200).optional().describe("Only alerts raised by this alert rule."),
  },
  annotations: READ_ONLY,
  async run(args, api) {
    const page = await api.get("/api/v1/alerts", { ...query(args), agent: args.agent, rule_id: args.rule_id });
    const alerts = records(page.data);
    const lines = [`${plural(alerts.length, "alert")} (${args.order === "desc" ? "newest first" : "oldest first"}):`];
    for (const a of alerts) {
      const who = [a.agent ? `agent ${str(a.agent)}` : "", a.instance ? `instance ${str(a.instance)}` : "", a.target ? `target ${str(a.target)}` : ""].filter(Boolean).join(", ");
      lines.push(`- [${str(a.severity).toUpperCase()}] ${str(a.status)} · ${str(a.title)}${who ? ` (${who})` : ""} · ×${str(a.count)} · last ${str(a.last_seen)} · ${str(a.id)}`);
      if (a.summary && a.summary !== a.title) lines.push(`  ${str(a.summary)}`);
    }
    return { text: lines.join("\n") + nextPage(page.next_cursor, page.has_more, args.order === "asc"), structured: page };
  },
});

export const recentIncidents = defineTool({
  name: "recent_incidents",
  title: "Recent incidents",
  description: "Incidents: related events that correlation rules grouped (by agent, session, sender, time window) and scored. Use incident_detail for one incident's events and explanation.",
  inputSchema: { ...common, rule_id: z.string().min(1).max(200).optional().describe("Only incidents opened by this correlation rule.") },
  annotations: READ_ONLY,
  async run(args, api) {
    const page = await api.get("/api/v1/incidents", { ...query(args), rule_id: args.rule_id });
    const incidents = records(page.data);
    const lines = [`${plural(incidents.length, "incident")} (${args.order === "desc" ? "newest first" : "oldest first"}):`];
    for (const i of incidents) lines.push(`- [${str(i.severity).toUpperCase()}] ${str(i.status)} · ${str(i.title)} · score ${str(i.score)} · ${plural(Number(i.event_count ?? 0), "event")} · last ${str(i.last_seen)} · ${str(i.id)}`);
    return { text: lines.join("\n") + nextPage(page.next_cursor, page.has_more, args.order === "asc"), structured: page };
  },
});

export const incidentDetail = defineTool({
  name: "incident_detail",
  title: "Incident detail",
  description: "One incident: the correlation rule, its score and why (the explanation), the grouped values, and its events in order with the rule steps each matched. Evidence is by reference (scan, traffic, audit ids), never raw prompt text.",
  inputSchema: { id: z.string().min(1).max(100).describe("The incident id (from recent_incidents or an alert).") },
  annotations: READ_ONLY,
  async run(args, api) {
    const i = await api.get(`/api/v1/incidents/${encodeURIComponent(args.id)}`);
    const group = i.group && typeof i.group === "object" ? Object.entries(i.group as Record<string, unknown>).map(([k, v]) => `${k}=${str(v)}`).join(", ") : "";
    const lines = [
      `[${str(i.severity).toUpperCase()}] ${str(i.title)} (${str(i.id)})`,
      `status ${str(i.status)}${i.status_reason ? ` (${str(i.status_reason)})` : ""} · rule ${str(i.rule_id)} · score ${str(i.score)} · ${plural(Number(i.event_count ?? 0), "event")} · ${str(i.first_seen)} → ${str(i.last_seen)}`,
    ];
    if (group) lines.push(`grouped by ${group}`);
    if (i.explanation) lines.push("", `Why: ${str(i.explanation)}`);
    const events = records(i.events);
    if (events.length > 0) lines.push("", "Events in order:");
    for (const e of events) {
      const ev = (e.event ?? {}) as Record<string, unknown>;
      const steps = Array.isArray(e.steps) && e.steps.length > 0 ? ` [steps: ${e.steps.join(", ")}]` : "";
      const position = typeof e.position === "number" ? e.position + 1 : str(e.position);
      lines.push(`${position}. ${str(ev.ts)} [${str(ev.severity)}] ${str(ev.kind)}${ev.agent ? ` agent ${str(ev.agent)}` : ""}: ${str(ev.summary)}${steps}`);
    }
    return { text: lines.join("\n"), structured: i };
  },
});

export const auditEvents = defineTool({
  name: "audit_events",
  title: "Audit events",
  description: "ClawNex's hash-chained audit trail (key changes, mode changes, break-glass, alert status changes, scans run by admins), oldest first within the window. Defaults to the last 24 hours.",
  inputSchema: {
    from: iso.optional().describe("Start of the window (ISO-8601); default 24 hours ago."),
    to: iso.optional().describe("End of the window (ISO-8601)."),
    limit: z.number().int().min(1).max(200).default(50).describe("How many to return (1-200)."),
    cursor: z.string().max(2048).optional().describe("next_cursor from a previous call, to continue."),
    action: z.string().max(100).optional().describe("Only events whose action starts with this, e.g. \"keys.\" (filtered on the returned page)."),
  },
  annotations: READ_ONLY,
  async run(args, api) {
    const from = args.cursor ? args.from : (args.from ?? new Date(Date.now() - 86_400_000).toISOString());
    const page = await api.get("/api/v1/audit", { from, to: args.to, limit: args.limit, cursor: args.cursor });
    const all = records(page.data);
    const events = args.action ? all.filter((e) => str(e.action).startsWith(args.action ?? "")) : all;
    const lines = [`${plural(events.length, "audit event")}${args.action ? ` matching "${args.action}" (of ${all.length} on this page)` : ""}${from ? ` since ${from}` : ""}:`];
    for (const e of events) lines.push(`- ${str(e.ts)} ${str(e.actor)} ${str(e.action)}${e.target ? ` → ${str(e.target)}` : ""}`);
    return { text: lines.join("\n") + nextPage(page.next_cursor, page.has_more, true), structured: { ...page, data: events } };
  },
});
