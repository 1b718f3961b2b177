// A keyword prefilter: one pass over the text finds which rule keywords occur, so a rule's
// regular expressions run only when they can match. Keywords and text are compared folded
// (lower-case, leetspeak, confusables) so the filter never misses what a folded-view rule finds;
// extra hits only cost a regex run.
import { foldUnit } from "./normalize.ts";

const ALPHABET = 128;

export class KeywordMatcher {
  readonly keywordCount: number;
  /** Dense transitions for ASCII: delta[state * 128 + code]. */
  readonly #delta: Int32Array;
  /** Sparse transitions for non-ASCII units, per state. */
  readonly #wide: Array<Map<number, number> | undefined>;
  readonly #fail: Int32Array;
  /** Keyword ids ending at each state (failure outputs merged in). */
  readonly #outputs: Array<number[] | undefined>;
  /** Per keyword: its length when it must start at a word boundary, else 0. */
  readonly #boundary: Uint16Array;

  constructor(keywords: readonly string[]) {
    this.keywordCount = keywords.length;
    // A keyword that starts with a letter or digit only counts where a word starts: "nc" is not
    // found in "function", nor "kill" in "skill". It may still be a prefix ("ignor" in "ignoring").
    this.#boundary = Uint16Array.from(keywords, (k) => (isWordUnit(foldUnit(k.charCodeAt(0))) ? k.length : 0));
    const goto: Array<Map<number, number>> = [new Map()];
    const outputs: Array<number[] | undefined> = [undefined];
    keywords.forEach((keyword, id) => {
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const unit = foldUnit(keyword.charCodeAt(i));
        const transitions = goto[state] as Map<number, number>;
        let next = transitions.get(unit);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          outputs.push(undefined);
          transitions.set(unit, next);
        }
        state = next;
      }
      (outputs[state] ??= []).push(id);
    });

    const stateCount = goto.length;
    const fail = new Int32Array(stateCount);
    const delta = new Int32Array(stateCount * ALPHABET);
    const wide: Array<Map<number, number> | undefined> = new Array(stateCount);
    // Breadth-first: a state's failure link is resolved before its children are.
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const transitions = goto[state] as Map<number, number>;
      const failState = fail[state] as number;
      for (let c = 0; c < ALPHABET; c++) {
        const next = transitions.get(c);
        if (next !== undefined) {
          fail[next] = state === 0 ? 0 : (delta[failState * ALPHABET + c] as number);
          queue.push(next);
          delta[state * ALPHABET + c] = next;
        } else {
          delta[state * ALPHABET + c] = state === 0 ? 0 : (delta[failState * ALPHABET + c] as number);
        }
      }
      for (const [unit, next] of transitions) {
        if (unit < ALPHABET) continue;
        (wide[state] ??= new Map()).set(unit, next);
        fail[next] = state === 0 ? 0 : this.#wideStep(wide, fail, failState, unit);
        queue.push(next);
      }
    }
    for (const state of queue) {
      const f = fail[state] as number;
      if (state !== 0 && outputs[f]) outputs[state] = [...(outputs[state] ?? []), ...(outputs[f] as number[])];
    }
    this.#delta = delta;
    this.#wide = wide;
    this.#fail = fail;
    this.#outputs = outputs;
  }

  #wideStep(wide: Array<Map<number, number> | undefined>, fail: Int32Array, state: number, unit: number): number {
    let s = state;
    for (;;) {
      const next = wide[s]?.get(unit);
      if (next !== undefined) return next;
      if (s === 0) return 0;
      s = fail[s] as number;
    }
  }

  /**
   * Finds every keyword in text. hits[id] counts occurrences (saturating at 0xffff); the end
   * offsets of the first POSITIONS_PER_KEYWORD occurrences go to positions[id * POSITIONS_PER_KEYWORD + k].
   * Returns how many distinct keywords were found.
   */
  findAll(text: string, hits: Uint16Array, positions: Int32Array): number {
    const delta = this.#delta;
    const outputs = this.#outputs;
    const boundary = this.#boundary;
    let state = 0;
    let distinct = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const code = text.charCodeAt(i);
      // Look-alikes fold to ASCII letters (Cyrillic і → i): they take the ASCII transitions too.
      const unit = code < ALPHABET ? (FOLD_TABLE[code] as number) : foldUnit(code);
      state = unit < ALPHABET ? (delta[state * ALPHABET + unit] as number) : this.#wideStep(this.#wide, this.#fail, state, unit);
      const out = outputs[state];
      if (out !== undefined) {
        for (let k = 0; k < out.length; k++) {
          const id = out[k] as number;
          const length = boundary[id] as number;
          if (length !== 0 && i >= length && isWordUnit(foldUnit(text.charCodeAt(i - length)))) continue;
          const count = hits[id] as number;
          if (count === 0) distinct++;
          if (count < POSITIONS_PER_KEYWORD) positions[id * POSITIONS_PER_KEYWORD + count] = i + 1;
          if (count < 0xffff) hits[id] = count + 1;
        }
      }
    }
    return distinct;
  }
}

/** How many occurrences of one keyword are located; beyond that a rule scans the whole text. */
export const POSITIONS_PER_KEYWORD = 64;

/** Letters and digits (after folding); "_" and punctuation are not word characters here. */
function isWordUnit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && code < 0x2000);
}

const FOLD_TABLE = new Uint8Array(ALPHABET);
for (let c = 0; c < ALPHABET; c++) FOLD_TABLE[c] = foldUnit(c);
