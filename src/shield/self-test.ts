// Runs rule samples and expected-verdict cases against an engine. Used by `clawnex shield test`
// (and, later, the dashboard's Shield Tests page).
import type { ShieldEngine } from "./engine.ts";
import type { Direction, Verdict } from "./types.ts";

export interface TestFailure {
  rule_id?: string | undefined;
  case: string;
  expected: string;
  actual: string;
}

export interface TestReport {
  passed: number;
  failed: number;
  failures: TestFailure[];
}

const short = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

export function runRuleSamples(engine: ShieldEngine): TestReport {
  const report: TestReport = { passed: 0, failed: 0, failures: [] };
  for (const rule of engine.rules) {
    const direction: Direction = rule.direction === "outbound" ? "outbound" : "inbound";
    const cases: Array<[string, boolean]> = [...rule.mustMatch.map((t): [string, boolean] => [t, true]), ...rule.mustNotMatch.map((t): [string, boolean] => [t, false])];
    for (const [text, shouldMatch] of cases) {
      const matched = engine.scan({ text, direction }).detections.some((d) => d.rule_id === rule.id);
      if (matched === shouldMatch) report.passed++;
      else {
        report.failed++;
        report.failures.push({ rule_id: rule.id, case: short(text), expected: shouldMatch ? "match" : "no match", actual: matched ? "match" : "no match" });
      }
    }
  }
  return report;
}

export interface VerdictCase {
  text: string;
  expect: Verdict;
  direction?: Direction | undefined;
  name?: string | undefined;
}

export function runVerdictCases(engine: ShieldEngine, cases: readonly VerdictCase[]): TestReport {
  const report: TestReport = { passed: 0, failed: 0, failures: [] };
  for (const c of cases) {
    const outcome = engine.scan({ text: c.text, direction: c.direction ?? "inbound" });
    if (outcome.verdict === c.expect) report.passed++;
    else {
      report.failed++;
      const rules = outcome.detections.map((d) => d.rule_id).join(", ");
      report.failures.push({ case: c.name ?? short(c.text), expected: c.expect, actual: `${outcome.verdict} (score ${outcome.score}${rules ? `; ${rules}` : ""})` });
    }
  }
  return report;
}
