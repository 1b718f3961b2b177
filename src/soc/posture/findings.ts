// The posture scanner's vocabulary: a finding is one weakness on this host, with a stable check
// id (for alert rules and de-duplication), where it is (evidence: a path, a socket, a setting —
// never a secret value) and what to do about it. "Unknown" is a finding of its own (info), so a
// check that could not look is never mistaken for a clean bill of health.
import type { SocSeverity } from "../model.ts";

export const POSTURE_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const satisfies readonly SocSeverity[];
export type PostureSeverity = (typeof POSTURE_SEVERITIES)[number];

export interface PostureFinding {
  /** Stable id, e.g. "posture.ssh.root_login"; the same weakness keeps the same id across runs. */
  checkId: string;
  severity: PostureSeverity;
  title: string;
  /** Where the weakness is; stable across runs so the SOC folds repeats into one alert. */
  evidence: string;
  remediation: string;
  /** Longer explanation; may change between runs (pids, counts, modes). */
  detail?: string | undefined;
  /** Advisory ids or URLs behind the finding. */
  references?: string[] | undefined;
}

export const CHECK_STATUSES = ["ok", "findings", "skipped", "error"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** What one check did: whether it could look, and a one-line note saying what it saw. */
export interface CheckRun {
  id: string;
  status: CheckStatus;
  note: string;
  durationMs: number;
}

const RANK: Record<PostureSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function severityAtLeast(severity: PostureSeverity, threshold: PostureSeverity): boolean {
  return RANK[severity] <= RANK[threshold];
}

export function maxPostureSeverity(severities: Iterable<PostureSeverity>): PostureSeverity | null {
  let best: PostureSeverity | null = null;
  for (const s of severities) if (best === null || RANK[s] < RANK[best]) best = s;
  return best;
}

export function sortFindings(findings: PostureFinding[]): PostureFinding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.checkId.localeCompare(b.checkId) || a.evidence.localeCompare(b.evidence));
}

export function summarize(findings: readonly PostureFinding[]): Record<PostureSeverity, number> {
  const counts: Record<PostureSeverity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The mode bits as ls shows them in octal (0640). */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, "0")}`;
}
