// Runs the trust audit on one OpenClaw state dir: load openclaw.json (JSON5, includes, ${ENV}),
// read the pairing allowlists, run every check, and merge OpenClaw's own `security audit --json`
// output when it is available, so operators see one list.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gatewayChecks } from "./checks/gateway.ts";
import { channelChecks, exposureChecks } from "./checks/exposure.ts";
import { filesystemChecks } from "./checks/filesystem.ts";
import { pluginChecks, providerChecks, secretChecks } from "./checks/supply.ts";
import { loadOpenclawConfig } from "./config-loader.ts";
import { type AuditContext, type Check, type Finding, type Severity, sortFindings, summarize } from "./findings.ts";
import { buildModel } from "./model.ts";
import { readPairingAllowlists } from "./pairing.ts";
import { type BlastRadius, blastRadius, buildMatrix, type TrustMatrix } from "./reachability.ts";
import { lookup } from "../../json-record.ts";

export interface AuditOptions {
  stateDir: string;
  /** OPENCLAW_CONFIG_PATH equivalent; default <stateDir>/openclaw.json. */
  configPath?: string | undefined;
  env: (name: string) => string | undefined;
  clawnexOrigins: string[];
  /** Parsed `openclaw security audit --json` output, merged into the findings. */
  openclawAudit?: unknown;
}

export interface TrustReport {
  stateDir: string;
  configPath: string;
  generatedAt: string;
  findings: Finding[];
  summary: Record<Severity, number>;
  matrix: TrustMatrix;
  blastRadius: BlastRadius[];
  /** Things the audit could not read (include errors, unreadable allowlists, unset ${VARS}). */
  problems: string[];
}

const CHECKS: Check[] = [gatewayChecks, channelChecks, exposureChecks, filesystemChecks, secretChecks, providerChecks, pluginChecks];

const OPENCLAW_SEVERITY: Record<string, Severity> = { critical: "critical", warn: "medium", info: "info" };

/** Maps OpenClaw's findings (critical|warn|info) onto ours; malformed output is ignored with a problem. */
export function parseOpenclawAudit(output: unknown): { findings: Finding[]; problems: string[] } {
  const list = typeof output === "object" && output !== null ? (output as { findings?: unknown }).findings : undefined;
  if (!Array.isArray(list)) return { findings: [], problems: ["openclaw security audit output has no findings array"] };
  const findings: Finding[] = [];
  for (const raw of list) {
    if (typeof raw !== "object" || raw === null) continue;
    const f = raw as Record<string, unknown>;
    if (typeof f.checkId !== "string" || typeof f.severity !== "string") continue;
    findings.push({
      checkId: f.checkId.slice(0, 200),
      severity: lookup(OPENCLAW_SEVERITY, f.severity) ?? "info",
      title: typeof f.title === "string" ? f.title.slice(0, 500) : f.checkId,
      evidence: "openclaw security audit",
      detail: typeof f.detail === "string" ? f.detail.slice(0, 4000) : "",
      remediation: typeof f.remediation === "string" ? f.remediation.slice(0, 2000) : "",
      source: "openclaw",
    });
  }
  return { findings, problems: [] };
}

export function mergeOpenclawFindings(ours: Finding[], theirs: Finding[]): Finding[] {
  const merged = [...ours];
  for (const t of theirs) {
    const same = merged.filter((f) => f.checkId === t.checkId && f.source === "clawnex");
    if (same.length > 0) for (const f of same) f.confirmedByOpenclaw = true;
    else merged.push(t);
  }
  return merged;
}

export function runTrustAudit(options: AuditOptions): TrustReport {
  const configPath = options.configPath ?? join(options.stateDir, "openclaw.json");
  const problems: string[] = [];
  const loaded = existsSync(configPath)
    ? loadOpenclawConfig(configPath, options.env)
    : { path: configPath, files: [], config: {}, envPaths: new Set<string>(), missingEnv: [], problems: [`${configPath} not found: auditing OpenClaw's defaults`] };
  problems.push(...loaded.problems, ...loaded.missingEnv.map((name) => `\${${name}} is referenced but not set in ClawNex's environment`));
  const model = buildModel(loaded);
  const pairing = readPairingAllowlists(options.stateDir, model.channels.map((c) => c.channel));
  problems.push(...pairing.problems);
  const ctx: AuditContext = { stateDir: options.stateDir, loaded, model, pairing: pairing.lists, clawnexOrigins: options.clawnexOrigins };
  let findings = CHECKS.flatMap((check) => check(ctx));
  if (options.openclawAudit !== undefined) {
    const ingested = parseOpenclawAudit(options.openclawAudit);
    problems.push(...ingested.problems);
    findings = mergeOpenclawFindings(findings, ingested.findings);
  }
  findings = sortFindings(findings);
  const matrix = buildMatrix(model, pairing.lists);
  return { stateDir: options.stateDir, configPath, generatedAt: new Date().toISOString(), findings, summary: summarize(findings), matrix, blastRadius: blastRadius(matrix), problems };
}
