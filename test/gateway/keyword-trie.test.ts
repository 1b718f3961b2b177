// The holdback's flat keyword trie: walking raw text from any position finds exactly the keywords
// that start there (compared folded), says which prefixes go on, and hands back each keyword's own
// value. Checked against a plain startsWith search over random keyword sets and texts, including
// capitals, leetspeak and look-alikes the fold maps onto keyword letters.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BRANCHES, ENDS, KeywordTrie } from "../../src/gateway/keyword-trie.ts";
import { fold, foldUnit } from "../../src/shield/normalize.ts";

/** Keywords that start at `at` in text, by what the trie walk reports, and where it stops. */
function walk(trie: KeywordTrie<string>, text: string, at: number): { found: string[]; prefix: boolean } {
  const found: string[] = [];
  let entry = trie.step(0, text.charCodeAt(at));
  let prefix = (entry & BRANCHES) !== 0;
  for (let j = at + 1; entry !== 0; j++) {
    if ((entry & ENDS) !== 0) found.push(trie.value(entry));
    prefix = (entry & BRANCHES) !== 0;
    if (j >= text.length) break;
    entry = trie.step(entry, text.charCodeAt(j));
  }
  return { found, prefix: entry !== 0 && prefix };
}

const letters = fc.constantFrom(..."abcdeiost_-:".split(""));
const textUnits = fc.constantFrom(..."abcdeiostABCDEIOST0134$@_-: \u0456\u0430\u00e9".split(""));

test("a walk from each position finds exactly the keywords starting there, folded, with their own values", () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ unit: letters, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 25 }), fc.string({ unit: textUnits, maxLength: 40 }), (keywords, text) => {
      const trie = new KeywordTrie(new Map(keywords.map((k) => [k, `value of ${k}`])), foldUnit);
      const folded = fold(text);
      for (let at = 0; at < text.length; at++) {
        const { found, prefix } = walk(trie, text, at);
        const expected = keywords.filter((k) => folded.startsWith(k, at)).sort((a, b) => a.length - b.length);
        assert.deepEqual(found, expected.map((k) => `value of ${k}`), `from ${at} in ${JSON.stringify(text)}`);
        // Cut by the end of the text: the rest is a proper prefix of some keyword.
        const rest = folded.slice(at);
        assert.equal(prefix, keywords.some((k) => k.length > rest.length && k.startsWith(rest)), `tail ${JSON.stringify(rest)}`);
      }
    }),
    { numRuns: 300 },
  );
});

test("units no keyword has, and the empty trie, lead nowhere", () => {
  const trie = new KeywordTrie(new Map([["token", 1]]), foldUnit);
  assert.equal(trie.step(0, "x".charCodeAt(0)), 0);
  assert.equal(trie.step(0, 0xffff), 0);
  const empty = new KeywordTrie(new Map<string, number>(), foldUnit);
  assert.equal(empty.step(0, "t".charCodeAt(0)), 0);
});
