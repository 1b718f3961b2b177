// The Shield engine: normalise once, prefilter rules with one keyword pass, run only the rules
// that can match, peel encodings and scan what they hide (bounded), then score. Pure and
// synchronous: no I/O, no clocks, no globals beyond the compiled rule set.
import { KeywordMatcher, POSITIONS_PER_KEYWORD, type KeywordKind } from "./aho-corasick.ts";
import { KeywordHits } from "./keyword-hits.ts";
import { CandidateRules } from "./candidate-rules.ts";
import { keywordForms } from "./keyword-words.ts";
import { findEncodedSegments } from "./decode.ts";
import { prefilterGate } from "./run-gate.ts";
import { MatchPlaces, prefilterCacheFor, WINDOW_PAD, type CompiledRule, type HitEnds, type Prefilter } from "./match-places.ts";
import { FoldedViews, namesWideUnits } from "./folded-view.ts";
import { fold, normalize, toOriginalSpan, type NormalizedText } from "./normalize.ts";
import { excerptOf, type Span } from "./redact.ts";
import { MAX_DETECTIONS_PER_RULE, scanAtStarts, scanInWindows, type RuleFindings } from "./pattern-scan.ts";
import { leadKeywords, startLiterals, type StartLiteral } from "./regex-lead.ts";
import { groupEnd } from "./regex-source.ts";
import { lookbehindLength, maxMatchLength } from "./regex-length.ts";
import { compilePatterns, compilePrefilter } from "./rule-schema.ts";
import { combine } from "./scoring.ts";
import type { Detection, Direction, Rule, RuleActionOverride, ScanInput, ScanOutcome, ShieldOptions } from "./types.ts";
import { warmUp } from "./regex-runs.ts";





/** Mark a start marker's key in the keyword index when its hits count anywhere, or at word ends only. */
const ANYWHERE = "\u0000";
const WORD_END = "\u0001";

/** Fewest characters an opening word needs to serve as a start marker: shorter ones hit everywhere. */
const MIN_START_LITERAL = 3;
/** The same for an opening word that must be a whole word ("do" of "do not"). */
const MIN_START_WORD = 2;
/**
 * How many hits of a start marker, or of a keyword of one or two units, are located: common words
 * ("sk" starts skill and skip), yet their patterns should still run only at those hits.
 */
const MARKER_POSITIONS = 512;

/**
 * For "^(?!N)B": "^B", which matches wherever the pattern does and is cheap where B fails at once
 * (the lookahead may read a whole line first). Null for other patterns.
 */
function probeOf(regex: RegExp): RegExp | null {
  if (!regex.source.startsWith("^(?!")) return null;
  const end = groupEnd(regex.source, 1);
  return end < 0 ? null : new RegExp(`^${regex.source.slice(end + 1)}`, `${regex.flags.replace(/[gd]/g, "")}y`);
}

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

/** A folded-view rule's regexes, and its prefilter's. */
function foldedRegexes(c: CompiledRule, prefilters: readonly Prefilter[]): RegExp[] {
  return [...c.regexes, ...(c.prefilter >= 0 ? [(prefilters[c.prefilter] as Prefilter).regex] : [])];
}

/**
 * Which folded-view rules need the exact folded view: those that name wide units, and all of them
 * when one reads matched text (validators). The others share a one-byte view where the text allows.
 */
function foldedViewsFor(compiled: readonly CompiledRule[], prefilters: readonly Prefilter[]): { views: FoldedViews | null; exact: boolean[] } {
  const folded = (c: CompiledRule): boolean => c.rule.view === "folded" && !c.rule.signal;
  if (compiled.some((c) => folded(c) && c.rule.validators.length > 0)) return { views: null, exact: compiled.map(() => true) };
  const exact = compiled.map((c) => folded(c) && foldedRegexes(c, prefilters).some(namesWideUnits));
  const shared = compiled.filter((c, r) => folded(c) && !exact[r]).flatMap((c) => foldedRegexes(c, prefilters));
  return { views: new FoldedViews(shared), exact };
}

