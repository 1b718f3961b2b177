// The Shield engine: normalise once, prefilter rules with one keyword pass, run only the rules
// that can match, peel encodings and scan what they hide (bounded), then score. Pure and
// synchronous: no I/O, no clocks, no globals beyond the compiled rule set.
import { KeywordMatcher, POSITIONS_PER_KEYWORD } from "./aho-corasick.ts";
import { findEncodedSegments } from "./decode.ts";
import { fold, normalize, toOriginalSpan, type NormalizedText } from "./normalize.ts";
import { excerptOf, type Span } from "./redact.ts";
import { leadKeywords } from "./regex-lead.ts";
import { lookbehindLength, maxMatchLength } from "./regex-length.ts";
import { compilePatterns, compilePrefilter } from "./rule-schema.ts";
import { combine } from "./scoring.ts";
import type { Detection, Direction, Rule, RuleActionOverride, ScanInput, ScanOutcome, ShieldOptions } from "./types.ts";
import { mergeWindows, warmUp } from "./regex-runs.ts";
import { runValidators } from "./validators.ts";

interface CompiledRule {
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
  /** Index of the rule's prefilter in ShieldEngine.#prefilters, or -1. */
  prefilter: number;
  /** Whether the regexes have been warmed up (see regex-runs.ts). */
  warm: boolean;
}

interface Prefilter {
  regex: RegExp;
  /** Longest possible hit: a rule match may start this much further before a hit's end. */
  reach: number;
}

/** Beyond this many hits of a prefilter its rules scan the whole text. */
const MAX_PREFILTER_HITS = 256;

/**
 * Extra context around a window so \b and look-arounds see the same neighbours as in the full
 * text. Some patterns rely on it to reach a keyword just outside their match ("license_key: ..."
 * before a bare key): their windows keep it.
 */
const WINDOW_PAD = 64;

/**
 * Context beyond the characters a match and its lookarounds may span (maxMatchLength counts
 * lookarounds): \b, ^ and $ inspect the neighbour of a position.
 */
const EDGE = 2;

const MAX_DETECTIONS_PER_RULE = 16;
/** Candidates a rule's validators may reject per layer before the rule gives up (floods of near-misses). */
const MAX_REJECTED_PER_RULE = 256;

function canaryRule(canaries: readonly string[]): Rule {
  return {
    id: "leak.canary",
    title: "Operator canary string in model output (system prompt leak)",
    family: "leak",
    category: "system_prompt_leak",
    severity: "critical",
    confidence: 1,
    direction: "outbound",
    view: "clean",
    keywords: canaries.map((c) => c.toLowerCase()),
    patterns: [],
    flags: "",
    secretGroup: 0,
    sensitive: true,
    validators: [],
    minMatches: 1,
    action: "block",
    tags: ["LLM07"],
    mustMatch: [],
    mustNotMatch: [],
    origin: "config:shield.canaries",
  };
}

export class ShieldEngine {
  readonly rules: readonly Rule[];
  readonly #compiled: CompiledRule[];
  /** Rules with no keywords: they run on every scan. */
  readonly #unfiltered: number[];
  readonly #keywordRules: number[][];
  readonly #matcher: KeywordMatcher;
  readonly #prefilters: Prefilter[] = [];
  readonly #options: ShieldOptions;
  /** When set, counts the characters each rule's regexes examined (bench:shield --per-rule). */
  regexWork: Map<string, number> | null = null;
  /** When set, milliseconds spent per rule (bench:shield --per-rule). */
  ruleTime: Map<string, number> | null = null;

