// How a correlation rule scores a group of events, and the explanation that goes with it.
// Each satisfied step contributes weight × a factor for the strongest event it saw (critical 1,
// high 0.85, medium 0.7, low 0.55, info 0.4); events beyond what the steps needed add a capped
// bonus. In an ordered rule each step only counts events that arrived after the event that
// satisfied the step before it. The explanation spells out every term of the sum.
import type { SocEvent, SocSeverity } from "../model.ts";
import { severityRank } from "../model.ts";
import { formatDuration } from "../rulebook/duration.ts";
import type { CorrelationRule, CorrelationStep } from "../rulebook/schema.ts";

export const SEVERITY_FACTOR: Record<SocSeverity, number> = { critical: 1, high: 0.85, medium: 0.7, low: 0.55, info: 0.4 };

export interface Tracked {
  event: SocEvent;
  /** Arrival order, increasing across all events the correlator saw. */
  arrival: number;
  /** Ids of the rule's steps this event matches. */
  steps: string[];
}

export interface StepResult {
  step: CorrelationStep;
  satisfied: boolean;
  events: Tracked[];
  strongest: SocSeverity | null;
  points: number;
}

export interface Evaluation {
  fires: boolean;
  score: number;
  steps: StepResult[];
  extraEvents: number;
  bonus: number;
  /** Distinct events counted by the satisfied steps. */
  eventCount: number;
  explanation: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function stepSatisfiedAt(step: CorrelationStep, candidates: Tracked[]): number | null {
  let count = 0;
  const distinct = new Set<string>();
  for (const t of candidates) {
    count++;
    if (step.distinct) {
      const value = step.distinct.field.startsWith("attr.") ? t.event.attributes[step.distinct.field.slice(5)] : (t.event as unknown as Record<string, unknown>)[step.distinct.field];
      if (value !== null && value !== undefined) distinct.add(String(value));
    }
    if (count >= step.minCount && (!step.distinct || distinct.size >= step.distinct.min)) return t.arrival;
  }
  return null;
}

function strongestOf(events: Tracked[]): SocSeverity | null {
  let best: SocSeverity | null = null;
  for (const t of events) if (best === null || severityRank(t.event.severity) > severityRank(best)) best = t.event.severity;
  return best;
}

export function evaluate(rule: CorrelationRule, tracked: Tracked[], group: Record<string, string | null>): Evaluation {
  const sorted = [...tracked].sort((a, b) => a.arrival - b.arrival);
  let cursor = Number.NEGATIVE_INFINITY;
  let allRequired = true;
  const steps: StepResult[] = rule.steps.map((step) => {
    const candidates = sorted.filter((t) => t.steps.includes(step.id) && (!rule.ordered || t.arrival > cursor));
    const at = stepSatisfiedAt(step, candidates);
    const satisfied = at !== null;
    if (satisfied && rule.ordered) cursor = at;
    if (!satisfied && step.required) allRequired = false;
    const strongest = satisfied ? strongestOf(candidates) : null;
    const points = satisfied && strongest ? round1(step.weight * SEVERITY_FACTOR[strongest]) : 0;
    return { step, satisfied, events: satisfied ? candidates : [], strongest, points };
  });
  const used = new Set<string>();
  for (const s of steps) for (const t of s.events) used.add(t.event.id);
  const needed = steps.reduce((n, s) => n + (s.satisfied ? s.step.minCount : 0), 0);
  const extraEvents = Math.max(0, used.size - needed);
  const bonus = round1(Math.min(rule.bonus.max, extraEvents * rule.bonus.perExtraEvent));
  const raw = round1(steps.reduce((n, s) => n + s.points, 0) + bonus);
  const score = Math.min(100, raw);
  const fires = allRequired && used.size >= rule.minEvents && score >= rule.threshold;
  return { fires, score, steps, extraEvents, bonus, eventCount: used.size, explanation: explain(rule, group, steps, extraEvents, bonus, score, raw > 100) };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function explain(rule: CorrelationRule, group: Record<string, string | null>, steps: StepResult[], extraEvents: number, bonus: number, score: number, capped: boolean): string {
  const groupText = Object.entries(group)
    .map(([k, v]) => `${k}=${v ?? "(none)"}`)
    .join(", ");
  const matched = steps.filter((s) => s.satisfied).length;
  const lines = [`${rule.title} (${rule.id}) for ${groupText} within ${formatDuration(rule.windowMs)}.`, `${matched} of ${steps.length} steps matched${rule.ordered ? " in order" : ""}:`];
  steps.forEach((s, i) => {
    if (!s.satisfied || !s.strongest) {
      lines.push(`  ${i + 1}. ${s.step.label}: not matched${s.step.required ? "" : " (optional)"} → 0`);
      return;
    }
    const targets = [...new Set(s.events.map((t) => t.event.target).filter((t): t is string => t !== null))].slice(0, 3);
    const first = s.events[0]?.event.ts ?? "?";
    const n = s.events.length;
    lines.push(`  ${i + 1}. ${s.step.label}: ${n} event${n === 1 ? "" : "s"} from ${first}, strongest ${s.strongest}${targets.length ? ` (${targets.join(", ")})` : ""} → ${fmt(s.step.weight)} × ${SEVERITY_FACTOR[s.strongest]} = ${fmt(s.points)}`);
  });
  const terms = steps.filter((s) => s.satisfied).map((s) => fmt(s.points));
  if (rule.bonus.perExtraEvent > 0) {
    lines.push(`Bonus: ${extraEvents} further event${extraEvents === 1 ? "" : "s"} × ${fmt(rule.bonus.perExtraEvent)} = ${fmt(bonus)} (at most ${fmt(rule.bonus.max)}).`);
    terms.push(`${fmt(bonus)} bonus`);
  }
  lines.push(`Score ${fmt(score)} = ${terms.length > 0 ? terms.join(" + ") : "0"}${capped ? " (capped at 100)" : ""}; the rule fires at ${fmt(rule.threshold)}.`);
  return lines.join("\n");
}