export class ShieldEngine {
  readonly rules: readonly Rule[];
  readonly #compiled: CompiledRule[];
  readonly #candidates: CandidateRules;
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
          this.#prefilters.push({ regex, reach: maxMatchLength(rule.prefilter), gate: prefilterGate(rule.prefilter, regex.flags) });
        }
      }
      const regexes = rule.signal ? [] : compilePatterns(rule);
      return {
        rule,
        regexes,
        action: options.ruleActions?.[rule.id] ?? rule.action,
        keywordIds: [],
        keywordIdsOf: [],
        leadIds: [],
        leadLengths: [],
        reaches: rule.patterns.length > 0 ? rule.patterns.map(maxMatchLength) : rule.keywords.map((k) => k.length),
        behinds: regexes.map((r) => lookbehindLength(r.source)),
        startIds: regexes.map(() => null),
        startNear: regexes.map(() => false),
        lineStarts: regexes.map(() => false),
        sticky: regexes.map(() => null),
        probes: regexes.map(() => null),
        prefilter,
        warm: false,
      };
    });
    const keywordIndex = new Map<string, number>();
    /** Per keyword id: the rules it makes candidates. */
    const keywordRules: number[][] = [];
    /** Rules with no keywords: they run on every scan. */
    const unfiltered: number[] = [];
    // Start markers whose hits count inside words too, or only as whole words, are kept apart
    // from keywords of the same text; they and very short keywords are located further.
    const kinds: Array<KeywordKind & { text: string }> = [];
    const idOf = (keyword: string, marker?: StartLiteral): number => {
      const key = `${marker?.anywhere ? ANYWHERE : ""}${marker?.wordEnd ? WORD_END : ""}${keyword}`;
      let id = keywordIndex.get(key);
      if (id === undefined) {
        id = keywordIndex.size;
        keywordIndex.set(key, id);
        keywordRules.push([]);
        kinds.push({ text: keyword, anywhere: marker?.anywhere ?? false, wordEnd: marker?.wordEnd ?? false, positions: marker || keyword.length <= 2 ? MARKER_POSITIONS : POSITIONS_PER_KEYWORD });
      }
      return id;
    };
    this.#compiled.forEach((c, ruleIndex) => {
      if (c.rule.keywords.length === 0 || c.rule.signal) {
        unfiltered.push(ruleIndex);
        return;
      }
      // Each keyword's ids: its own and those of its case variants that fold apart.
      const idsOfKeyword = c.rule.keywords.map((keyword) => keywordForms(keyword).map((form) => idOf(form)));
      for (const ids of idsOfKeyword) {
        for (const id of ids) {
          (keywordRules[id] as number[]).push(ruleIndex);
          c.keywordIds.push(id);
        }
      }
      c.keywordIdsOf = idsOfKeyword;
      const leads = c.rule.patterns.map((pattern) => leadKeywords(pattern, c.rule.keywords));
      c.leadIds = leads.map((ids) => ids?.flatMap((k) => idsOfKeyword[k] as number[]) ?? null);
      c.leadLengths = leads.map((ids) => Math.max(0, ...(ids ?? []).map((k) => (c.rule.keywords[k] as string).length)));
    });
    // Where matches can start: at lead keyword hits, at a keyword-only rule's own keyword, or at
    // the words a pattern opens with (added to the matcher as start markers: their hits alone
    // make no rule a candidate).
    for (const c of this.#compiled) {
      if (c.keywordIds.length === 0 || c.prefilter >= 0) continue;
      c.regexes.forEach((regex, p) => {
        let ids: number[] | null = null;
        if (c.rule.patterns.length === 0) ids = c.keywordIdsOf[p] ?? null;
        else if (c.leadIds[p]) ids = c.leadIds[p] ?? null;
        else {
          const literals = startLiterals(c.rule.patterns[p] as string, MIN_START_LITERAL, MIN_START_WORD);
          if (literals) {
            ids = literals.flatMap((marker) => keywordForms(marker.literal).map((form) => idOf(form, marker)));
            c.startNear[p] = true;
          }
        }
        c.startIds[p] = ids;
        c.lineStarts[p] = !ids && c.rule.flags.includes("m") && (c.rule.patterns[p] ?? "").startsWith("^");
        if (ids || c.lineStarts[p]) c.sticky[p] = new RegExp(regex.source, `${regex.flags}y`);
        c.probes[p] = c.lineStarts[p] ? probeOf(regex) : null;
      });
    }
    this.#matcher = new KeywordMatcher(kinds.map((k) => k.text), kinds);
    this.#candidates = new CandidateRules(keywordRules, unfiltered, this.#compiled.map((c) => c.rule.direction));
    this.#places = new MatchPlaces(this.#prefilters, this.#matcher);
    ({ views: this.#foldedViews, exact: this.#exactFold } = foldedViewsFor(this.#compiled, this.#prefilters));
  }

  readonly #places: MatchPlaces;
  readonly #foldedViews: FoldedViews | null;
  /** By compiled rule: runs on the exact folded view rather than the shared one-byte view. */
  readonly #exactFold: boolean[];

  /** The folded view a rule runs on, made once per layer. */
  #foldedFor(index: number, clean: string, views: { shared?: string; exact?: string }): string {
    if (this.#exactFold[index] || this.#foldedViews === null) return (views.exact ??= fold(clean));
    if (views.shared === undefined) {
      const { text, exact } = this.#foldedViews.view(clean);
      views.shared = text;
      if (exact) views.exact = text;
    }
    return views.shared;
  }

  scan(input: ScanInput): ScanOutcome {
    const budget = { chars: this.#options.maxDecodedChars ?? 256 * 1024, segments: 64 };
    const normalized = normalize(input.text);
    const detections = this.#scanLayer(normalized, input.direction ?? "inbound", 0, budget);
    const { score, verdict } = combine(detections, this.#options.thresholds);
    return { verdict, score, detections, invisible: normalized.invisible, truncated: budget.chars < 0 };
  }

  /** Keyword hits, one per decoding depth (scans are synchronous, layers nest). */
  readonly #hits: KeywordHits[] = [];

  /** The rules to run on clean in this direction (see CandidateRules), and the keyword hits. */
  #candidateRules(clean: string, direction: Direction, depth: number): { rules: number[]; hits: KeywordHits } {
    let hits = this.#hits[depth];
    if (!hits) {
      hits = new KeywordHits(this.#matcher.keywordCount);
      this.#hits[depth] = hits;
    }
    this.#matcher.findAll(clean, hits);
    return { rules: this.#candidates.select(direction, hits), hits };
  }

  #scanLayer(normalized: NormalizedText, direction: Direction, depth: number, budget: { chars: number; segments: number }): Detection[] {
    const { clean } = normalized;
    const folded: { shared?: string; exact?: string } = {};
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

    const candidates = this.#candidateRules(clean, direction, depth);
    const prefilterCache = prefilterCacheFor(normalized);
    for (const index of candidates.rules) {
      const compiled = this.#compiled[index] as CompiledRule;
      const { rule } = compiled;
      if (rule.signal) {
        const span = this.#signalSpan(rule, normalized, decodedDetections[0]?.span ?? null);
        if (span) raw.push({ compiled, span, sensitive: null });
        continue;
      }
      const view = rule.view === "folded" ? this.#foldedFor(index, clean, folded) : clean;
      if (!compiled.warm) {
        // A pattern with known starts runs its sticky copy; its global regex only scans windows
        // when too many starts were hit, and is compiled then (compiled code for every pattern
        // twice would cost some 40 MB).
        warmUp(compiled.regexes.filter((_, p) => compiled.sticky[p] === null));
        warmUp([...compiled.sticky, ...compiled.probes].filter((r) => r !== null));
        compiled.warm = true;
      }
      const ruleStarted = this.ruleTime ? performance.now() : 0;
      // A match contains a keyword hit, or overlaps a prefilter hit (which may then end up to the
      // prefilter's reach past it): each regex runs within its own reach of those hit ends.
      let ends: HitEnds | null;
      let slack = WINDOW_PAD;
      if (compiled.prefilter >= 0) {
        ends = this.#places.prefilterHits(compiled.prefilter, view, rule.view, prefilterCache);
        if (ends !== null && ends.length === 0) continue;
        slack += (this.#prefilters[compiled.prefilter] as Prefilter).reach;
      } else {
        ends = this.#places.keywordEnds(compiled.keywordIds, candidates.hits);
      }
      const findings: RuleFindings = { found: [], rejected: 0 };
      let patternsMatched = 0;
      for (let p = 0; p < compiled.regexes.length; p++) {
        const starts = this.#places.matchStarts(compiled, p, view, ends, candidates.hits);
        const matches = starts
          ? scanAtStarts(rule, compiled.sticky[p] as RegExp, compiled.probes[p] ?? null, view, starts, normalized, findings)
          : scanInWindows(rule, compiled.regexes[p] as RegExp, view, this.#places.windowPlan(compiled, p, ends, slack, view.length, candidates.hits), normalized, findings, this.#countWork(rule.id));
        if (starts && this.regexWork) this.regexWork.set(rule.id, (this.regexWork.get(rule.id) ?? 0) + starts.length);
        if (matches > 0) patternsMatched++;
        // Enough evidence: further patterns can't change whether (or where) the rule fires.
        if (patternsMatched >= rule.minMatches && findings.found.length >= MAX_DETECTIONS_PER_RULE) break;
        // Too little: even if every remaining pattern matched, the rule could not fire.
        if (patternsMatched + compiled.regexes.length - 1 - p < rule.minMatches) break;
      }
      if (this.ruleTime) this.ruleTime.set(rule.id, (this.ruleTime.get(rule.id) ?? 0) + performance.now() - ruleStarted);
      if (patternsMatched < rule.minMatches) continue;
      const kept = rule.minMatches > 1 ? findings.found.slice(0, 1) : findings.found;
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


  #countWork(ruleId: string): ((chars: number) => void) | undefined {
    const work = this.regexWork;
    return work ? (chars) => work.set(ruleId, (work.get(ruleId) ?? 0) + chars) : undefined;
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
