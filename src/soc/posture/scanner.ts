// Runs the posture checks against a host and assembles the report. Each check runs on its own:
// one that throws becomes an "error" entry plus an info finding, never a missing section.
import { hostname } from "node:os";
import type { CheckOutcome, PostureCheck, ScanInput } from "./checks/check.ts";
import { clawnexCheck } from "./checks/clawnex.ts";
import { firewallCheck } from "./checks/firewall.ts";
import { openclawFilesCheck } from "./checks/openclaw-files.ts";
import { socketsCheck } from "./checks/sockets.ts";
import { sshCheck } from "./checks/ssh.ts";
import { updatesCheck } from "./checks/updates.ts";
import { versionsCheck } from "./checks/versions.ts";
import { type CheckRun, type PostureFinding, type PostureSeverity, sortFindings, summarize } from "./findings.ts";
import type { HostContext } from "./host.ts";

export const ALL_CHECKS: readonly PostureCheck[] = [socketsCheck, sshCheck, firewallCheck, openclawFilesCheck, versionsCheck, updatesCheck, clawnexCheck];
export const CHECK_IDS = ALL_CHECKS.map((c) => c.id);

export interface PostureReport {
  scannedAt: string;
  durationMs: number;
  host: { hostname: string; platform: string };
  advisoryTableDate: string;
  summary: Record<PostureSeverity, number>;
  findings: PostureFinding[];
  checks: CheckRun[];
}

export interface ScanOptions {
  /** Check ids to leave out (posture.disabledChecks). */
  disabled?: readonly string[];
  checks?: readonly PostureCheck[];
  hostname?: string;
}

async function runOne(check: PostureCheck, ctx: HostContext, input: ScanInput): Promise<{ run: CheckRun; findings: PostureFinding[] }> {
  const started = performance.now();
  let outcome: CheckOutcome;
  let failed = false;
  try {
    outcome = await check.run(ctx, input);
  } catch (err) {
    failed = true;
    const message = err instanceof Error ? err.message : String(err);
    outcome = { note: `failed: ${message}`, findings: [{ checkId: "posture.check_failed", severity: "info", title: `The ${check.title.toLowerCase()} check failed`, evidence: `check ${check.id}`, detail: message, remediation: "Run `clawnex posture scan` to see the error; report it if it persists." }] };
  }
  const status = failed ? "error" : outcome.skipped ? "skipped" : outcome.findings.length > 0 ? "findings" : "ok";
  return { run: { id: check.id, status, note: outcome.note, durationMs: Math.round(performance.now() - started) }, findings: outcome.findings };
}

export async function runPostureScan(ctx: HostContext, input: ScanInput, options: ScanOptions = {}): Promise<PostureReport> {
  const started = performance.now();
  const disabled = new Set(options.disabled ?? []);
  const checks = (options.checks ?? ALL_CHECKS).filter((c) => !disabled.has(c.id));
  // Independent checks run concurrently: the slow ones wait on commands (apt-get, nft).
  const results = await Promise.all(checks.map((c) => runOne(c, ctx, input)));
  const findings = sortFindings(results.flatMap((r) => r.findings));
  const runs: CheckRun[] = results.map((r) => r.run);
  for (const id of disabled) runs.push({ id, status: "skipped", note: "disabled by posture.disabledChecks", durationMs: 0 });
  return {
    scannedAt: ctx.now.toISOString(),
    durationMs: Math.round(performance.now() - started),
    host: { hostname: options.hostname ?? hostname(), platform: input.platform },
    advisoryTableDate: input.advisories.date,
    summary: summarize(findings),
    findings,
    checks: runs,
  };
}
