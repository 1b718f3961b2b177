// How much of a stream's tail must stay held back: only the suffix where an outbound rule match
// could still be starting, derived from the outbound rules once at start. Text before that point
// can no longer become part of a match that is still incomplete, so it is released at once (a
// complete match there is found by the relay's scan before anything is released). A suffix is
// held when it could be:
//   - the word still being written: a run of ASCII non-space characters at the end could be a
//     token (a key, a JWT, a dotted or colon-separated credential) or an encoded run (base64,
//     hex, %XX, \x, &#) whose decoding is scanned too;
//   - at or after a rule keyword that appeared less than the rule's reach ago, or a partial
//     keyword at the very end (keyword-filtered rules only match near one of their keywords);
//   - a run of characters a keyword-less rule's pattern can consume (digit groups of cards and
//     phones, IBAN groups...), computed from the regex source.
// Never more than `max` characters are held (the configured window), as before. When the tail has
// characters normalisation would change (invisible or compatibility forms), matching on it here
// could miss what the engine sees, so the whole window is held. Keywords are looked for in folded
// text, as the engine's keyword pass does (capitals, leetspeak, look-alikes), and a folded-view
// rule's alphabets take in every character that folds into them.
import { foldPatternSource } from "../shield/fold-pattern.ts";
import { keywordForms } from "../shield/keyword-words.ts";
import { fold, foldUnit } from "../shield/normalize.ts";
import { maxMatchLength } from "../shield/regex-length.ts";
import type { Rule } from "../shield/types.ts";
import { BRANCHES, ENDS, KeywordTrie } from "./keyword-trie.ts";
import { type Alphabet, alphabetOf, escapeLiteral, firstAlphabet, inAlphabet, leadingAssertions, leadingLiteral, runStart, union } from "./regex-alphabet.ts";

interface RunRule {
  alphabet: Alphabet;
  /** Characters a match can begin with: a run's leading characters outside it are not held. */
  first: Alphabet;
  /** The pattern's leading \b or look-behinds: where they fail, no match begins. */
  start: RegExp | null;
  reach: number;
}

export interface HoldbackRule {
  rule: Pick<Rule, "direction" | "keywords" | "patterns" | "flags" | "signal" | "view">;
  /** Longest match the rule can make (the engine's reach). */
  reach: number;
}

/** Secret tokens and the encodings the engine peels are runs of ASCII non-space characters. */
const TOKEN = alphabetOf(/[!-~]/.source, "");

/** What a keyword gates: the longest reach of its rules and every character their matches consume. */
export interface Gate {
  reach: number;
  alphabet: Alphabet;
}

const INVISIBLE_OR_COMPAT = /[\p{Cf}\p{Mn}\p{Me}\u00a0\u3000\uff00-\uffef]/u;
const SPACE = /\s/;

/**
 * What a folded-view rule's match can consume in the raw text: every ASCII unit that folds into
 * the alphabet, and any non-ASCII unit (look-alikes and curly quotes fold to ASCII).
 */
function foldedAlphabet(a: Alphabet): Alphabet {
  const ascii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = a.ascii[c] === 1 || a.ascii[foldUnit(c)] === 1 ? 1 : 0;
  return { ascii, nonAscii: true };
}

/** Built once per rule set; hands each stream its own tracker. */
export class HoldbackPlanner {
  readonly max: number;
  /** The keywords (folded), each with the longest reach among its rules. */
  readonly keywords: KeywordTrie<Gate>;
  readonly longestKeyword: number;
  readonly runs: RunRule[] = [];

  constructor(rules: readonly HoldbackRule[], max: number) {
    this.max = max;
    const keywords = new Map<string, Gate>();
    // Each keyword in all its folded forms, as the engine's keyword pass has it.
    const gate = (raw: string, reach: number, alphabet: Alphabet) => {
      for (const form of keywordForms(raw)) {
        const k = fold(form);
        if (k.length === 0) return;
        const g = keywords.get(k) ?? { reach: 0, alphabet: { ascii: new Uint8Array(128), nonAscii: false } };
        g.reach = Math.max(g.reach, reach);
        union(g.alphabet, alphabet);
        keywords.set(k, g);
      }
    };
    for (const { rule, reach } of rules) {
      if (rule.direction === "inbound" || rule.signal) continue;
      const bounded = Math.min(max, Math.max(1, reach));
      const folded = rule.view === "folded";
      const consumes = (pattern: string, flags: string): Alphabet => (folded ? foldedAlphabet(alphabetOf(foldPatternSource(pattern, flags), flags)) : alphabetOf(pattern, flags));
      const alphabet: Alphabet = { ascii: new Uint8Array(128), nonAscii: false };
      for (const pattern of rule.patterns) union(alphabet, consumes(pattern, rule.flags));
      // A keyword-only rule (canaries) matches the keyword itself.
      if (rule.patterns.length === 0) for (const k of rule.keywords) union(alphabet, consumes(escapeLiteral(k), "i"));
      if (rule.keywords.length > 0) {
        for (const k of rule.keywords) gate(k, bounded, alphabet);
        continue;
      }
      for (const pattern of rule.patterns) {
        const own = consumes(pattern, rule.flags);
        // A pattern that starts with a literal is gated by it like a keyword; others by runs.
        const literal = leadingLiteral(pattern);
        if (literal.length > 1) gate(literal, bounded, own);
        // On folded text a leading \b or look-behind may see what the raw text does not: not used.
        else this.runs.push({ alphabet: own, first: folded ? own : firstAlphabet(pattern, rule.flags), start: folded ? null : leadingAssertions(pattern, rule.flags), reach: bounded });
      }
    }
    this.keywords = new KeywordTrie(keywords, foldUnit);
    let longest = 0;
    for (const keyword of keywords.keys()) longest = Math.max(longest, keyword.length);
    this.longestKeyword = longest;
  }

