// Where a rule's patterns run in one layer of a scan: around its keyword or prefilter hits, or,
// where every match must start at a hit of known words, at exactly those places.
import { POSITIONS_PER_KEYWORD } from "./aho-corasick.ts";
import { aroundRuns, digitRuns } from "./digit-gate.ts";
import { EDGE, type WindowPlan } from "./pattern-scan.ts";
import { mergeWindows } from "./regex-runs.ts";
import type { Rule, RuleActionOverride, TextView } from "./types.ts";

export interface CompiledRule {
  rule: Rule;
  regexes: RegExp[];
  action: RuleActionOverride | undefined;
  /** Ids of the rule's keywords in the matcher. */
  keywordIds: number[];
  /** Per regex, the ids of the keywords one of which starts each of its matches, or null (any of the rule's). */
  leadIds: Array<number[] | null>;
  /** Per regex with lead keywords, the longest of them: its matches start at most this far before a hit end. */
  leadLengths: number[];
  /** Per regex, an upper bound of a match's length: it runs only this close to a keyword hit. */
  reaches: number[];
  /** Per regex, how far before a match's start its lookbehinds may look. */
  behinds: number[];
  /**
   * Per regex, the ids of the keywords or opening words whose hit starts are the only places a
   * match can start (tried there with its sticky copy), or null.
   */
  startIds: Array<number[] | null>;
  /** Per regex with opening words: a match must also lie near a hit of one of the rule's keywords. */
  startNear: boolean[];
  /** Per regex, a sticky copy (tried at one position), or null. */
  sticky: Array<RegExp | null>;
  /** Index of the rule's prefilter in the prefilter list, or -1. */
  prefilter: number;
  /** Whether the regexes have been warmed up (see regex-runs.ts). */
  warm: boolean;
}

export interface Prefilter {
  regex: RegExp;
  /** Longest possible hit: a rule match may start this much further before a hit's end. */
  reach: number;
  /** Every hit holds a digit: it runs only around digit runs (see digit-gate.ts). */
  digits: boolean;
}

/** Per layer: each prefilter's hit ends (null: too many), and the digit runs of each view. */
export interface PrefilterCache {
  hits: Array<number[] | null | undefined>;
  digitRuns: Partial<Record<TextView, number[] | null>>;
}

/** Beyond this many hits of a prefilter its rules scan the whole text. */
const MAX_PREFILTER_HITS = 256;

/**
 * Extra context around a window so \b and look-arounds see the same neighbours as in the full
 * text. Some patterns rely on it to reach a keyword just outside their match ("license_key: ..."
 * before a bare key): their windows keep it.
 */
export const WINDOW_PAD = 64;
const EMPTY_STARTS = new Int32Array(0);

export class MatchPlaces {
  readonly #prefilters: readonly Prefilter[];
  /** Per keyword or start marker id, its length in text units. */
  readonly #keywordLengths: Int32Array;
  /** Scratch space for matchStarts (scans are synchronous; each pattern's starts are used at once). */
  #starts = new Int32Array(256);

  constructor(prefilters: readonly Prefilter[], keywordLengths: Int32Array) {
    this.#prefilters = prefilters;
    this.#keywordLengths = keywordLengths;
  }

  /**
   * End offsets of a keyword-filtered rule's keyword hits, around which its regexes run. Null
   * when the rule must scan the whole text (no keywords, or too many hits to locate).
   */
  keywordEnds(keywordIds: readonly number[], hits: Uint16Array, positions: Int32Array): number[] | null {
    if (keywordIds.length === 0) return null;
    const ends: number[] = [];
    for (const id of keywordIds) {
      const count = hits[id] as number;
      if (count > POSITIONS_PER_KEYWORD) return null;
      for (let k = 0; k < count; k++) ends.push(positions[id * POSITIONS_PER_KEYWORD + k] as number);
    }
    return ends.sort((a, b) => a - b);
  }

