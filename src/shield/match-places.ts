// Where a rule's patterns run in one layer of a scan: around its keyword or prefilter hits, or,
// where every match must start at a hit of known words, at exactly those places.
import type { KeywordMatcher } from "./aho-corasick.ts";
import type { KeywordHits } from "./keyword-hits.ts";
import { aroundRuns, gateRuns, type RunGate } from "./run-gate.ts";
import { EDGE, type WindowPlan } from "./pattern-scan.ts";
import { type HitEnds, mergeWindows } from "./regex-runs.ts";
import type { NormalizedText } from "./normalize.ts";
import type { Rule, RuleActionOverride, TextView } from "./types.ts";

export interface CompiledRule {
  rule: Rule;
  regexes: RegExp[];
  action: RuleActionOverride | undefined;
  /** Ids of the rule's keywords in the matcher, their case variants included. */
  keywordIds: number[];
  /** Per rule keyword: its id and those of its case variants (keywordForms). */
  keywordIdsOf: number[][];
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
  /** Per regex: every match starts at a line start (it opens with ^ in multiline mode). */
  lineStarts: boolean[];
  /** Per regex, a sticky copy (tried at one position), or null. */
  sticky: Array<RegExp | null>;
  /** Per regex, a cheaper sticky regex that matches wherever it does, tried first (see probeOf), or null. */
  probes: Array<RegExp | null>;
  /** Index of the rule's prefilter in the prefilter list, or -1. */
  prefilter: number;
  /** Whether the regexes have been warmed up (see regex-runs.ts). */
  warm: boolean;
}

export interface Prefilter {
  regex: RegExp;
  /** Longest possible hit: a rule match may start this much further before a hit's end. */
  reach: number;
  /** Every hit holds a run of digits or non-ASCII units: it runs only around such runs (see run-gate.ts); null: everywhere. */
  gate: RunGate | null;
}

export type { HitEnds };

/** Per layer: each prefilter's hit ends (null: too many), and the digit runs of each view. */
export interface PrefilterCache {
  hits: Array<number[] | null | undefined>;
  /** By gate kind and view. */
  runs: Map<string, number[] | null>;
}

/** A layer's prefilter cache, holding already the non-ASCII runs normalisation found in its clean view. */
export function prefilterCacheFor(normalized: NormalizedText): PrefilterCache {
  const runs = new Map<string, number[] | null>();
  if (normalized.nonAsciiRuns) runs.set(runKey("non-ascii", "clean"), normalized.nonAsciiRuns);
  return { hits: [], runs };
}