  constructor(rules: readonly Rule[], options: ShieldOptions) {
    this.#options = options;
    const disabled = new Set(options.disabledRules ?? []);
    const enabled = rules.filter((r) => !disabled.has(r.id));
    if (options.canaries && options.canaries.length > 0) enabled.push(canaryRule(options.canaries));
    this.rules = enabled;
    const prefilterIndex = new Map<string, number>();
    this.#compiled = enabled.map((rule) => {
      let prefilter = -1;
      const regex = rule.signal ? null : compilePrefilter(rule);
      if (regex && rule.prefilter !== undefined) {
        // Rules sharing a prefilter (and view) share its pass over the text.
        const key = `${rule.view}/${regex.flags}/${regex.source}`;
        prefilter = prefilterIndex.get(key) ?? this.#prefilters.length;
        if (prefilter === this.#prefilters.length) {
          prefilterIndex.set(key, prefilter);
          this.#prefilters.push({ regex, reach: maxMatchLength(rule.prefilter) });
        }
      }
      const regexes = rule.signal ? [] : compilePatterns(rule);
      return {
        rule,
        regexes,
        action: options.ruleActions?.[rule.id] ?? rule.action,
        keywordIds: [],
        leadIds: [],
        leadLengths: [],
        reaches: rule.patterns.length > 0 ? rule.patterns.map(maxMatchLength) : rule.keywords.map((k) => k.length),
        behinds: regexes.map((r) => lookbehindLength(r.source)),
        prefilter,
        warm: false,
      };
    });
    const keywordIndex = new Map<string, number>();
    this.#keywordRules = [];
    this.#unfiltered = [];
    this.#compiled.forEach((c, ruleIndex) => {
      if (c.rule.keywords.length === 0 || c.rule.signal) {
        this.#unfiltered.push(ruleIndex);
        return;
      }
      for (const keyword of c.rule.keywords) {
        let id = keywordIndex.get(keyword);
        if (id === undefined) {
          id = keywordIndex.size;
          keywordIndex.set(keyword, id);
          this.#keywordRules.push([]);
        }
        (this.#keywordRules[id] as number[]).push(ruleIndex);
        c.keywordIds.push(id);
      }
      const leads = c.rule.patterns.map((pattern) => leadKeywords(pattern, c.rule.keywords));
      c.leadIds = leads.map((ids) => ids?.map((k) => c.keywordIds[k] as number) ?? null);
      c.leadLengths = leads.map((ids) => Math.max(0, ...(ids ?? []).map((k) => (c.rule.keywords[k] as string).length)));
    });
    this.#matcher = new KeywordMatcher([...keywordIndex.keys()]);
  }

  scan(input: ScanInput): ScanOutcome {
    const budget = { chars: this.#options.maxDecodedChars ?? 256 * 1024, segments: 64 };
    const normalized = normalize(input.text);
    const detections = this.#scanLayer(normalized, input.direction ?? "inbound", 0, budget);
    const { score, verdict } = combine(detections, this.#options.thresholds);
    return { verdict, score, detections, invisible: normalized.invisible, truncated: budget.chars < 0 };
  }

  /** Keyword hit buffers, one pair per decoding depth (scans are synchronous, layers nest). */
  readonly #buffers: Array<{ hits: Uint16Array; positions: Int32Array }> = [];

  #candidateRules(clean: string, depth: number): { rules: number[]; hits: Uint16Array; positions: Int32Array } {
    let buffer = this.#buffers[depth];
    if (!buffer) {
      buffer = { hits: new Uint16Array(this.#matcher.keywordCount), positions: new Int32Array(this.#matcher.keywordCount * POSITIONS_PER_KEYWORD) };
      this.#buffers[depth] = buffer;
    }
    const { hits, positions } = buffer;
    hits.fill(0);
    const distinct = this.#matcher.findAll(clean, hits, positions);
    const candidate = new Uint8Array(this.#compiled.length);
    for (const r of this.#unfiltered) candidate[r] = 1;
    if (distinct > 0) {
      for (let id = 0; id < hits.length; id++) {
        if (hits[id] !== 0) for (const r of this.#keywordRules[id] as number[]) candidate[r] = 1;
      }
    }
    const rules: number[] = [];
    for (let r = 0; r < candidate.length; r++) if (candidate[r] === 1) rules.push(r);
    return { rules, hits, positions };
  }

  /**
   * End offsets of a keyword-filtered rule's keyword hits, around which its regexes run. Null
   * when the rule must scan the whole text (no keywords, or too many hits to locate).
   */
  #keywordEnds(keywordIds: readonly number[], hits: Uint16Array, positions: Int32Array): number[] | null {
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
  #prefilterHits(index: number, view: string, cache: Array<number[] | null | undefined>): number[] | null {
    const cached = cache[index];
    if (cached !== undefined) return cached;
    const { regex } = this.#prefilters[index] as Prefilter;
    let ends: number[] | null = [];
    regex.lastIndex = 0;
    for (let m = regex.exec(view); m !== null; m = regex.exec(view)) {
      if (ends.length >= MAX_PREFILTER_HITS) {
        ends = null;
        break;
      }
      ends.push(regex.lastIndex);
    }
    cache[index] = ends;
    return ends;
  }

  #scanLayer(normalized: NormalizedText, direction: Direction, depth: number, budget: { chars: number; segments: number }): Detection[] {
    const { clean } = normalized;
    let folded: string | undefined;
    const raw: Array<{ compiled: CompiledRule; span: Span; sensitive: Span | null }> = [];

    const decodedDetections: Detection[] = [];
    const maxDepth = this.#options.maxDecodeDepth ?? 3;
    if (depth < maxDepth) {
      const layers = findEncodedSegments(clean, budget);
      if (normalized.tagPayload) layers.push({ encoding: "unicode-tags", start: 0, end: 0, text: normalized.tagPayload });
      for (const layer of layers) {
        const inner = this.#scanLayer(normalize(layer.text), direction, depth + 1, budget);
        const outer = layer.encoding === "unicode-tags"
          ? { start: Math.max(0, normalized.firstInvisible.tag), end: Math.max(0, normalized.firstInvisible.tag) + 2 }
          : toOriginalSpan(normalized, layer.start, layer.end);
        for (const d of inner) decodedDetections.push({ ...d, span: outer, decoded_from: [layer.encoding, ...d.decoded_from] });
      }
    }

    const candidates = this.#candidateRules(clean, depth);
    const prefilterCache: Array<number[] | null | undefined> = [];
    for (const index of candidates.rules) {
      const compiled = this.#compiled[index] as CompiledRule;
      const { rule } = compiled;
      if (rule.direction !== "both" && rule.direction !== direction) continue;
      if (rule.signal) {
        const span = this.#signalSpan(rule, normalized, decodedDetections[0]?.span ?? null);
        if (span) raw.push({ compiled, span, sensitive: null });
        continue;
      }
      const view = rule.view === "folded" ? (folded ??= fold(clean)) : clean;
      if (!compiled.warm) {
        warmUp(compiled.regexes);
        compiled.warm = true;
      }
      const ruleStarted = this.ruleTime ? performance.now() : 0;
      // A match contains a keyword hit, or overlaps a prefilter hit (which may then end up to the
      // prefilter's reach past it): each regex runs within its own reach of those hit ends.
      let ends: number[] | null;
      let slack = WINDOW_PAD;
      if (compiled.prefilter >= 0) {
        ends = this.#prefilterHits(compiled.prefilter, view, prefilterCache);
        if (ends !== null && ends.length === 0) continue;
        slack += (this.#prefilters[compiled.prefilter] as Prefilter).reach;
      } else {
        ends = this.#keywordEnds(compiled.keywordIds, candidates.hits, candidates.positions);
      }
      const found: Array<{ span: Span; sensitive: Span | null }> = [];
      let patternsMatched = 0;
      let rejected = 0;
      for (let p = 0; p < compiled.regexes.length; p++) {
        const regex = compiled.regexes[p] as RegExp;
        const reach = compiled.reaches[p] as number;
        // A pattern whose matches all start with one of some keywords (see regex-lead.ts) runs
        // only from the start of their hits: a match there looks back no further than its
        // lookbehinds and forward no further than its reach (both count its lookarounds).
        const lead = compiled.prefilter >= 0 ? null : (compiled.leadIds[p] ?? null);
        const behind = lead ? (compiled.behinds[p] as number) + EDGE : 0;
        const near = lead ? this.#keywordEnds(lead, candidates.hits, candidates.positions) : ends;
        const before = lead ? (compiled.leadLengths[p] as number) + behind : reach + slack;
        const windows = (near && mergeWindows(near, before, lead ? reach + EDGE : reach + slack, view.length)) ?? [0, view.length];
        // Each pattern gets its own match budget, so a busy first pattern can't starve the
        // others of a min_matches rule.
        let matchesOfPattern = 0;
        for (let w = 0; w < windows.length; w += 2) {
          const from = windows[w] as number;
          const to = windows[w + 1] as number;
          const whole = from === 0 && to === view.length;
          const text = whole ? view : view.slice(from, to);
          if (this.regexWork) this.regexWork.set(rule.id, (this.regexWork.get(rule.id) ?? 0) + text.length);
          regex.lastIndex = 0;
          for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
            if (m[0].length === 0) {
              regex.lastIndex++;
              continue;
            }
            const bounds = m.indices?.[0] ?? [m.index, m.index + m[0].length];
            // A match whose evaluation could have looked past a window's cut edge may be an
            // artefact of the cut. Without lead keywords the padding guarantees that every real
            // match near a keyword lies strictly inside; with them, every real match starts at a
            // hit so far inside its window that it sees only what it would in the full text (the
            // scan then retries just after a dropped start, so none is skipped).
            if (lead) {
              if (!whole && from > 0 && bounds[0] < behind) {
                regex.lastIndex = bounds[0] + 1;
                continue;
              }
              if (!whole && to < view.length && bounds[0] + reach + EDGE > text.length) break;
            } else if (!whole && ((bounds[0] === 0 && from > 0) || (bounds[1] === text.length && to < view.length))) continue;
            const group = rule.secretGroup;
            const value = m[group] ?? m[0];
            if (rule.validators.length > 0 && !runValidators(rule.validators, value)) {
              if (++rejected >= MAX_REJECTED_PER_RULE) break;
              continue;
            }
            const secret = m.indices?.[group] ?? bounds;
            const span = toOriginalSpan(normalized, from + bounds[0], from + bounds[1]);
            const sensitive = rule.sensitive ? toOriginalSpan(normalized, from + secret[0], from + secret[1]) : null;
            if (found.length < MAX_DETECTIONS_PER_RULE) found.push({ span, sensitive });
            if (++matchesOfPattern >= MAX_DETECTIONS_PER_RULE) break;
          }
          if (matchesOfPattern >= MAX_DETECTIONS_PER_RULE || rejected >= MAX_REJECTED_PER_RULE) break;
        }
        if (matchesOfPattern > 0) patternsMatched++;
        // Enough evidence: further patterns can't change whether (or where) the rule fires.
        if (patternsMatched >= rule.minMatches && found.length >= MAX_DETECTIONS_PER_RULE) break;
        // Too little: even if every remaining pattern matched, the rule could not fire.
        if (patternsMatched + compiled.regexes.length - 1 - p < rule.minMatches) break;
      }
      if (this.ruleTime) this.ruleTime.set(rule.id, (this.ruleTime.get(rule.id) ?? 0) + performance.now() - ruleStarted);
      if (patternsMatched < rule.minMatches) continue;
      const kept = rule.minMatches > 1 ? found.slice(0, 1) : found;
      for (const f of kept) raw.push({ compiled, ...f });
    }

    const sensitiveSpans = raw.flatMap((r) => (r.sensitive ? [r.sensitive] : []));
    const detections: Detection[] = raw.map(({ compiled: { rule, action }, span }) => ({
      rule_id: rule.id,
      title: rule.title,
      category: rule.category,
      family: rule.family,
      severity: rule.severity,
      confidence: rule.confidence,
      tags: rule.tags,
      sensitive: rule.sensitive,
      span,
      excerpt: excerptOf(normalized.original, span, sensitiveSpans),
      decoded_from: [],
      action,
    }));
    return dedupe([...detections, ...decodedDetections]);
  }

  #signalSpan(rule: Rule, normalized: NormalizedText, decodedSpan: Span | null): Span | null {
    const signal = rule.signal;
    if (!signal) return null;
    if (signal.name === "decoded.payload") return decodedSpan;
    const cls = signal.name === "invisible.tag" ? "tag" : signal.name === "invisible.bidi" ? "bidi" : "zero_width";
    if (normalized.invisible[cls] < signal.minCount) return null;
    const at = normalized.firstInvisible[cls];
    return { start: at, end: at + (cls === "tag" ? 2 : 1) };
  }
}

/** One detection per rule and span; overlapping matches of the same rule collapse. */
function dedupe(detections: Detection[]): Detection[] {
  const out: Detection[] = [];
  const seen = new Set<string>();
  for (const d of detections) {
    const key = `${d.rule_id}:${d.span.start}:${d.span.end}:${d.decoded_from.join("/")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
