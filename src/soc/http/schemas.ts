// Wire schemas of the SOC API (zod): request validation and the OpenAPI document both come from
// these. Named schemas (.meta({ id })) become reusable OpenAPI components.
import { z } from "zod";
import { authErrors, errorEnvelopeSchema } from "../../http/schemas/common.ts";
import { STATUSES } from "../lifecycle.ts";
import { SOC_SEVERITIES } from "../model.ts";

export const socErrors = { ...authErrors, 404: errorEnvelopeSchema, 409: errorEnvelopeSchema };

const severity = z.enum(SOC_SEVERITIES);
const status = z.enum(STATUSES);
const iso = z.string().max(64).describe("ISO-8601 time");

const evidence = z
  .object({
    scan_ids: z.array(z.string()).optional(),
    traffic_ids: z.array(z.string()).optional(),
    transcript: z.array(z.object({ session: z.string(), event_id: z.string(), part: z.string().optional() })).optional(),
    audit_ids: z.array(z.string()).optional(),
    rule_ids: z.array(z.string()).optional(),
    refs: z.array(z.string()).optional(),
  })
  .describe("Where the evidence is: scan, traffic and audit ids, transcript positions. Never the text itself.")
  .meta({ id: "SocEvidence" });

export const socEventSchema = z
  .object({
    id: z.string(),
    workspace: z.string(),
    ts: z.string(),
    source: z.string(),
    kind: z.string(),
    instance: z.string().nullable(),
    agent: z.string().nullable(),
    session: z.string().nullable(),
    sender: z.string().nullable(),
    target: z.string().nullable(),
    severity,
    category: z.string(),
    summary: z.string(),
    evidence,
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])),
  })
  .meta({ id: "SocEvent" });

export const alertSchema = z
  .object({
    id: z.string(),
    object: z.literal("alert"),
    workspace: z.string(),
    seq: z.number().int().describe("Creation order; the `since` cursor follows it."),
    rule_id: z.string(),
    title: z.string(),
    severity,
    status,
    source: z.string(),
    category: z.string(),
    instance: z.string().nullable(),
    agent: z.string().nullable(),
    target: z.string().nullable(),
    summary: z.string(),
    dedupe_key: z.string().describe("rule | workspace | the rule's dedupe fields: events with the same key within the window fold into this alert."),
    count: z.number().int(),
    first_seen: z.string(),
    last_seen: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    status_by: z.string().nullable(),
    status_reason: z.string().nullable(),
    suppressed_until: z.string().nullable(),
    event_ids: z.array(z.string()).describe("The first 20 and the latest event ids (50 at most)."),
    evidence,
  })
  .meta({ id: "Alert" });

const stepBreakdown = z.object({ id: z.string(), label: z.string(), weight: z.number(), required: z.boolean(), satisfied: z.boolean(), events: z.number().int(), strongest: severity.nullable(), points: z.number() });

export const incidentSchema = z
  .object({
    id: z.string(),
    object: z.literal("incident"),
    workspace: z.string(),
    seq: z.number().int(),
    rule_id: z.string(),
    title: z.string(),
    severity,
    status,
    group: z.record(z.string(), z.string().nullable()).describe("The values the rule grouped the events by (agent, session, sender, ...)."),
    score: z.number().describe("0..100, computed as the explanation shows."),
    explanation: z.string().describe("Why the rule fired: its steps in order, each with its events and points, and the sum."),
    breakdown: z.object({ steps: z.array(stepBreakdown), extra_events: z.number().int(), bonus: z.number(), threshold: z.number(), ordered: z.boolean(), window_seconds: z.number().int() }),
    event_count: z.number().int(),
    first_seen: z.string(),
    last_seen: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    status_by: z.string().nullable(),
    status_reason: z.string().nullable(),
    suppressed_until: z.string().nullable(),
  })
  .meta({ id: "Incident" });

export const incidentDetailSchema = incidentSchema
  .extend({ events: z.array(z.object({ position: z.number().int(), steps: z.array(z.string()), event: socEventSchema })).describe("The incident's events in arrival order, with the rule steps each matched.") })
  .meta({ id: "IncidentDetail" });

export const auditEventSchema = z
  .object({
    object: z.literal("audit_event"),
    seq: z.number().int(),
    id: z.string(),
    ts: z.string(),
    workspace: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .meta({ id: "AuditEvent" });

function envelope<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      next_cursor: z.string().nullable().describe("Ascending order: always set — poll again with it as `since` (or `cursor`). Descending: the next page, null on the last."),
      has_more: z.boolean().describe("More rows are waiting right now."),
    })
    .meta({ id });
}

export const alertPageSchema = envelope(alertSchema, "AlertPage");
export const incidentPageSchema = envelope(incidentSchema, "IncidentPage");
export const auditPageSchema = envelope(auditEventSchema, "AuditPage");

const feedQuery = {
  since: z.string().min(1).max(2048).optional().describe("Polling cursor: next_cursor from the previous page. Each row is returned once, in commit order."),
  cursor: z.string().min(1).max(2048).optional().describe("The same as `since` (either name)."),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Page size, 1 to 1000."),
  from: iso.optional().describe("Only rows active at or after this time."),
  to: iso.optional().describe("Only rows that started before this time."),
};

const csv = (values: readonly string[]) => z.string().max(200).optional().describe(`One or more of ${values.join(", ")}, comma-separated.`);

export const alertQuerySchema = z
  .object({
    ...feedQuery,
    order: z.enum(["asc", "desc"]).default("asc").describe("asc (default): oldest first, for polling; desc: newest first."),
    severity: csv(SOC_SEVERITIES),
    status: csv(STATUSES),
    agent: z.string().min(1).max(200).optional(),
    rule_id: z.string().min(1).max(200).optional(),
  })
  .strict();

export const alertExportQuerySchema = alertQuerySchema.omit({ order: true, limit: true }).extend({ limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000).describe("At most this many alerts (default 100,000).") });

export const incidentQuerySchema = z
  .object({
    ...feedQuery,
    order: z.enum(["asc", "desc"]).default("asc"),
    severity: csv(SOC_SEVERITIES),
    status: csv(STATUSES),
    rule_id: z.string().min(1).max(200).optional(),
  })
  .strict();

export const auditQuerySchema = z.object({ ...feedQuery }).strict();
export const auditExportQuerySchema = auditQuerySchema.omit({ limit: true }).extend({ limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000) });

export const statusChangeSchema = z
  .object({
    status,
    reason: z.string().trim().min(1).max(500).optional().describe("Why (required to suppress)."),
    suppressed_until: iso.optional().describe("When a suppression ends (at most 90 days ahead)."),
    suppress_for: z.string().regex(/^\d{1,6}[mhd]$/).optional().describe("Or its length: 30m, 12h, 7d."),
  })
  .strict()
  .meta({ id: "StatusChange" });

export const idParams = z.object({ id: z.string().min(1).max(100) });
