// The trust audit's vocabulary. Check ids are stable: where OpenClaw's own `security audit` has a
// check for the same weakness, the same id is used (so both lists line up); ClawNex-only checks
// are prefixed "clawnex.".
import type { LoadedConfig } from "./config-loader.ts";
import type { OpenclawModel } from "./model.ts";
import type { PairingAllowlist } from "./pairing.ts";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  checkId: string;
  severity: Severity;
  title: string;
  /** Where the weakness is: config paths (gateway.bind) or files, comma-separated. Never a secret value. */
  evidence: string;
  detail: string;
  remediation: string;
  /** clawnex: found by this audit; openclaw: only in ingested `openclaw security audit` output. */
  source: "clawnex" | "openclaw";
  /** Also reported by OpenClaw's own audit (when its output was ingested). */
  confirmedByOpenclaw?: boolean;
}

export interface AuditContext {
  stateDir: string;
  loaded: LoadedConfig;
  model: OpenclawModel;
  pairing: PairingAllowlist[];
  /** Origins (scheme://host:port) of the ClawNex gateway: providers pointing elsewhere bypass it. */
  clawnexOrigins: string[];
}

export type Check = (ctx: AuditContext) => Finding[];

export function finding(checkId: string, severity: Severity, title: string, evidence: string | string[], detail: string, remediation: string): Finding {
  return { checkId, severity, title, evidence: Array.isArray(evidence) ? evidence.join(", ") : evidence, detail, remediation, source: "clawnex" };
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.checkId.localeCompare(b.checkId) || a.evidence.localeCompare(b.evidence));
}

export function summarize(findings: Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
