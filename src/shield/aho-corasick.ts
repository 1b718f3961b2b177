// A keyword prefilter: one pass over the text finds which rule keywords occur, so a rule's
// regular expressions run only when they can match. Keywords and text are compared folded
// (lower-case, leetspeak, confusables) so the filter never misses what a folded-view rule finds;
// extra hits only cost a regex run.
import { foldUnit } from "./normalize.ts";

const ALPHABET = 128;

export class KeywordMatcher {
  readonly keywordCount: number;
  /**
   * Text unit -> column of the transition table, folding included: one column per ASCII unit that
   * occurs (folded) in some keyword, column 0 for all others (they always lead back to the root),
   * WIDE for units that fold to a non-ASCII keyword unit. Keeps the table a few times smaller than
   * one column per ASCII code, so its busy rows stay in cache.
   */
  readonly #column: Uint8Array;
  readonly #columns: number;
  /**
   * Dense transitions, indexed by row (state * columns) + column. Each entry holds the next
   * state's row shifted left once, with the low bit set when that state ends some keyword: the
   * scan loop's chain of dependent loads then needs no multiplication and no second table.
   */
  readonly #next: Int32Array;
  /** Sparse transitions for non-ASCII units, per state. */
  readonly #wide: Array<Map<number, number> | undefined>;
  readonly #fail: Int32Array;
  /** Keyword ids ending at each state (failure outputs merged in): #outIds[#outStart[s] .. #outStart[s + 1]]. */
  readonly #outStart: Int32Array;
  readonly #outIds: Int32Array;
  /** Per keyword: its length when it must start at a word boundary, else 0. */
  readonly #boundary: Uint16Array;

  /** Per keyword id: where its first occurrence's end offset goes in a positions array. */
  readonly #slot: Int32Array;
  /** Per keyword id: how many occurrences are located. */
  readonly #capacity: Uint16Array;
  /** Per keyword id: its length in text units (a hit starts this far before its end). */
  readonly #length: Int32Array;
  /** Per keyword id: its hits count only where a word ends after them. */
  readonly #wordEnd: Uint8Array;
  /** Length of the positions array findAll needs. */
  readonly positionCount: number;

