// Event matching shared by alert and correlation rules. A rule's `match` is one spec or a list of
// specs (any of them); within a spec every given field must match. String fields take one value
// or a list; a value ending in ".*" or "*" matches by prefix. `attr` compares the event's
// attributes: a list attribute matches when any of its elements is listed.
import { z } from "zod";
import { type AttributeValue, type SocEvent, SOC_SEVERITIES, severityRank } from "../model.ts";

const stringList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const scalarList = z.union([scalar, z.array(scalar).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const matchSpecSchema = z
  .object({
    kind: stringList.optional(),
    source: stringList.optional(),
    category: stringList.optional(),
    instance: stringList.optional(),
    agent: stringList.optional(),
    sender: stringList.optional(),
    target: stringList.optional(),
    min_severity: z.enum(SOC_SEVERITIES).optional(),
    attr: z.record(z.string().min(1), scalarList).optional(),
    not_attr: z.record(z.string().min(1), scalarList).optional(),
  })
  .strict();

export const matchSchema = z.union([matchSpecSchema, z.array(matchSpecSchema).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));

export type MatchSpec = z.infer<typeof matchSpecSchema>;
export type Matcher = (event: SocEvent) => boolean;

const STRING_FIELDS = ["kind", "source", "category", "instance", "agent", "sender", "target"] as const;

function stringTest(patterns: string[]): (value: string | null) => boolean {
  const exact = new Set(patterns.filter((p) => !p.endsWith("*")));
  const prefixes = patterns.filter((p) => p.endsWith("*")).map((p) => p.slice(0, -1));
  return (value) => value !== null && (exact.has(value) || prefixes.some((p) => value.startsWith(p)));
}

function attrTest(expected: Array<string | number | boolean>): (value: AttributeValue | undefined) => boolean {
  const set = new Set<string | number | boolean>(expected);
  return (value) => {
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) return value.some((v) => set.has(v));
    return set.has(value);
  };
}

function compileSpec(spec: MatchSpec): Matcher {
  const tests: Matcher[] = [];
  for (const field of STRING_FIELDS) {
    const patterns = spec[field];
    if (patterns) {
      const test = stringTest(patterns);
      tests.push((e) => test(e[field]));
    }
  }
  if (spec.min_severity) {
    const min = severityRank(spec.min_severity);
    tests.push((e) => severityRank(e.severity) >= min);
  }
  for (const [name, values] of Object.entries(spec.attr ?? {})) {
    const test = attrTest(values);
    tests.push((e) => test(e.attributes[name]));
  }
  for (const [name, values] of Object.entries(spec.not_attr ?? {})) {
    const test = attrTest(values);
    tests.push((e) => !test(e.attributes[name]));
  }
  return (e) => tests.every((t) => t(e));
}

/** Compiles a rule's match (any of the specs) into one predicate. */
export function compileMatch(specs: MatchSpec[]): Matcher {
  const compiled = specs.map(compileSpec);
  return (e) => compiled.some((m) => m(e));
}
