// Which rules a scan runs. A rule left out here never sees the text, so every way of being left
// out is pinned: wrong direction, no keyword hit; and nothing of one scan leaks into the next.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CandidateRules } from "../../src/shield/candidate-rules.ts";
import { KeywordHits } from "../../src/shield/keyword-hits.ts";
import type { Direction, RuleDirection } from "../../src/shield/types.ts";

function hitsOf(keywordCount: number, found: readonly number[]): KeywordHits {
  const hits = new KeywordHits(keywordCount);
  found.forEach((id, k) => {
    hits.found[k] = id;
    hits.counts[id] = 1;
  });
  hits.foundCount = found.length;
  return hits;
}

describe("CandidateRules", () => {
  // Rules: 0 inbound on keyword 0; 1 outbound on keyword 0; 2 both on keyword 1; 3 inbound always;
  // 4 outbound always; 5 both on keywords 0 and 2.
  const keywordRules = [[0, 1, 5], [2], [5]];
  const directions: RuleDirection[] = ["inbound", "outbound", "both", "inbound", "outbound", "both"];
  const candidates = new CandidateRules(keywordRules, [3, 4], directions);

  it("runs the always-on rules of the scan's direction only, with no keyword hit", () => {
    assert.deepEqual(candidates.select("inbound", hitsOf(3, [])), [3]);
    assert.deepEqual(candidates.select("outbound", hitsOf(3, [])), [4]);
  });

  it("adds the rules of the keywords hit, in the scan's direction, in rule order", () => {
    assert.deepEqual(candidates.select("inbound", hitsOf(3, [2, 0])), [0, 3, 5]);
    assert.deepEqual(candidates.select("outbound", hitsOf(3, [0])), [1, 4, 5]);
    assert.deepEqual(candidates.select("outbound", hitsOf(3, [1])), [2, 4]);
  });

  it("selects exactly what a plain filter over the rules selects, scan after scan", () => {
    const model = (direction: Direction, found: number[]) =>
      directions.flatMap((d, r) => ((d === "both" || d === direction) && ([3, 4].includes(r) || found.some((k) => keywordRules[k]?.includes(r))) ? [r] : []));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom<Direction>("inbound", "outbound"), fc.uniqueArray(fc.integer({ min: 0, max: 2 })))), (scans) => {
        for (const [direction, found] of scans) assert.deepEqual(candidates.select(direction, hitsOf(3, found)), model(direction, found));
      }),
    );
  });
});