  /** `kinds[id]` qualifies how that keyword's hits count and how many are located (see KeywordKind). */
  constructor(keywords: readonly string[], kinds: readonly KeywordKind[] = []) {
    this.keywordCount = keywords.length;
    // A keyword that starts with a letter or digit only counts where a word starts: "nc" is not
    // found in "function", nor "kill" in "skill". It may still be a prefix ("ignor" in "ignoring").
    this.#boundary = Uint16Array.from(keywords, (k, id) => (!kinds[id]?.anywhere && isWordUnit(foldUnit(k.charCodeAt(0))) ? k.length : 0));
    this.#wordEnd = Uint8Array.from(keywords, (_, id) => (kinds[id]?.wordEnd ? 1 : 0));
    this.#capacity = Uint16Array.from(keywords, (_, id) => kinds[id]?.positions ?? POSITIONS_PER_KEYWORD);
    this.#length = Int32Array.from(keywords, (k) => k.length);
    this.#slot = new Int32Array(keywords.length);
    let slots = 0;
    this.#capacity.forEach((capacity, id) => {
      this.#slot[id] = slots;
      slots += capacity;
    });
    this.positionCount = slots;
    const goto: Array<Map<number, number>> = [new Map()];
    const outputs: Array<number[] | undefined> = [undefined];
    const parent: number[] = [0];
    const unitOf: number[] = [0];
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
          parent.push(state);
          unitOf.push(unit);
          transitions.set(unit, next);
        }
        state = next;
      }
      (outputs[state] ??= []).push(id);
    });

    const unitColumn = new Uint8Array(ALPHABET);
    const columnUnit: number[] = [-1];
    for (const transitions of goto) {
      for (const unit of transitions.keys()) {
        if (unit < ALPHABET && unitColumn[unit] === 0) {
          unitColumn[unit] = columnUnit.length;
          columnUnit.push(unit);
        }
      }
    }
    const columns = columnUnit.length;
    if (columns >= WIDE) throw new Error("keyword alphabet too large");
    const stateCount = goto.length;
    const fail = new Int32Array(stateCount);
    const delta = new Int32Array(stateCount * columns);
    const wide: Array<Map<number, number> | undefined> = new Array(stateCount);
    // Breadth-first: a state's failure link is resolved before its children are.
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const transitions = goto[state] as Map<number, number>;
      const failState = fail[state] as number;
      for (let c = 1; c < columns; c++) {
        const next = transitions.get(columnUnit[c] as number);
        if (next !== undefined) {
          fail[next] = state === 0 ? 0 : (delta[failState * columns + c] as number);
          queue.push(next);
          delta[state * columns + c] = next;
        } else {
          delta[state * columns + c] = state === 0 ? 0 : (delta[failState * columns + c] as number);
        }
      }
      for (const [unit, next] of transitions) {
        if (unit < ALPHABET) continue;
        (wide[state] ??= new Map()).set(unit, next);
        fail[next] = state === 0 ? 0 : this.#wideStep(wide, fail, failState, unit);
        queue.push(next);
      }
    }
    // A state inherits the keywords its failure state ends, except those whose hits could never
    // count: a word-start keyword preceded, inside this state's path, by a letter or digit that
    // only ever comes from letters or digits. Prose then rarely reaches an output state ("he" in
    // "the"), which keeps the scan loop short.
    const hiddenBefore = (state: number, length: number): boolean => {
      let s = state;
      for (let k = 0; k < length; k++) s = parent[s] as number;
      return ALWAYS_CONTINUES_WORD[unitOf[s] as number] === 1;
    };
    for (const state of queue) {
      const f = fail[state] as number;
      const inherited = state === 0 ? [] : (outputs[f] ?? []).filter((id) => {
        const length = this.#boundary[id] as number;
        return length === 0 || !hiddenBefore(state, length);
      });
      if (inherited.length > 0) outputs[state] = [...(outputs[state] ?? []), ...inherited];
    }
    this.#columns = columns;
    // States renumbered breadth-first: the shallow states, where prose keeps the scan most of the
    // time, then share a compact, cache-resident part of the (several megabyte) table.
    const rank = new Int32Array(stateCount);
    queue.forEach((state, index) => (rank[state] = index));
    const ranked = new Int32Array(stateCount * columns);
    const rankedWide: Array<Map<number, number> | undefined> = new Array(stateCount);
    const rankedFail = new Int32Array(stateCount);
    const rankedOutputs: Array<number[] | undefined> = new Array(stateCount);
    queue.forEach((state, index) => {
      for (let c = 0; c < columns; c++) ranked[index * columns + c] = rank[delta[state * columns + c] as number] as number;
      const transitions = wide[state];
      if (transitions) rankedWide[index] = new Map([...transitions].map(([unit, next]) => [unit, rank[next] as number]));
      rankedFail[index] = rank[fail[state] as number] as number;
      rankedOutputs[index] = outputs[state];
    });
    const wideUnits = new Set<number>();
    for (const transitions of rankedWide) if (transitions) for (const unit of transitions.keys()) wideUnits.add(unit);
    const column = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code++) {
      const unit = foldUnit(code);
      column[code] = unit < ALPHABET ? (unitColumn[unit] as number) : wideUnits.has(unit) ? WIDE : 0;
    }
    this.#column = column;
    if (stateCount * columns * 2 > 0x7fffffff) throw new Error("too many keywords");
    this.#next = ranked.map((next) => ((next * columns) << 1) | (rankedOutputs[next] === undefined ? 0 : 1));
    this.#wide = rankedWide;
    this.#outStart = new Int32Array(stateCount + 1);
    const flat: number[] = [];
    rankedOutputs.forEach((ids, state) => {
      this.#outStart[state] = flat.length;
      flat.push(...(ids ?? []));
    });
    this.#outStart[stateCount] = flat.length;
    this.#outIds = Int32Array.from(flat);
    this.#fail = rankedFail;
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

  /** Index in a positions array of keyword id's first located occurrence. */
  slot(id: number): number {
    return this.#slot[id] as number;
  }

  /** Length of keyword id in text units. */
  length(id: number): number {
    return this.#length[id] as number;
  }

  /** How many occurrences of keyword id are located; beyond that its hits are only counted. */
  capacity(id: number): number {
    return this.#capacity[id] as number;
  }

  /**
   * Finds every keyword in text. hits[id] counts occurrences (saturating at 0xffff); the end
   * offsets of the first capacity(id) occurrences go to positions[slot(id) + k] (positions holds
   * positionCount entries). Returns how many distinct keywords were found.
   */
  findAll(text: string, hits: Uint16Array, positions: Int32Array): number {
    const next = this.#next;
    const columns = this.#columns;
    const column = this.#column;
    const boundary = this.#boundary;
    const wordEnd = this.#wordEnd;
    const outStart = this.#outStart;
    const outIds = this.#outIds;
    const capacity = this.#capacity;
    const slot = this.#slot;
    const n = text.length;
    let row = 0;
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      // Look-alikes fold to ASCII letters (Cyrillic і → i): they take the ASCII transitions too.
      const col = column[code] as number;
      let entry: number;
      if (col !== WIDE) {
        entry = next[row + col] as number;
      } else {
        const state = this.#wideStep(this.#wide, this.#fail, row / columns, foldUnit(code));
        entry = ((state * columns) << 1) | ((outStart[state + 1] as number) > (outStart[state] as number) ? 1 : 0);
      }
      row = entry >> 1;
      if ((entry & 1) !== 0) {
        const state = row / columns;
        const last = outStart[state + 1] as number;
        for (let k = outStart[state] as number; k < last; k++) {
          const id = outIds[k] as number;
          const length = boundary[id] as number;
          if (length !== 0 && i >= length && continuesWord(text.charCodeAt(i - length))) continue;
          if (wordEnd[id] === 1 && i + 1 < n && isAsciiWordChar(text.charCodeAt(i + 1))) continue;
          const count = hits[id] as number;
          if (count === 0) distinct++;
          if (count < (capacity[id] as number)) positions[(slot[id] as number) + count] = i + 1;
          if (count < 0xffff) hits[id] = count + 1;
        }
      }
    }
    return distinct;
  }
}

