// The Shield engine: normalise once, prefilter rules with one keyword pass, run only the rules
// that can match, peel encodings and scan what they hide (bounded), then score. Pure and
// synchronous: no I/O, no clocks, no globals beyond the compiled rule set.
import { KeywordMatcher } from "./aho-corasick.ts";
import { findEncodedSegments } from "./decode.ts";
import { fold, normalize, toOriginalSpan, type NormalizedText } from "./normalize.ts";
import { excerptOf, type Span } from "./redact.ts";
import { compilePatterns } from "./rule-schema.ts";
import { combine } from "./scoring.ts";
import type { Detection, Direction, Rule, RuleActionOverride, ScanInput, ScanOutcome, ShieldOptions } from "./types.ts";
import { runValidators } from "./validators.ts";

interface CompiledRule {
  rule: Rule;
  regexes: RegExp[];
  action: RuleActionOverride | undefined;
}

const MAX_DETECTIONS_PER_RULE = 16;

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
  readonly #options: ShieldOptions;

  constructor(rules: readonly Rule[], options: ShieldOptions) {
    this.#options = options;
    const disabled = new Set(options.disabledRules ?? []);
    const enabled = rules.filter((r) => !disabled.has(r.id));
    if (options.canaries && options.canaries.length > 0) enabled.push(canaryRule(options.canaries));
    this.rules = enabled;
    this.#compiled = enabled.map((rule) => ({
      rule,
      regexes: rule.signal ? [] : compilePatterns(rule),
      action: options.ruleActions?.[rule.id] ?? rule.action,
    }));
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
      }
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

  #candidateRules(clean: string): number[] {
    const found = new Uint8Array(this.#matcher.keywordCount);
    const hits = this.#matcher.findAll(clean, found);
    const candidates = new Set<number>(this.#unfiltered);
    if (hits > 0) {
      for (let id = 0; id < found.length; id++) {
        if (found[id] === 1) for (const r of this.#keywordRules[id] as number[]) candidates.add(r);
      }
    }
    return [...candidates].sort((a, b) => a - b);
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

    for (const index of this.#candidateRules(clean)) {
      const compiled = this.#compiled[index] as CompiledRule;
      const { rule } = compiled;
      if (rule.direction !== "both" && rule.direction !== direction) continue;
      if (rule.signal) {
        const span = this.#signalSpan(rule, normalized, decodedDetections[0]?.span ?? null);
        if (span) raw.push({ compiled, span, sensitive: null });
        continue;
      }
      const view = rule.view === "folded" ? (folded ??= fold(clean)) : clean;
      const found: Array<{ span: Span; sensitive: Span | null }> = [];
      let patternsMatched = 0;
      for (const regex of compiled.regexes) {
        let matchedThisPattern = false;
        regex.lastIndex = 0;
        for (let m = regex.exec(view); m !== null; m = regex.exec(view)) {
          if (m[0].length === 0) {
            regex.lastIndex++;
            continue;
          }
          const group = rule.secretGroup;
          const value = m[group] ?? m[0];
          if (rule.validators.length > 0 && !runValidators(rule.validators, value)) continue;
          const whole = m.indices?.[0] ?? [m.index, m.index + m[0].length];
          const secret = m.indices?.[group] ?? whole;
          const span = toOriginalSpan(normalized, whole[0], whole[1]);
          const sensitive = rule.sensitive ? toOriginalSpan(normalized, secret[0], secret[1]) : null;
          found.push({ span, sensitive });
          matchedThisPattern = true;
          if (found.length >= MAX_DETECTIONS_PER_RULE) break;
        }
        if (matchedThisPattern) patternsMatched++;
        if (found.length >= MAX_DETECTIONS_PER_RULE) break;
      }
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
