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

  constructor(keywords: readonly string[]) {
    this.keywordCount = keywords.length;
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

  /** Marks found[id] = 1 for every keyword that occurs in text; returns how many were found. */
  findAll(text: string, found: Uint8Array): number {
    const delta = this.#delta;
    const outputs = this.#outputs;
    let state = 0;
    let count = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      let code = text.charCodeAt(i);
      if (code < ALPHABET) {
        code = foldAscii(code);
        state = delta[state * ALPHABET + code] as number;
      } else {
        state = this.#wideStep(this.#wide, this.#fail, state, foldUnit(code));
      }
      const out = outputs[state];
      if (out !== undefined) {
        for (let k = 0; k < out.length; k++) {
          const id = out[k] as number;
          if (found[id] === 0) {
            found[id] = 1;
            count++;
          }
        }
      }
    }
    return count;
  }
}

const FOLD_TABLE = new Uint8Array(ALPHABET);
for (let c = 0; c < ALPHABET; c++) FOLD_TABLE[c] = foldUnit(c);

function foldAscii(code: number): number {
  return FOLD_TABLE[code] as number;
}
