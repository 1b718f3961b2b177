// The rule files: every built-in rule loads, the format refuses mistakes with a clear message,
// operators add rules in their own directory and switch built-in ones off, and the matcher does
// what the format documents.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compileMatch, matchSchema } from "../../src/soc/rulebook/match.ts";
import { loadSocRules } from "../../src/soc/rulebook/load.ts";
import { parseSocRuleFile, SocRuleError } from "../../src/soc/rulebook/schema.ts";
import type { SocEvent } from "../../src/soc/model.ts";
import { startTestServer } from "../helpers/server.ts";

const event = (over: Partial<SocEvent>): SocEvent => ({ id: "e", workspace: "default", ts: "2025-01-01T00:00:00.000Z", source: "shield", kind: "shield.detection", instance: null, agent: "a", session: null, sender: null, target: "t", severity: "high", category: "c", summary: "", evidence: {}, attributes: {}, ...over });

describe("SOC rules", () => {
  test("the built-in rules load, with unique ids", () => {
    const rules = loadSocRules(undefined);
    assert.ok(rules.alerts.length >= 15 && rules.correlations.length >= 4);
    const ids = [...rules.alerts, ...rules.correlations].map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  test("mistakes are refused with the file and the path", () => {
    const bad = (text: string, pattern: RegExp) => assert.throws(() => parseSocRuleFile(text, "custom.yaml"), (err: unknown) => err instanceof SocRuleError && pattern.test(err.message) && err.message.includes("custom.yaml"));
    bad("kind: alert\nfamily: x\nrules: []", /rules/);
    bad("kind: alert\nfamily: xx\nrules:\n  - { id: Bad Id, title: abc, match: { kind: x } }", /rules\.0\.id/);
    bad("kind: alert\nfamily: xx\nrules:\n  - { id: a.b.c, title: abc, match: { kind: x }, dedupe: { by: [agnt] } }", /group field/);
    bad("kind: alert\nfamily: xx\nrules:\n  - { id: a.b.c, title: abc, match: { knd: x } }", /knd|Unrecognized/);
    bad("kind: alert\nfamily: xx\nrules:\n  - { id: a.b.c, title: abc, match: { kind: x }, threshold: { window: 5 } }", /window/);
    bad("kind: correlation\nfamily: xx\nrules:\n  - { id: c.d.e, title: abc, severity: high, group_by: [agent], window: 1h, threshold: 50, steps: [{ id: s1, label: one, weight: 50, match: { kind: x }, required: false }] }", /at least one step must be required/);
    bad("kind: correlation\nfamily: xx\nrules:\n  - { id: c.d.e, title: abc, severity: high, group_by: [agent], window: 1h, threshold: 50, steps: [{ id: s1, label: one, weight: 50, match: { kind: x } }, { id: s1, label: two, weight: 50, match: { kind: y } }] }", /used twice/);
    bad("kind: nope\nfamily: xx\nrules: []", /kind/);
    bad(": : :", /YAML|invalid/);
  });

  test("an operator's directory adds rules; duplicates and unknown disabled ids are refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawnex-soc-rules-"));
    try {
      writeFileSync(join(dir, "mine.yaml"), "kind: alert\nfamily: mine\nrules:\n  - { id: mine.any-egress, title: Any egress, severity: low, match: { kind: network.egress } }\n");
      const rules = loadSocRules(dir, ["shield.repeated-review"]);
      assert.ok(rules.alerts.some((r) => r.id === "mine.any-egress" && r.origin.endsWith("mine.yaml")));
      assert.ok(!rules.alerts.some((r) => r.id === "shield.repeated-review"));
      assert.throws(() => loadSocRules(dir, ["no.such-rule"]), /unknown rule ids: no.such-rule/);
      writeFileSync(join(dir, "dup.yaml"), "kind: alert\nfamily: dup\nrules:\n  - { id: shield.blocked, title: Mine, match: { kind: x } }\n");
      assert.throws(() => loadSocRules(dir), /shield\.blocked is defined twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a bad custom rule stops the server at start with a config error", async () => {
    await assert.rejects(startTestServer({ configFile: { soc: { disabledRules: ["shield.nope"] } } }), /soc\.disabledRules names unknown rule ids/);
  });

  test("matching: any-of specs, prefixes, list attributes, not_attr, min_severity", () => {
    const m = compileMatch(matchSchema.parse([{ kind: "shield.*", attr: { categories: ["jailbreak", "prompt_injection"] }, not_attr: { verdict: "ALLOW" } }, { kind: "auth.denied", min_severity: "medium" }]));
    assert.equal(m(event({ attributes: { categories: ["pii", "jailbreak"], verdict: "BLOCK" } })), true);
    assert.equal(m(event({ attributes: { categories: ["jailbreak"], verdict: "ALLOW" } })), false);
    assert.equal(m(event({ attributes: { categories: ["pii"] } })), false);
    assert.equal(m(event({ kind: "shieldx", attributes: { categories: ["jailbreak"] } })), false);
    assert.equal(m(event({ kind: "auth.denied", severity: "low" })), false);
    assert.equal(m(event({ kind: "auth.denied", severity: "medium" })), true);
    const boolean = compileMatch(matchSchema.parse({ attr: { enforced: false, status: 401 } }));
    assert.equal(boolean(event({ attributes: { enforced: false, status: 401 } })), true);
    assert.equal(boolean(event({ attributes: { enforced: true, status: 401 } })), false);
    assert.equal(boolean(event({ attributes: { status: 401 } })), false);
  });
});