  tracker(): HoldbackTracker {
    return new HoldbackTracker(this);
  }
}

/** One stream's view: keyword hits are searched for once, in the text added since the last call. */
export class HoldbackTracker {
  readonly #plan: HoldbackPlanner;
  #searchedTo = 0;
  /** Keyword hits still within reach of the end: [start, last end position that needs holding). */
  #hits: Array<{ at: number; until: number; alphabet: Alphabet; checked: number }> = [];

  constructor(plan: HoldbackPlanner) {
    this.#plan = plan;
  }

  /** How far before the end of the text holdFrom() reads. */
  get lookBack(): number {
    return Math.max(this.#plan.max, this.#plan.longestKeyword);
  }

  /**
   * The first position of the stream's text that must stay held, given that everything before
   * `released` is out already (the answer is never below it). `text` is the stream's text from
   * position `base` on, reaching at least lookBack characters back from the previous call's end;
   * positions in and out are the stream's.
   */
  holdFrom(text: string, released: number, base = 0): number {
    const plan = this.#plan;
    const end = base + text.length;
    const floor = Math.max(released, end - plan.max);
    this.#findKeywords(text, base);
    if (floor >= end) return end;
    if (INVISIBLE_OR_COMPAT.test(text.slice(Math.max(0, floor - base)))) return floor;
    // A token or an encoded run still being written.
    let hold = base + runStart(text, text.length, TOKEN, plan.max);
    // Runs a keyword-less pattern could still be consuming.
    for (const r of plan.runs) {
      if (hold <= floor) return floor;
      let at = base + runStart(text, text.length, r.alphabet, r.reach);
      while (at < end && !canBegin(r, text, at - base)) at++;
      hold = Math.min(hold, at);
    }
    // Keywords that appeared less than their rule's reach ago...
    // A hit is dead once its rule's match could not have consumed a character after it.
    this.#hits = this.#hits.filter((h) => {
      if (h.until <= end || base + runStart(text, text.length, h.alphabet, end - h.checked) > h.checked) return false;
      h.checked = end;
      return true;
    });
    for (const h of this.#hits) hold = Math.min(hold, h.at);
    // ...and a keyword cut by the end of the text (its leading spaces can go).
    const tail = Math.max(base, floor, end - plan.longestKeyword + 1);
    for (let n = end - tail; n >= 1; n--) {
      if (!isPartialKeyword(plan.keywords, text, text.length - n)) continue;
      let at = end - n;
      while (at < end && SPACE.test(text[at - base] as string)) at++;
      hold = Math.min(hold, at);
      break;
    }
    return Math.max(floor, hold);
  }

  #findKeywords(text: string, base: number): void {
    const plan = this.#plan;
    const end = base + text.length;
    const from = Math.max(base, this.#searchedTo - plan.longestKeyword + 1);
    if (from >= end) return;
    const trie = plan.keywords;
    // Positions in `text`; a keyword found from i ends before j.
    for (let i = from - base; i < text.length; i++) {
      let entry = trie.step(0, text.charCodeAt(i));
      for (let j = i + 1; entry !== 0; j++) {
        // A keyword ending at j (before the last search's end was found then).
        if ((entry & ENDS) !== 0 && base + j > this.#searchedTo) {
          const gate = trie.value(entry);
          this.#hits.push({ at: base + i, until: base + i + gate.reach, alphabet: gate.alphabet, checked: base + j });
        }
        if (j >= text.length) break;
        entry = trie.step(entry, text.charCodeAt(j));
      }
    }
    this.#searchedTo = end;
  }
}

/** Whether text from `at` to its end is a proper prefix of some keyword (a keyword cut by the end). */
function isPartialKeyword(trie: KeywordTrie<Gate>, text: string, at: number): boolean {
  let entry = trie.step(0, text.charCodeAt(at));
  for (let i = at + 1; i < text.length && entry !== 0; i++) entry = trie.step(entry, text.charCodeAt(i));
  return (entry & BRANCHES) !== 0;
}

function canBegin(r: RunRule, text: string, at: number): boolean {
  if (!inAlphabet(r.first, text.charCodeAt(at))) return false;
  if (!r.start) return true;
  r.start.lastIndex = at;
  return r.start.test(text);
}

/** The planner for an engine's rules, each with the same reach the engine computes for it. */
export function holdbackPlanner(rules: readonly Rule[], max: number): HoldbackPlanner {
  return new HoldbackPlanner(
    rules.map((rule) => ({ rule, reach: rule.patterns.length > 0 ? Math.max(...rule.patterns.map(maxMatchLength)) : Math.max(0, ...rule.keywords.map((k) => k.length)) })),
    max,
  );
}