/** How many occurrences of one keyword are located by default; beyond that a rule scans the whole text. */
export const POSITIONS_PER_KEYWORD = 64;

/** How a keyword's hits count (default: at word starts when it starts with a letter or digit). */
export interface KeywordKind {
  /** Hits count inside words too. */
  anywhere?: boolean;
  /** Hits count only where no ASCII letter, digit or "_" follows. */
  wordEnd?: boolean;
  /** How many occurrences are located (default POSITIONS_PER_KEYWORD). */
  positions?: number;
}

/** Regex \w in every mode: a hit of a whole-word keyword followed by one is no word end. */
function isAsciiWordChar(code: number): boolean {
  const lower = code | 32;
  return (lower >= 97 && lower <= 122) || (code >= 48 && code <= 57) || code === 95;
}

/**
 * Whether a keyword hit after this unit is inside a word: only when the unit is a letter or digit
 * both folded and as a regex \w sees it. A hit regex \b would allow ("$delete", "漢delete") is kept,
 * so a rule pattern that starts with \b and a keyword never matches where its keyword was not hit.
 */
function continuesWord(code: number): boolean {
  const lower = code | 32;
  return ((lower >= 97 && lower <= 122) || (code >= 48 && code <= 57)) && isWordUnit(foldUnit(code));
}

/** Letters and digits (after folding); "_" and punctuation are not word characters here. */
function isWordUnit(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 0xc0 && code !== 0xd7 && code !== 0xf7 && code < 0x2000);
}

/**
 * Folded units < 128 every ASCII source of which continues a word at runtime (see continuesWord):
 * a hit right after one never counts. Not "a" or "s" ("@", "$" fold to them and keep hits).
 * Non-ASCII look-alikes of letters are treated as letters here: a keyword glued to one is
 * not a hit, as it would not be after the ASCII letter it folds to.
 */
const ALWAYS_CONTINUES_WORD = (() => {
  const table = new Uint8Array(0x10000);
  for (let unit = 0; unit < ALPHABET; unit++) {
    if (!isWordUnit(unit)) continue;
    let always = true;
    for (let code = 0; code < ALPHABET; code++) if (foldUnit(code) === unit && !continuesWord(code)) always = false;
    table[unit] = always ? 1 : 0;
  }
  return table;
})();

/** Column marker: the unit folds to a non-ASCII keyword unit, looked up in the sparse transitions. */
const WIDE = 255;