function runKey(runs: RunGate["runs"], view: TextView): string {
  return `${runs}/${view}`;
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

/** What ^ in multiline mode follows. */
const LINE_BREAK = /[\n\r\u2028\u2029]/g;
/** Beyond this many line starts near keyword hits a pattern scans windows instead. */
const MAX_LINE_STARTS = 2048;

export class MatchPlaces {
  readonly #prefilters: readonly Prefilter[];
  /** Where the keyword matcher locates each keyword's hits. */
  readonly #matcher: KeywordMatcher;
  /** Scratch space for matchStarts (scans are synchronous; each pattern's starts are used at once). */
  #starts = new Int32Array(256);

  constructor(prefilters: readonly Prefilter[], matcher: KeywordMatcher) {
    this.#prefilters = prefilters;
    this.#matcher = matcher;
  }

  /**
   * End offsets of a keyword-filtered rule's keyword hits, around which its regexes run. Null
   * when the rule must scan the whole text (no keywords, or too many hits to locate).
   */
  keywordEnds(keywordIds: readonly number[], hits: KeywordHits): Int32Array | null {
    if (keywordIds.length === 0) return null;
    const total = hits.locatedTotal(keywordIds);
    if (total < 0) return null;
    const ends = new Int32Array(total);
    let n = 0;
    let hitIds = 0;
    for (const id of keywordIds) {
      const count = hits.counts[id] as number;
      if (count === 0) continue;
      const slot = hits.slots[id] as number;
      ends.set(hits.ends.subarray(slot, slot + count), n);
      n += count;
      hitIds++;
    }
    // Each keyword's hits are in order already; a typed array sorts numerically, natively.
    return hitIds > 1 ? ends.sort() : ends;
  }

  /**
   * End offsets of a prefilter's hits in view (computed once per layer and view), or null when
   * there are too many to be worth windowing. Every match of the rule overlaps a hit: the global
   * scan resumes after each hit, so it cannot step over an occurrence without overlapping it.
   */
  prefilterHits(index: number, view: string, viewName: TextView, cache: PrefilterCache): number[] | null {
    const cached = cache.hits[index];
    if (cached !== undefined) return cached;
    const { regex, reach, gate } = this.#prefilters[index] as Prefilter;
    let runs: number[] | null = null;
    if (gate) {
      const key = runKey(gate.runs, viewName);
      const known = cache.runs.get(key);
      runs = known === undefined ? gateRuns(view, gate) : known;
      if (known === undefined) cache.runs.set(key, runs);
    }
    const windows = gate && runs ? aroundRuns(runs, gate.least, reach, view.length) : [0, view.length];
    let ends: number[] | null = [];
    scan: for (let w = 0; w < windows.length; w += 2) {
      const from = windows[w] as number;
      const text = from === 0 && windows[w + 1] === view.length ? view : view.slice(from, windows[w + 1]);
      regex.lastIndex = 0;
      // test(), not exec(): only where each hit ends is needed, and exec() allocates a match array per hit.
      while (regex.test(text)) {
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
  matchStarts(compiled: CompiledRule, p: number, view: string, ends: HitEnds | null, hits: KeywordHits): Int32Array | null {
    if (compiled.lineStarts[p]) return ends && this.#lineStartsNear(view, ends, (compiled.reaches[p] as number) + WINDOW_PAD);
    const ids = compiled.startIds[p];
    if (!ids) return null;
    const total = hits.locatedTotal(ids);
    if (total < 0) return null;
    if (total === 0) return EMPTY_STARTS;
    if (this.#starts.length < total) this.#starts = new Int32Array(total * 2);
    const near = compiled.startNear[p] ? ends : null;
    const reach = (compiled.reaches[p] as number) + WINDOW_PAD;
    // Each keyword's hits are in ascending order: the ones near a keyword hit of the rule are
    // picked in one pass along both lists, and only those few are sorted.
    let n = 0;
    const located = hits.ends;
    for (const id of ids) {
      const count = hits.counts[id] as number;
      if (count === 0) continue;
      const length = this.#matcher.length(id);
      const slot = hits.slots[id] as number;
      let e = 0;
      for (let k = 0; k < count; k++) {
        const start = (located[slot + k] as number) - length;
        if (near) {
          while (e < near.length && (near[e] as number) + WINDOW_PAD <= start) e++;
          if (e === near.length) break;
          if ((near[e] as number) - reach >= start) continue;
        }
        this.#starts[n++] = start;
      }
    }
    const starts = this.#starts.subarray(0, n);
    if (ids.length > 1) starts.sort();
    let kept = 0;
    for (let i = 0; i < n; i++) if (i === 0 || starts[i] !== starts[i - 1]) starts[kept++] = starts[i] as number;
    return starts.subarray(0, kept);
  }

  /** Line starts s with e - reach < s < e + WINDOW_PAD for some keyword hit end e; null if very many. */
  #lineStartsNear(view: string, ends: HitEnds, reach: number): Int32Array | null {
    let n = 0;
    const add = (start: number): boolean => {
      if (n >= MAX_LINE_STARTS) return false;
      if (this.#starts.length <= n) {
        const grown = new Int32Array(this.#starts.length * 2);
        grown.set(this.#starts);
        this.#starts = grown;
      }
      this.#starts[n++] = start;
      return true;
    };
    let e = 0;
    while (e < ends.length) {
      const from = Math.max(0, (ends[e] as number) - reach + 1);
      let to = Math.min(view.length, (ends[e] as number) + WINDOW_PAD - 1);
      for (e++; e < ends.length && (ends[e] as number) - reach + 1 <= to; e++) to = Math.min(view.length, (ends[e] as number) + WINDOW_PAD - 1);
      if (from === 0 && !add(0)) return null;
      LINE_BREAK.lastIndex = Math.max(0, from - 1);
      for (let m = LINE_BREAK.exec(view); m !== null && m.index < to; m = LINE_BREAK.exec(view)) {
        if (m.index + 1 >= from && !add(m.index + 1)) return null;
      }
    }
    return this.#starts.subarray(0, n);
  }

  /** Windows for regex p: around its lead keyword hits, or the rule's keyword or prefilter hits. */
  windowPlan(compiled: CompiledRule, p: number, ends: HitEnds | null, slack: number, length: number, hits: KeywordHits): WindowPlan {
    const reach = compiled.reaches[p] as number;
    const lead = compiled.prefilter >= 0 ? null : (compiled.leadIds[p] ?? null);
    if (!lead) return { windows: (ends && mergeWindows(ends, reach + slack, reach + slack, length)) ?? [0, length], lead: null };
    // A pattern whose matches all start with one of some keywords (see regex-lead.ts) runs only
    // from the start of their hits: a match there looks back no further than its lookbehinds and
    // forward no further than its reach (both count its lookarounds).
    const behind = (compiled.behinds[p] as number) + EDGE;
    const near = this.keywordEnds(lead, hits);
    const windows = (near && mergeWindows(near, (compiled.leadLengths[p] as number) + behind, reach + EDGE, length)) ?? [0, length];
    return { windows, lead: { behind, reach } };
  }
}