  /**
   * End offsets of a prefilter's hits in view (computed once per layer and view), or null when
   * there are too many to be worth windowing. Every match of the rule overlaps a hit: the global
   * scan resumes after each hit, so it cannot step over an occurrence without overlapping it.
   */
  prefilterHits(index: number, view: string, viewName: TextView, cache: PrefilterCache): number[] | null {
    const cached = cache.hits[index];
    if (cached !== undefined) return cached;
    const { regex, reach, digits } = this.#prefilters[index] as Prefilter;
    let runs: number[] | null = null;
    if (digits) {
      runs = cache.digitRuns[viewName] === undefined ? (cache.digitRuns[viewName] = digitRuns(view)) : (cache.digitRuns[viewName] ?? null);
    }
    const windows = runs ? aroundRuns(runs, reach, view.length) : [0, view.length];
    let ends: number[] | null = [];
    scan: for (let w = 0; w < windows.length; w += 2) {
      const from = windows[w] as number;
      const text = from === 0 && windows[w + 1] === view.length ? view : view.slice(from, windows[w + 1]);
      regex.lastIndex = 0;
      for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
        if (ends.length >= MAX_PREFILTER_HITS) {
          ends = null;
          break scan;
        }
        ends.push(from + regex.lastIndex);
      }
    }
    cache.hits[index] = ends;
    return ends;
  }
  /**
   * Where regex p of a rule can match, sorted: the starts of hits of its lead keywords or opening
   * words, the latter only near a hit of one of the rule's keywords (as its windows would be).
   * Null when it must scan windows instead (no such words, or too many hits to locate).
   */
  matchStarts(compiled: CompiledRule, p: number, ends: readonly number[] | null, hits: Uint16Array, positions: Int32Array): Int32Array | null {
    const ids = compiled.startIds[p];
    if (!ids) return null;
    let total = 0;
    for (const id of ids) {
      const count = hits[id] as number;
      if (count > POSITIONS_PER_KEYWORD) return null;
      total += count;
    }
    if (total === 0) return EMPTY_STARTS;
    if (this.#starts.length < total) this.#starts = new Int32Array(total * 2);
    let n = 0;
    for (const id of ids) {
      const count = hits[id] as number;
      const length = this.#keywordLengths[id] as number;
      for (let k = 0; k < count; k++) this.#starts[n++] = (positions[id * POSITIONS_PER_KEYWORD + k] as number) - length;
    }
    const starts = this.#starts.subarray(0, n).sort();
    const near = compiled.startNear[p] ? ends : null;
    const reach = (compiled.reaches[p] as number) + WINDOW_PAD;
    let kept = 0;
    let e = 0;
    for (let i = 0; i < n; i++) {
      const start = starts[i] as number;
      if (i > 0 && start === starts[i - 1]) continue;
      if (near) {
        while (e < near.length && (near[e] as number) + WINDOW_PAD <= start) e++;
        if (e === near.length || (near[e] as number) - reach >= start) continue;
      }
      starts[kept++] = start;
    }
    return starts.subarray(0, kept);
  }

  /** Windows for regex p: around its lead keyword hits, or the rule's keyword or prefilter hits. */
  windowPlan(compiled: CompiledRule, p: number, ends: number[] | null, slack: number, length: number, candidates: { hits: Uint16Array; positions: Int32Array }): WindowPlan {
    const reach = compiled.reaches[p] as number;
    const lead = compiled.prefilter >= 0 ? null : (compiled.leadIds[p] ?? null);
    if (!lead) return { windows: (ends && mergeWindows(ends, reach + slack, reach + slack, length)) ?? [0, length], lead: null };
    // A pattern whose matches all start with one of some keywords (see regex-lead.ts) runs only
    // from the start of their hits: a match there looks back no further than its lookbehinds and
    // forward no further than its reach (both count its lookarounds).
    const behind = (compiled.behinds[p] as number) + EDGE;
    const near = this.keywordEnds(lead, candidates.hits, candidates.positions);
    const windows = (near && mergeWindows(near, (compiled.leadLengths[p] as number) + behind, reach + EDGE, length)) ?? [0, length];
    return { windows, lead: { behind, reach } };
  }
}
