// The rule file format, validated with zod. A rule file is YAML (or JSON) holding one family:
//   family: secrets
//   defaults: { category: secret, direction: both, view: clean, tags: [LLM02] }
//   rules:
//     - id: secrets.github-pat
//       title: GitHub personal access token
//       severity: critical
//       confidence: 0.95
//       keywords: [ghp_]
//       patterns: ['\bghp_[A-Za-z0-9]{36}\b']
//       must_match: [...]
//       must_not_match: [...]
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { foldPatternSource } from "./fold-pattern.ts";
import { maxMatchLength } from "./regex-length.ts";
import { checkRegexSafety } from "./regex-safety.ts";
import { SEVERITIES, SIGNAL_NAMES, type Rule } from "./types.ts";

const validatorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("luhn") }).strict(),
  z.object({ type: z.literal("iban") }).strict(),
  z.object({ type: z.literal("entropy"), min: z.number().min(0).max(8) }).strict(),
  z.object({ type: z.literal("not_placeholder") }).strict(),
  z.object({ type: z.literal("github_checksum") }).strict(),
  z.object({ type: z.literal("min_distinct"), min: z.number().int().min(1) }).strict(),
  z.object({ type: z.literal("payment_card") }).strict(),
  z.object({ type: z.literal("not_template") }).strict(),
  z.object({ type: z.literal("char_classes"), min: z.number().int().min(1).max(4), digit: z.boolean().optional() }).strict(),
  z.object({ type: z.literal("jwt") }).strict(),
  z.object({ type: z.literal("credential_pair") }).strict(),
  z.object({ type: z.literal("ssn") }).strict(),
  z.object({ type: z.literal("es_dni") }).strict(),
  z.object({ type: z.literal("nl_bsn") }).strict(),
  z.object({ type: z.literal("de_steuer_id") }).strict(),
  z.object({ type: z.literal("br_cpf") }).strict(),
  z.object({ type: z.literal("phone") }).strict(),
  z.object({ type: z.literal("not_identifier") }).strict(),
]);

const directionSchema = z.enum(["inbound", "outbound", "both"]);
const viewSchema = z.enum(["clean", "folded"]);

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{2,100}$/, "ids are lower-case words joined by . _ or -"),
    title: z.string().min(3),
    category: z.string().min(2).optional(),
    severity: z.enum(SEVERITIES),
    confidence: z.number().min(0).max(1),
    direction: directionSchema.optional(),
    view: viewSchema.optional(),
    keywords: z.array(z.string().min(2)).default([]),
    prefilter: z.string().min(1).optional(),
    patterns: z.array(z.string().min(1)).default([]),
    flags: z.string().regex(/^[imsu]*$/, "allowed flags: i m s u").default(""),
    secret_group: z.number().int().min(0).default(0),
    sensitive: z.boolean().optional(),
    validators: z.array(validatorSchema).default([]),
    min_matches: z.number().int().min(1).default(1),
    signal: z.object({ name: z.enum(SIGNAL_NAMES), min_count: z.number().int().min(1).default(1) }).strict().optional(),
    action: z.enum(["allow", "review", "block"]).optional(),
    tags: z.array(z.string()).optional(),
    must_match: z.array(z.string()).default([]),
    must_not_match: z.array(z.string()).default([]),
  })
  .strict();

const fileSchema = z
  .object({
    family: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    description: z.string().optional(),
    defaults: z
      .object({
        category: z.string().optional(),
        direction: directionSchema.optional(),
        view: viewSchema.optional(),
        tags: z.array(z.string()).optional(),
        sensitive: z.boolean().optional(),
      })
      .strict()
      .default({}),
    rules: z.array(ruleSchema).min(1),
  })
  .strict();

export class RuleLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuleLoadError";
  }
}

