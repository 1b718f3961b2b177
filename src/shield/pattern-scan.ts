// Running one rule pattern over a view of the text, in one of two ways. Where the engine knows every
// place a match can start (the hits of the words the pattern opens with), a sticky copy of the
// regex is tried at exactly those places, on the whole view. Otherwise the pattern scans windows
// around the rule's keyword or prefilter hits.
import { toOriginalSpan, type NormalizedText } from "./normalize.ts";
import type { Span } from "./redact.ts";
import type { Rule } from "./types.ts";
import { runValidators } from "./validators.ts";

export const MAX_DETECTIONS_PER_RULE = 16;
/** Candidates a rule's validators may reject per layer before the rule gives up (floods of near-misses). */
export const MAX_REJECTED_PER_RULE = 256;

/**
 * Context beyond the characters a match and its lookarounds may span (maxMatchLength counts
 * lookarounds): \b, ^ and $ inspect the neighbour of a position.
 */
export const EDGE = 2;

/** What one rule found in one layer, shared by its patterns. */
export interface RuleFindings {
  found: Array<{ span: Span; sensitive: Span | null }>;
  rejected: number;
}

/** Records a match at offset `from` of the view; false when its validators reject it. */
function record(rule: Rule, m: RegExpExecArray, bounds: readonly number[], from: number, normalized: NormalizedText, findings: RuleFindings): boolean {
  const group = rule.secretGroup;
  const value = m[group] ?? m[0];
  if (rule.validators.length > 0 && !runValidators(rule.validators, value)) {
    findings.rejected++;
    return false;
  }
  const secret = m.indices?.[group] ?? bounds;
  const span = toOriginalSpan(normalized, from + (bounds[0] as number), from + (bounds[1] as number));
  const sensitive = rule.sensitive ? toOriginalSpan(normalized, from + (secret[0] as number), from + (secret[1] as number)) : null;
  if (findings.found.length < MAX_DETECTIONS_PER_RULE) findings.found.push({ span, sensitive });
  return true;
}

/**
 * Tries a sticky regex at each start (ascending), skipping starts inside an earlier match as a
 * global scan would. A probe, when given, is a cheaper sticky regex that matches wherever the
 * full one does: where it fails, the full one is not tried. Returns how many matches the pattern
 * contributed.
 */
export function scanAtStarts(rule: Rule, sticky: RegExp, probe: RegExp | null, view: string, starts: Int32Array, normalized: NormalizedText, findings: RuleFindings): number {
  let matches = 0;
  let resume = 0;
  for (const start of starts) {
    if (start < resume) continue;
    if (probe) {
      probe.lastIndex = start;
      if (!probe.test(view)) continue;
    }
    sticky.lastIndex = start;
    const m = sticky.exec(view);
    if (m === null || m[0].length === 0) continue;
    const bounds = m.indices?.[0] ?? [m.index, m.index + m[0].length];
    resume = bounds[1] as number;
    if (!record(rule, m, bounds, 0, normalized, findings)) {
      if (findings.rejected >= MAX_REJECTED_PER_RULE) break;
      continue;
    }
    if (++matches >= MAX_DETECTIONS_PER_RULE) break;
  }
  return matches;
}

/** How a windowed scan treats the cut edges of its windows. */
export interface WindowPlan {
  /** [from, to, from, to...] offsets of the view. */
  windows: readonly number[];
  /**
   * With lead keywords every real match starts at a hit so far inside its window that it sees only
   * what it would in the full text; how far its lookbehinds reach and how long it may be.
   */
  lead: { behind: number; reach: number } | null;
}

/** Runs a global regex over each window. Returns how many matches the pattern contributed. */
export function scanInWindows(rule: Rule, regex: RegExp, view: string, plan: WindowPlan, normalized: NormalizedText, findings: RuleFindings, work?: (chars: number) => void): number {
  const { windows, lead } = plan;
  let matches = 0;
  for (let w = 0; w < windows.length; w += 2) {
    const from = windows[w] as number;
    const to = windows[w + 1] as number;
    const whole = from === 0 && to === view.length;
    const text = whole ? view : view.slice(from, to);
    work?.(text.length);
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const bounds = m.indices?.[0] ?? [m.index, m.index + m[0].length];
      // A match whose evaluation could have looked past a window's cut edge may be an artefact
      // of the cut. Without lead keywords the padding guarantees that every real match near a
      // keyword lies strictly inside; with them, every real match starts at a hit far enough
      // inside (the scan then retries just after a dropped start, so none is skipped).
      if (lead) {
        if (!whole && from > 0 && (bounds[0] as number) < lead.behind) {
          regex.lastIndex = (bounds[0] as number) + 1;
          continue;
        }
        if (!whole && to < view.length && (bounds[0] as number) + lead.reach + EDGE > text.length) break;
      } else if (!whole && ((bounds[0] === 0 && from > 0) || (bounds[1] === text.length && to < view.length))) continue;
      if (!record(rule, m, bounds, from, normalized, findings)) {
        if (findings.rejected >= MAX_REJECTED_PER_RULE) break;
        continue;
      }
      if (++matches >= MAX_DETECTIONS_PER_RULE) break;
    }
    if (matches >= MAX_DETECTIONS_PER_RULE || findings.rejected >= MAX_REJECTED_PER_RULE) break;
  }
  return matches;
}
