// Combines detections into a 0-100 score and a verdict. Each rule counts once (its strongest
// detection), so twenty e-mail addresses don't add up to a block; independent rules combine as
// probabilities: score = 100 * (1 - prod(1 - weight)).
import type { Detection, Severity, Verdict } from "./types.ts";

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 1, high: 0.75, medium: 0.45, low: 0.15 };

export function combine(detections: readonly Detection[], thresholds: { review: number; block: number }): { score: number; verdict: Verdict } {
  const strongest = new Map<string, number>();
  let forced: Verdict = "ALLOW";
  for (const d of detections) {
    if (d.action === "allow") continue;
    if (d.action === "block") forced = "BLOCK";
    else if (d.action === "review" && forced === "ALLOW") forced = "REVIEW";
    const weight = SEVERITY_WEIGHT[d.severity] * d.confidence;
    if (weight > (strongest.get(d.rule_id) ?? 0)) strongest.set(d.rule_id, weight);
  }
  let keep = 1;
  for (const weight of strongest.values()) keep *= 1 - weight;
  const score = Math.round((1 - keep) * 1000) / 10;
  const byScore: Verdict = score >= thresholds.block ? "BLOCK" : score >= thresholds.review ? "REVIEW" : "ALLOW";
  return { score, verdict: maxVerdict(byScore, forced) };
}

const RANK: Record<Verdict, number> = { ALLOW: 0, REVIEW: 1, BLOCK: 2 };

export function maxVerdict(a: Verdict, b: Verdict): Verdict {
  return RANK[a] >= RANK[b] ? a : b;
}