/** Compiles a rule's patterns once; throws RuleLoadError naming the rule on any problem. */
export function compilePatterns(rule: Pick<Rule, "id" | "patterns" | "keywords" | "flags" | "signal" | "view">): RegExp[] {
  const sources = rule.patterns.length > 0 ? rule.patterns : rule.keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (sources.length === 0 && !rule.signal) throw new RuleLoadError(`rule ${rule.id}: needs patterns, keywords or a signal`);
  const flags = rule.patterns.length > 0 ? rule.flags : "i";
  return sources.map((source) => {
    const issues = checkRegexSafety(source);
    if (issues.length > 0) throw new RuleLoadError(`rule ${rule.id}: pattern /${source}/ refused: ${issues.map((x) => x.reason).join("; ")}`);
    try {
      return new RegExp(rule.view === "folded" ? foldPatternSource(source, flags) : source, `${flags}gd`);
    } catch (err) {
      throw new RuleLoadError(`rule ${rule.id}: invalid pattern /${source}/: ${(err as Error).message}`);
    }
  });
}

/** A prefilter's hits must be short: the windows around them are padded by its longest match. */
export const MAX_PREFILTER_LENGTH = 64;

/** Compiles a rule's prefilter (null without one); throws RuleLoadError naming the rule on any problem. */
export function compilePrefilter(rule: Pick<Rule, "id" | "prefilter" | "flags" | "patterns" | "view">): RegExp | null {
  const source = rule.prefilter;
  if (source === undefined) return null;
  if (rule.patterns.length === 0) throw new RuleLoadError(`rule ${rule.id}: a prefilter needs patterns`);
  const issues = checkRegexSafety(source);
  if (issues.length > 0) throw new RuleLoadError(`rule ${rule.id}: prefilter /${source}/ refused: ${issues.map((x) => x.reason).join("; ")}`);
  if (maxMatchLength(source) > MAX_PREFILTER_LENGTH) throw new RuleLoadError(`rule ${rule.id}: prefilter /${source}/ can match more than ${MAX_PREFILTER_LENGTH} characters`);
  let regex: RegExp;
  try {
    regex = new RegExp(rule.view === "folded" ? foldPatternSource(source, rule.flags) : source, `${rule.flags}g`);
  } catch (err) {
    throw new RuleLoadError(`rule ${rule.id}: invalid prefilter /${source}/: ${(err as Error).message}`);
  }
  if (regex.test("")) throw new RuleLoadError(`rule ${rule.id}: prefilter /${source}/ matches the empty string`);
  regex.lastIndex = 0;
  return regex;
}

/** Parses one rule file's text into rules; `origin` names the file in errors. */
export function parseRuleFile(text: string, origin: string): Rule[] {
  let raw: unknown;
  try {
    raw = origin.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new RuleLoadError(`${origin}: not valid ${origin.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new RuleLoadError(`${origin}: invalid rule file:\n${lines.join("\n")}`);
  }
  const file = parsed.data;
  const d = file.defaults;
  return file.rules.map((r): Rule => {
    const category = r.category ?? d.category;
    if (!category) throw new RuleLoadError(`${origin}: rule ${r.id} has no category (set it on the rule or in defaults)`);
    const rule: Rule = {
      id: r.id,
      title: r.title,
      family: file.family,
      category,
      severity: r.severity,
      confidence: r.confidence,
      direction: r.direction ?? d.direction ?? "both",
      view: r.view ?? d.view ?? "clean",
      keywords: r.keywords.map((k) => k.toLowerCase()),
      prefilter: r.prefilter,
      patterns: r.patterns,
      flags: r.flags,
      secretGroup: r.secret_group,
      sensitive: r.sensitive ?? d.sensitive ?? false,
      validators: r.validators,
      minMatches: r.min_matches,
      signal: r.signal ? { name: r.signal.name, minCount: r.signal.min_count } : undefined,
      action: r.action,
      tags: r.tags ?? d.tags ?? [],
      mustMatch: r.must_match,
      mustNotMatch: r.must_not_match,
      origin,
    };
    compilePatterns(rule);
    compilePrefilter(rule);
    return rule;
  });
}
