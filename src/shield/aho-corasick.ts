// A keyword prefilter: one pass over the text finds which rule keywords occur, so a rule's
// regular expressions run only when they can match. Keywords and text are compared folded
// (lower-case, leetspeak, confusables) so the filter never misses what a folded-view rule finds;
// extra hits only cost a regex run.
import { ALWAYS_CONTINUES_WORD, continuesWord, isAsciiWordChar, isWordUnit } from "./keyword-words.ts";
import type { KeywordHits } from "./keyword-hits.ts";
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
  /** Entries per state in #next: its transitions, then where its outputs start and end in #outIds. */
  readonly #stride: number;
  /**
   * Dense transitions, indexed by row (state * stride) + column. Each entry holds the next
   * state's row shifted left once, with the low bit set when that state ends some keyword: the
   * scan loop's chain of dependent loads then needs no multiplication and no second table, and
   * the hit log's rows lead to their outputs without a division.
   */
  readonly #next: Int32Array;
  /** Sparse transitions for non-ASCII units, per state. */
  readonly #wide: Array<Map<number, number> | undefined>;
  readonly #fail: Int32Array;
  /** Keyword ids ending at each state (failure outputs merged in), from #next[row + columns] to #next[row + columns + 1]. */
  readonly #outIds: Int32Array;
  /** Per keyword: its length when it must start at a word boundary, else 0. */
  readonly #boundary: Uint16Array;

  /** Per keyword id: how many occurrences are located. */
  readonly #capacity: Uint16Array;
  /** Per keyword id: its length in text units (a hit starts this far before its end). */
  readonly #length: Int32Array;
  /** Per keyword id: its hits count only where a word ends after them. */
  readonly #wordEnd: Uint8Array;
  /** The longest keyword's length: a walk from the root is in step after this many units. */
  readonly #longest: number;
  /** Hit log of one block, (end, row) pairs, one part per lane (scans are synchronous). */
  readonly #log: Int32Array;
  readonly #laneLog: number;
  readonly #logEnds = new Int32Array(LANES);

  /** `kinds[id]` qualifies how that keyword's hits count and how many are located (see KeywordKind). */
  constructor(keywords: readonly string[], kinds: readonly KeywordKind[] = []) {
    this.keywordCount = keywords.length;
    // A keyword that starts with a letter or digit only counts where a word starts: "nc" is not
    // found in "function", nor "kill" in "skill". It may still be a prefix ("ignor" in "ignoring").
    this.#boundary = Uint16Array.from(keywords, (k, id) => (!kinds[id]?.anywhere && isWordUnit(foldUnit(k.charCodeAt(0))) ? k.length : 0));
    this.#wordEnd = Uint8Array.from(keywords, (_, id) => (kinds[id]?.wordEnd ? 1 : 0));
    this.#capacity = Uint16Array.from(keywords, (_, id) => kinds[id]?.positions ?? POSITIONS_PER_KEYWORD);
    this.#length = Int32Array.from(keywords, (k) => k.length);
    this.#longest = keywords.reduce((longest, k) => Math.max(longest, k.length), 0);
    // A hit per unit at most: a lane's part of the log holds its quarter block and lead; a block
    // too short for lanes is logged whole.
    this.#laneLog = 2 * (BLOCK / LANES + this.#longest + 8);
    this.#log = new Int32Array(Math.max(LANES * this.#laneLog, 2 * BLOCK));
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
    const rankedWide: Array<Map<number, number> | undefined> = new Array(stateCount);
    const rankedFail = new Int32Array(stateCount);
    const rankedOutputs: Array<number[] | undefined> = new Array(stateCount);
    queue.forEach((state, index) => {
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
    const stride = columns + 2;
    if (stateCount * stride * 2 > 0x7fffffff) throw new Error("too many keywords");
    this.#stride = stride;
    const table = new Int32Array(stateCount * stride);
    const flat: number[] = [];
    queue.forEach((state, index) => {
      for (let c = 0; c < columns; c++) {
        const next = rank[delta[state * columns + c] as number] as number;
        table[index * stride + c] = ((next * stride) << 1) | (rankedOutputs[next] === undefined ? 0 : 1);
      }
      table[index * stride + columns] = flat.length;
      flat.push(...(rankedOutputs[index] ?? []));
      table[index * stride + columns + 1] = flat.length;
    });
    this.#next = table;
    this.#wide = rankedWide;
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

  /** Length of keyword id in text units. */
  length(id: number): number {
    return this.#length[id] as number;
  }

  /** How many occurrences of keyword id are located; beyond that its hits are only counted. */
  capacity(id: number): number {
    return this.#capacity[id] as number;
  }

  /**
   * Finds every keyword in text, replacing what hits held: how often each occurred, and the end
   * offsets of the first capacity(id) occurrences of each, ascending. Returns how many distinct
   * keywords were found.
   */
  findAll(text: string, hits: KeywordHits): number {
    hits.clear();
    for (let from = 0; from < text.length; from += BLOCK) {
      const to = Math.min(text.length, from + BLOCK);
      const ends = this.#walkBlock(text, from, to);
      for (let lane = 0; lane < LANES; lane++) this.#record(text, lane * this.#laneLog, ends[lane] as number, hits);
    }
    hits.group();
    return hits.foundCount;
  }

  /**
   * Walks [from, to) in four lanes at once: their chains of dependent table loads overlap, where
   * one walk waits on each load in turn (the table is megabytes). A lane starts #longest units
   * early, from the root: by its first own unit it is in the state one walk would be in (the
   * state is the longest keyword prefix ending there). Each lane logs (end, row) of the states
   * with outputs in its part of the log; returns where each part ends.
   */
  #walkBlock(text: string, from: number, to: number): Int32Array {
    const quarter = (to - from) >> 2;
    const log = this.#log;
    const ends = this.#logEnds;
    if (quarter < 4 * this.#longest) {
      ends.fill(0);
      ends[0] = this.#walk(text, Math.max(0, from - this.#longest), from, to, 0, 0);
      return ends;
    }
    const next = this.#next;
    const column = this.#column;
    const b1 = from + quarter;
    const b2 = b1 + quarter;
    const b3 = b2 + quarter;
    const lead = this.#longest;
    const s0 = Math.max(0, from - lead);
    const steps = b1 - s0;
    const d1 = b1 - lead - s0;
    const d2 = b2 - lead - s0;
    const d3 = b3 - lead - s0;
    let l0 = 0;
    let l1 = this.#laneLog;
    let l2 = 2 * this.#laneLog;
    let l3 = 3 * this.#laneLog;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    for (let i = s0; i < s0 + steps; i++) {
      const j1 = i + d1;
      const j2 = i + d2;
      const j3 = i + d3;
      const c0 = column[text.charCodeAt(i)] as number;
      const c1 = column[text.charCodeAt(j1)] as number;
      const c2 = column[text.charCodeAt(j2)] as number;
      const c3 = column[text.charCodeAt(j3)] as number;
      const e0 = c0 !== WIDE ? (next[r0 + c0] as number) : this.#wideEntry(r0, text.charCodeAt(i));
      const e1 = c1 !== WIDE ? (next[r1 + c1] as number) : this.#wideEntry(r1, text.charCodeAt(j1));
      const e2 = c2 !== WIDE ? (next[r2 + c2] as number) : this.#wideEntry(r2, text.charCodeAt(j2));
      const e3 = c3 !== WIDE ? (next[r3 + c3] as number) : this.#wideEntry(r3, text.charCodeAt(j3));
      r0 = e0 >> 1;
      r1 = e1 >> 1;
      r2 = e2 >> 1;
      r3 = e3 >> 1;
      if ((e0 & 1) !== 0 && i >= from) {
        log[l0++] = i;
        log[l0++] = r0;
      }
      if ((e1 & 1) !== 0 && j1 >= b1) {
        log[l1++] = j1;
        log[l1++] = r1;
      }
      if ((e2 & 1) !== 0 && j2 >= b2) {
        log[l2++] = j2;
        log[l2++] = r2;
      }
      if ((e3 & 1) !== 0 && j3 >= b3) {
        log[l3++] = j3;
        log[l3++] = r3;
      }
    }
    // Lanes 1-3 started `lead` units early: each finishes its part alone.
    ends[0] = l0;
    ends[1] = this.#walk(text, s0 + steps + d1, b1, b2, r1, l1);
    ends[2] = this.#walk(text, s0 + steps + d2, b2, b3, r2, l2);
    ends[3] = this.#walk(text, s0 + steps + d3, b3, to, r3, l3);
    return ends;
  }

  /** One lane: walks [start, to) from row, logging hits from `own` on at log[at...]; returns the log's end. */
  #walk(text: string, start: number, own: number, to: number, row: number, at: number): number {
    const next = this.#next;
    const column = this.#column;
    const log = this.#log;
    let l = at;
    for (let i = start; i < to; i++) {
      const c = column[text.charCodeAt(i)] as number;
      const entry = c !== WIDE ? (next[row + c] as number) : this.#wideEntry(row, text.charCodeAt(i));
      row = entry >> 1;
      if ((entry & 1) !== 0 && i >= own) {
        log[l++] = i;
        log[l++] = row;
      }
    }
    return l;
  }

  /** Look-alikes fold to ASCII letters (Cyrillic і → i) and take the ASCII transitions; other non-ASCII keyword units go through the sparse ones. */
  #wideEntry(row: number, code: number): number {
    const stride = this.#stride;
    const state = this.#wideStep(this.#wide, this.#fail, row / stride, foldUnit(code));
    const outputs = state * stride + this.#columns;
    return ((state * stride) << 1) | ((this.#next[outputs + 1] as number) > (this.#next[outputs] as number) ? 1 : 0);
  }

  /** Counts and locates the keywords of the logged states log[from..to) whose hits count (word starts and ends). */
  #record(text: string, from: number, to: number, hits: KeywordHits): void {
    const log = this.#log;
    const next = this.#next;
    const columns = this.#columns;
    const boundary = this.#boundary;
    const wordEnd = this.#wordEnd;
    const outIds = this.#outIds;
    const capacity = this.#capacity;
    const { counts, found } = hits;
    let foundCount = hits.foundCount;
    let located = hits.log;
    let logLength = hits.logLength;
    const n = text.length;
    for (let h = from; h < to; h += 2) {
      const i = log[h] as number;
      const outputs = (log[h + 1] as number) + columns;
      const last = next[outputs + 1] as number;
      for (let k = next[outputs] as number; k < last; k++) {
        const id = outIds[k] as number;
        const length = boundary[id] as number;
        if (length !== 0 && i >= length && continuesWord(text.charCodeAt(i - length))) continue;
        if (wordEnd[id] === 1 && i + 1 < n && isAsciiWordChar(text.charCodeAt(i + 1))) continue;
        const count = counts[id] as number;
        if (count === 0) found[foundCount++] = id;
        if (count < (capacity[id] as number)) {
          if (logLength + 2 > located.length) {
            hits.logLength = logLength;
            located = hits.growLog(2);
          }
          located[logLength++] = id;
          located[logLength++] = i + 1;
        }
        if (count < 0xffff) counts[id] = count + 1;
      }
    }
    hits.foundCount = foundCount;
    hits.logLength = logLength;
  }
}

/** Units walked per block: bounds the hit log (two entries per unit at most). */
const BLOCK = 1 << 16;
/** Parallel walks per block (see #walkBlock). */
const LANES = 4;

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

/** Column marker: the unit folds to a non-ASCII keyword unit, looked up in the sparse transitions. */
const WIDE = 255;
