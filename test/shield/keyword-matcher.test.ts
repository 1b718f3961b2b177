// The keyword matcher walks long texts in blocks, each in four lanes that start a little early
// (see KeywordMatcher.#walkBlock). Whatever the text's length and wherever keywords fall against
// block and lane edges, it must find exactly what a plain search finds: the same counts and the
// same first located end offsets, in order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { KeywordMatcher, type KeywordKind } from "../../src/shield/aho-corasick.ts";
import { KeywordHits } from "../../src/shield/keyword-hits.ts";
import { isWordUnit } from "../../src/shield/keyword-words.ts";
import { foldUnit } from "../../src/shield/normalize.ts";

const KEYWORDS: Array<KeywordKind & { text: string }> = [
  { text: "ignore" },
  { text: "ignore previous" },
  { text: "the", wordEnd: true, positions: 512 },
  { text: "he" },
  { text: "aaaa" },
  { text: "soul.md", anywhere: true },
  { text: "/soul.md" },
  { text: "sk-" },
  { text: "漢字" },
  { text: "x".repeat(40), positions: 3 },
];

/** Text pieces that make keywords, near-misses and look-alikes meet block and lane edges. */
const PIECES = ["ignore", "IGN0RE", "ignore previous ", "the ", "then", "She", "aaaaa", "soul.md", "/SOUL.md", "sk-", "漢字", "Ｉｇｎｏｒｅ", "ígnore", " ", "\n", "x", "$", "ǃ"];

describe("keyword matcher on long texts", () => {
  const matcher = new KeywordMatcher(
    KEYWORDS.map((k) => k.text),
    KEYWORDS,
  );

  it("finds what a plain search finds, across blocks and lanes", () => {
    const piece = fc.constantFrom(...PIECES);
    const run = fc.tuple(piece, fc.integer({ min: 1, max: 4000 })).map(([p, times]) => p.repeat(times));
    fc.assert(
      fc.property(fc.array(run, { minLength: 1, maxLength: 40 }), (runs) => {
        const text = runs.join("");
        const hits = new KeywordHits(KEYWORDS.length);
        const distinct = matcher.findAll(text, hits);
        const expected = KEYWORDS.map((k) => plainSearch(text, k));
        assert.equal(distinct, expected.filter((ends) => ends.length > 0).length);
        expected.forEach((ends, id) => {
          assert.equal(hits.counts[id], Math.min(ends.length, 0xffff), KEYWORDS[id]?.text);
          const located = Math.min(ends.length, matcher.capacity(id));
          assert.equal(hits.located(id), located, KEYWORDS[id]?.text);
          const slot = hits.slots[id] as number;
          assert.deepEqual([...hits.ends.subarray(slot, slot + located)], ends.slice(0, located), KEYWORDS[id]?.text);
        });
      }),
      { numRuns: 40, seed: 20261125 },
    );
  });
});

/** End offsets of a keyword's hits that count: folded text equal, at a word start and end where its kind asks for them. */
function plainSearch(text: string, keyword: KeywordKind & { text: string }): number[] {
  const folded = Array.from({ length: text.length }, (_, i) => String.fromCharCode(foldUnit(text.charCodeAt(i)))).join("");
  const wanted = Array.from(keyword.text, (c) => String.fromCharCode(foldUnit(c.charCodeAt(0)))).join("");
  const wordStart = !keyword.anywhere && isWordUnit(foldUnit(keyword.text.charCodeAt(0)));
  const ends: number[] = [];
  for (let at = folded.indexOf(wanted); at >= 0; at = folded.indexOf(wanted, at + 1)) {
    const end = at + wanted.length;
    if (wordStart && at > 0 && continuesWord(text.charCodeAt(at - 1))) continue;
    if (keyword.wordEnd && end < text.length && /\w/.test(text[end] as string)) continue;
    ends.push(end);
  }
  return ends;
}

/** A unit that is a letter or digit both as regex \w sees it and folded (the matcher's word starts). */
function continuesWord(code: number): boolean {
  return /[A-Za-z0-9]/.test(String.fromCharCode(code)) && isWordUnit(foldUnit(code));
}
