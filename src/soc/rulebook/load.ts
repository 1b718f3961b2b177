// Reads SOC rule files: the built-in ones shipped in src/soc/rules (alerts/ and correlation/) and
// an operator's own directory. Duplicate ids are refused, naming both files.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AlertRule, type CorrelationRule, parseSocRuleFile, SocRuleError } from "./schema.ts";

export const BUILTIN_SOC_RULES_DIR = fileURLToPath(new URL("../rules/", import.meta.url));
const RULE_FILE = /\.(ya?ml|json)$/;

export interface SocRuleSet {
  alerts: AlertRule[];
  correlations: CorrelationRule[];
}

function filesIn(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => RULE_FILE.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function loadRuleFiles(paths: Array<{ path: string; origin: string }>): SocRuleSet {
  const set: SocRuleSet = { alerts: [], correlations: [] };
  const seen = new Map<string, string>();
  for (const { path, origin } of paths) {
    const parsed = parseSocRuleFile(readFileSync(path, "utf8"), origin);
    for (const rule of [...parsed.alerts, ...parsed.correlations]) {
      const other = seen.get(rule.id);
      if (other) throw new SocRuleError(`SOC rule id ${rule.id} is defined twice (${other} and ${origin}); disable the built-in one in soc.disabledRules and give yours a new id`);
      seen.set(rule.id, origin);
    }
    set.alerts.push(...parsed.alerts);
    set.correlations.push(...parsed.correlations);
  }
  return set;
}

/** Built-in rules plus the operator's directory, minus disabled ids (unknown disabled ids are an error). */
export function loadSocRules(customDir: string | undefined, disabled: readonly string[] = []): SocRuleSet {
  const paths = [
    ...filesIn(join(BUILTIN_SOC_RULES_DIR, "alerts")).map((path) => ({ path, origin: `builtin:alerts/${path.split("/").pop()}` })),
    ...filesIn(join(BUILTIN_SOC_RULES_DIR, "correlation")).map((path) => ({ path, origin: `builtin:correlation/${path.split("/").pop()}` })),
    ...(customDir ? filesIn(customDir).map((path) => ({ path, origin: path })) : []),
  ];
  const set = loadRuleFiles(paths);
  const known = new Set([...set.alerts, ...set.correlations].map((r) => r.id));
  const unknown = disabled.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new SocRuleError(`soc.disabledRules names unknown rule ids: ${unknown.join(", ")}`);
  const off = new Set(disabled);
  return { alerts: set.alerts.filter((r) => !off.has(r.id)), correlations: set.correlations.filter((r) => !off.has(r.id)) };
}
