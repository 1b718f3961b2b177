// Every rule carries its own true- and false-positive samples; this runs all of them, and holds
// every pattern to the backtracking-safety policy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ShieldEngine } from "../../src/shield/engine.ts";
import { checkRegexSafety } from "../../src/shield/regex-safety.ts";
import { loadRules } from "../../src/shield/rule-files.ts";

const rules = loadRules();
const engine = new ShieldEngine(rules, { thresholds: { review: 40, block: 70 } });

const FILLER = "The weather service expects light rain along the coast in the morning, clearing by noon. ".repeat(40);

function directionFor(direction: string): "inbound" | "outbound" {
  return direction === "outbound" ? "outbound" : "inbound";
}

describe("built-in Shield rules", () => {
  it("load with unique ids and cover the required families", () => {
    const families = new Set(rules.map((r) => r.family));
    for (const family of ["injection", "jailbreak", "obfuscation", "secrets", "pii", "commands", "paths", "exfiltration", "agent_files", "leak"]) {
      assert.ok(families.has(family), `family ${family} is missing`);
    }
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
  });

  it("has at least 40 credential formats in the secrets family", () => {
    assert.ok(rules.filter((r) => r.family === "secrets").length >= 40);
  });

  for (const rule of rules) {
    describe(rule.id, () => {
      it("has samples of both kinds", () => {
        assert.ok(rule.mustMatch.length > 0, "no must_match samples");
        assert.ok(rule.mustNotMatch.length > 0, "no must_not_match samples");
      });
      for (const sample of rule.mustMatch) {
        it(`matches ${JSON.stringify(sample.slice(0, 60))}`, () => {
          const outcome = engine.scan({ text: sample, direction: directionFor(rule.direction) });
          assert.ok(outcome.detections.some((d) => d.rule_id === rule.id), `rule did not fire; got ${outcome.detections.map((d) => d.rule_id).join(", ") || "nothing"}`);
        });
      }
      for (const sample of rule.mustNotMatch) {
        it(`does not match ${JSON.stringify(sample.slice(0, 60))}`, () => {
          const outcome = engine.scan({ text: sample, direction: directionFor(rule.direction) });
          assert.ok(!outcome.detections.some((d) => d.rule_id === rule.id), "rule fired on a must_not_match sample");
        });
      }
      it("matches its samples inside a long text", () => {
        // Short samples are scanned whole; inside a long text the patterns run only in windows
        // around keyword or prefilter hits, so this checks that those windows are wide enough.
        for (const sample of rule.mustMatch) {
          const outcome = engine.scan({ text: `${FILLER}\n\n${sample}\n\n${FILLER}`, direction: directionFor(rule.direction) });
          assert.ok(outcome.detections.some((d) => d.rule_id === rule.id), `missed ${JSON.stringify(sample.slice(0, 60))}`);
        }
      });
      it("has only backtracking-safe patterns", () => {
        for (const pattern of rule.patterns) assert.deepEqual(checkRegexSafety(pattern), [], `/${pattern}/`);
        if (rule.prefilter !== undefined) assert.deepEqual(checkRegexSafety(rule.prefilter), [], `prefilter /${rule.prefilter}/`);
      });
    });
  }
});
