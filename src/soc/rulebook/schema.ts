// The SOC rule file format (YAML or JSON), validated with zod. One file holds one family of
// either alert rules or correlation rules:
//   kind: alert            # or: correlation
//   family: shield
//   rules:
//     - id: shield.blocked
//       title: Shield blocked content
//       severity: event    # the event's own severity; or a fixed one
//       match: { kind: shield.detection, attr: { verdict: BLOCK } }
//       threshold: { count: 1, window: 10m }
//       dedupe: { by: [agent, target], window: 1h }
//       summary: "Shield blocked {category} ({target}) on agent {agent}"
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { GROUP_FIELD_PATTERN, SOC_SEVERITIES } from "../model.ts";
import { durationSchema } from "./duration.ts";
import { compileMatch, type Matcher, matchSchema } from "./match.ts";

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]{2,100}$/, "ids are lower-case words joined by . _ or -");
const groupField = z.string().regex(GROUP_FIELD_PATTERN, "a group field is workspace, instance, agent, session, sender, target, source, kind, category or attr.NAME, with ? when it may be empty");
const distinctSchema = z.object({ field: groupField.refine((f) => !f.endsWith("?"), "distinct fields take no ?"), min: z.number().int().min(2) }).strict();

const alertRuleSchema = z
  .object({
    id: idSchema,
    title: z.string().min(3),
    description: z.string().default(""),
    severity: z.union([z.enum(SOC_SEVERITIES), z.literal("event")]).default("event"),
    /** With severity: event, the lowest severity the alert gets. */
    min_severity: z.enum(SOC_SEVERITIES).default("info"),
    match: matchSchema,
    threshold: z
      .object({ count: z.number().int().min(1).default(1), window: durationSchema.prefault("10m"), distinct: distinctSchema.optional() })
      .strict()
      .prefault({}),
    dedupe: z
      .object({ by: z.array(groupField).default(["agent", "target"]), window: durationSchema.prefault("1h") })
      .strict()
      .prefault({}),
    summary: z.string().min(3).max(500).optional(),
  })
  .strict();

const stepSchema = z
  .object({
    id: idSchema,
    label: z.string().min(3),
    weight: z.number().min(0).max(100),
    match: matchSchema,
    min_count: z.number().int().min(1).default(1),
    distinct: distinctSchema.optional(),
    required: z.boolean().default(true),
  })
  .strict();

const correlationRuleSchema = z
  .object({
    id: idSchema,
    title: z.string().min(3),
    description: z.string().default(""),
    severity: z.enum(SOC_SEVERITIES),
    group_by: z.array(groupField).min(1),
    window: durationSchema,
    ordered: z.boolean().default(false),
    threshold: z.number().min(0).max(100),
    /** Distinct events needed at least: one event never makes an incident on its own. */
    min_events: z.number().int().min(1).default(2),
    steps: z.array(stepSchema).min(1).max(12),
    bonus: z.object({ per_extra_event: z.number().min(0).max(50), max: z.number().min(0).max(100) }).strict().default({ per_extra_event: 0, max: 0 }),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const ids = new Set<string>();
    for (const step of rule.steps) {
      if (ids.has(step.id)) ctx.addIssue({ code: "custom", message: `step id ${step.id} is used twice`, path: ["steps"] });
      ids.add(step.id);
    }
    if (!rule.steps.some((s) => s.required)) ctx.addIssue({ code: "custom", message: "at least one step must be required", path: ["steps"] });
  });

const fileSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("alert"), family: z.string().min(2), description: z.string().optional(), rules: z.array(alertRuleSchema).min(1) }).strict(),
  z.object({ kind: z.literal("correlation"), family: z.string().min(2), description: z.string().optional(), rules: z.array(correlationRuleSchema).min(1) }).strict(),
]);

export interface AlertRule {
  id: string;
  title: string;
  description: string;
  severity: z.infer<typeof alertRuleSchema>["severity"];
  minSeverity: z.infer<typeof alertRuleSchema>["min_severity"];
  matches: Matcher;
  threshold: { count: number; windowMs: number; distinct?: { field: string; min: number } | undefined };
  dedupe: { by: Array<string>; windowMs: number };
  summary: string | undefined;
  family: string;
  origin: string;
}

export interface CorrelationStep {
  id: string;
  label: string;
  weight: number;
  matches: Matcher;
  minCount: number;
  distinct: { field: string; min: number } | undefined;
  required: boolean;
}

export interface CorrelationRule {
  id: string;
  title: string;
  description: string;
  severity: (typeof SOC_SEVERITIES)[number];
  groupBy: Array<string>;
  windowMs: number;
  ordered: boolean;
  threshold: number;
  minEvents: number;
  steps: CorrelationStep[];
  bonus: { perExtraEvent: number; max: number };
  family: string;
  origin: string;
}

export class SocRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SocRuleError";
  }
}

export interface ParsedRuleFile {
  alerts: AlertRule[];
  correlations: CorrelationRule[];
}

export function parseSocRuleFile(text: string, origin: string): ParsedRuleFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new SocRuleError(`${origin}: not valid YAML/JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`).join("\n");
    throw new SocRuleError(`${origin}: invalid SOC rule file:\n${issues}`);
  }
  const file = parsed.data;
  if (file.kind === "alert") {
    return {
      correlations: [],
      alerts: file.rules.map((r) => ({
        id: r.id,
        title: r.title,
        description: r.description,
        severity: r.severity,
        minSeverity: r.min_severity,
        matches: compileMatch(r.match),
        threshold: { count: r.threshold.count, windowMs: r.threshold.window, distinct: r.threshold.distinct },
        dedupe: { by: r.dedupe.by, windowMs: r.dedupe.window },
        summary: r.summary,
        family: file.family,
        origin,
      })),
    };
  }
  return {
    alerts: [],
    correlations: file.rules.map((r) => ({
      id: r.id,
      title: r.title,
      description: r.description,
      severity: r.severity,
      groupBy: r.group_by,
      windowMs: r.window,
      ordered: r.ordered,
      threshold: r.threshold,
      minEvents: r.min_events,
      steps: r.steps.map((s) => ({ id: s.id, label: s.label, weight: s.weight, matches: compileMatch(s.match), minCount: s.min_count, distinct: s.distinct, required: s.required })),
      bonus: { perExtraEvent: r.bonus.per_extra_event, max: r.bonus.max },
      family: file.family,
      origin,
    })),
  };
}
