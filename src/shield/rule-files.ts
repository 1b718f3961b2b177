// Reads rule files from disk: the built-in families shipped in ./rules and an operator's own
// rules directory. Kept apart from the engine so the engine stays free of I/O.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRuleFile, RuleLoadError } from "./rule-schema.ts";
import type { Rule } from "./types.ts";

export const BUILTIN_RULES_DIR = fileURLToPath(new URL("./rules/", import.meta.url));

const RULE_FILE = /\.(ya?ml|json)$/;

export function loadRuleDir(dir: string, originPrefix: string): Rule[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => RULE_FILE.test(f)).sort();
  return files.flatMap((file) => parseRuleFile(readFileSync(join(dir, file), "utf8"), `${originPrefix}${file}`));
}

/** Built-in rules plus the operator's custom rules; duplicate ids are refused with both origins. */
export function loadRules(customDir?: string): Rule[] {
  const rules = [...loadRuleDir(BUILTIN_RULES_DIR, "builtin:"), ...(customDir ? loadRuleDir(customDir, `${customDir}/`) : [])];
  const byId = new Map<string, Rule>();
  for (const rule of rules) {
    const existing = byId.get(rule.id);
    if (existing) {
      throw new RuleLoadError(`rule id ${rule.id} is defined twice (${existing.origin} and ${rule.origin}); to replace a built-in rule, disable it in shield.disabledRules and give yours a new id`);
    }
    byId.set(rule.id, rule);
  }
  return rules;
}
