// The engine's shortcuts must not change what it finds: rule prefilters, the already-clean fast
// path of normalisation, the folded view and the keyword matcher's compressed alphabet.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeywordMatcher } from "../../src/shield/aho-corasick.ts";
import { KeywordHits } from "../../src/shield/keyword-hits.ts";
import { ShieldEngine } from "../../src/shield/engine.ts";
import { fold, foldUnit, normalize, toOriginalSpan } from "../../src/shield/normalize.ts";
import { parseRuleFile, RuleLoadError } from "../../src/shield/rule-schema.ts";

const ruleFile = (extra: string) => `
family: testing
defaults: { category: pii, direction: both, view: clean, sensitive: true }
rules:
  - id: testing.order-number
    title: Order number
    severity: high
    confidence: 0.9
${extra}
    patterns: ['(?<![\\w-])ORD-\\d{6}(?![\\w-])']
    must_match: ["order ORD-123456 shipped"]
    must_not_match: ["ORD-12345"]
`;

const FILLER = "Nothing to see in this sentence, just ordinary words about the weather. ".repeat(100);

describe("rule prefilters", () => {
  it("find matches near their hits in long texts, and skip the rule without hits", () => {
    const rules = parseRuleFile(ruleFile("    prefilter: 'D-\\d{3}'"), "testing.yaml");
    const engine = new ShieldEngine(rules, { thresholds: { review: 40, block: 70 } });
    const hit = engine.scan({ text: `${FILLER}\nyour order ORD-123456 shipped\n${FILLER}` });
    assert.deepEqual(hit.detections.map((d) => d.rule_id), ["testing.order-number"]);
    const start = FILLER.length + "\nyour order ".length;
    assert.deepEqual(hit.detections[0]?.span, { start, end: start + "ORD-123456".length });
    assert.equal(engine.scan({ text: `${FILLER}ORD-12345${FILLER}` }).detections.length, 0);
  });

  it("are refused when they could match nothing, too much, or have no patterns to guard", () => {
    assert.throws(() => parseRuleFile(ruleFile("    prefilter: 'x?'"), "t.yaml"), RuleLoadError);
    assert.throws(() => parseRuleFile(ruleFile("    prefilter: '\\d{65}'"), "t.yaml"), RuleLoadError);
    assert.throws(() => parseRuleFile(ruleFile("    prefilter: '(a+)+'"), "t.yaml"), RuleLoadError);
    const noPatterns = ruleFile("    prefilter: 'ORD'").replace(/ {4}patterns: .*\n/, "    keywords: [ord-]\n");
    assert.throws(() => parseRuleFile(noPatterns, "t.yaml"), RuleLoadError);
  });
});

describe("normalisation fast paths", () => {
  it("returns clean text as it is when NFKC and the invisible filter leave it alone", () => {
    for (const text of ["plain ascii", "café – naïve “quotes” 漢字 😀", "lone \ud800 surrogate"]) {
      const n = normalize(text);
      assert.equal(n.clean, text);
      assert.equal(n.map, null);
    }
  });

  it("maps every clean unit back to its source, around removals and expansions", () => {
    const text = "a\u200bﬁ😀\u{1D400}x\u{E0041}\ud800b";
    const n = normalize(text);
    assert.equal(n.clean, "afi😀Ax\ud800b");
    assert.deepEqual([...(n.map ?? [])], [0, 2, 2, 3, 4, 5, 7, 10, 11]);
    assert.deepEqual(n.invisible, { zero_width: 1, bidi: 0, tag: 1 });
    assert.equal(n.tagPayload, "A");
    assert.deepEqual(toOriginalSpan(n, 3, 5), { start: 3, end: 5 });
  });

  it("folds each unit to exactly one unit, idempotently", () => {
    const text = "İGNORE Аll Ｐrevious 1nstruct10ns $ecret \ud800 Σ";
    const folded = fold(normalize(text).clean);
    assert.equal(folded.length, normalize(text).clean.length);
    assert.equal(fold(folded), folded);
    assert.match(folded, /all previous instructions secret/);
    for (let code = 0; code < 0x10000; code += 7) assert.equal(foldUnit(foldUnit(code)), foldUnit(code));
  });
});

describe("keyword matcher", () => {
  it("finds keywords through case, leetspeak and look-alike letters, at word starts only", () => {
    const keywords = ["ignore", "sk-", "кey", "nc"];
    const matcher = new KeywordMatcher(keywords);
    const hits = new KeywordHits(keywords.length);
    matcher.findAll("1GN0RE this; use sk-abc; the KEY; function nc", hits);
    assert.deepEqual([...hits.counts], [1, 1, 1, 1]);
    assert.equal(hits.ends[hits.slots[0] as number], 6);
  });
});
