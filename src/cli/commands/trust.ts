// `clawnex trust`: audits an OpenClaw state dir's trust boundaries (openclaw.json, pairing
// allowlists, file permissions) and prints the findings, the reachability matrix or the blast
// radius. Runs locally: no server needed, nothing recorded.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import { stateDirArgument } from "../../openclaw/cli-context.ts";
import { resolveUserPath } from "../../openclaw/state-dir.ts";
import { runTrustAudit, type TrustReport } from "../../openclaw/trust/audit.ts";
import { SEVERITIES, type Severity } from "../../openclaw/trust/findings.ts";
import { clawnexOrigins } from "../../openclaw/trust/service.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex trust audit [STATE_DIR] [--json] [--config PATH] [--openclaw-audit FILE|-] [--run-openclaw [--openclaw-bin PATH]] [--fail-on SEVERITY]
       clawnex trust matrix [STATE_DIR] [--json] [--config PATH]
       clawnex trust blast-radius [STATE_DIR] [--json] [--config PATH]

  STATE_DIR            an OpenClaw state dir; default: OpenClaw's own (OPENCLAW_STATE_DIR,
                       OPENCLAW_HOME, OPENCLAW_PROFILE, else ~/.openclaw)
  --config PATH        the config file when not <STATE_DIR>/openclaw.json
  --json               JSON output (audit: {findings: [{checkId, severity, title, evidence,
                       remediation, ...}], summary, problems})
  --openclaw-audit F   merge the output of \`openclaw security audit --json\` (a file, or - for stdin)
  --run-openclaw       run \`openclaw security audit --json\` on the state dir and merge it
  --openclaw-bin PATH  the openclaw executable for --run-openclaw (default: openclaw on PATH)
  --fail-on SEVERITY   exit 1 when a finding is at least this severe (critical, high, medium, low)

The ClawNex gateway's address (CLAWNEX_URL, or CLAWNEX_HOST:CLAWNEX_PORT) decides which model
providers count as routed through ClawNex.`;

function runOpenclaw(bin: string, stateDir: string, configPath: string | undefined, io: CliIo): unknown {
  const env = { ...io.env, OPENCLAW_STATE_DIR: stateDir, ...(configPath ? { OPENCLAW_CONFIG_PATH: configPath } : {}), OPENCLAW_NO_AUTO_UPDATE: "1" };
  const run = spawnSync(bin, ["security", "audit", "--json"], { env, encoding: "utf8", timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  if (run.error) throw new Error(`cannot run ${bin}: ${run.error.message}`);
  const start = run.stdout.indexOf("{");
  if (start < 0) throw new Error(`${bin} security audit printed no JSON (exit ${run.status})`);
  return JSON.parse(run.stdout.slice(start));
}

function printAudit(report: TrustReport, io: CliIo): void {
  const lines = [`OpenClaw config ${report.configPath}`, `summary         ${SEVERITIES.map((s) => `${s} ${report.summary[s]}`).join(", ")}`, ""];
  for (const f of report.findings) {
    lines.push(`[${f.severity.toUpperCase()}] ${f.checkId}${f.source === "openclaw" ? " (from openclaw security audit)" : f.confirmedByOpenclaw ? " (also reported by openclaw)" : ""}`);
    lines.push(`  ${f.title}`, `  evidence:    ${f.evidence}`);
    if (f.remediation) lines.push(`  remediation: ${f.remediation}`);
  }
  for (const p of report.problems) lines.push(`note: ${p}`);
  io.stdout(`${lines.join("\n")}\n`);
}

export const command: Command = {
  summary: "audit an OpenClaw install's trust boundaries (findings, reachability, blast radius)",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "audit" && sub !== "matrix" && sub !== "blast-radius") throw new UsageError(sub ? `unknown sub-command '${sub}': use audit, matrix or blast-radius` : "missing sub-command: audit, matrix or blast-radius");
    const { values, positionals } = parseCommandArgs(rest, {
      json: { type: "boolean", default: false },
      config: { type: "string" },
      "openclaw-audit": { type: "string" },
      "run-openclaw": { type: "boolean", default: false },
      "openclaw-bin": { type: "string" },
      "fail-on": { type: "string" },
    });
    if (positionals.length > 1) throw new UsageError("give at most one STATE_DIR");
    const failOn = values["fail-on"];
    if (failOn !== undefined && !SEVERITIES.includes(failOn as Severity)) throw new UsageError(`--fail-on takes ${SEVERITIES.join(", ")}`);
    const config = loadConfig(io.env);
    const stateDir = stateDirArgument(config, positionals[0]);
    const configPath = values.config ? resolveUserPath(values.config, config.env.openclaw) : undefined;
    let openclawAudit: unknown;
    if (values["openclaw-audit"]) {
      const source = values["openclaw-audit"];
      try {
        openclawAudit = JSON.parse(source === "-" ? await io.readStdin() : readFileSync(source, "utf8"));
      } catch (err) {
        throw new UsageError(`cannot read ${source}: ${err instanceof Error ? err.message : String(err)}`);
      }
    } else if (values["run-openclaw"]) {
      openclawAudit = runOpenclaw(values["openclaw-bin"] ?? "openclaw", stateDir, configPath, io);
    }
    const report = runTrustAudit({ stateDir, configPath, env: (name) => config.secretFromEnv(name), clawnexOrigins: clawnexOrigins(config), openclawAudit });
    if (sub === "matrix") io.stdout(values.json ? `${JSON.stringify({ stateDir, ...report.matrix }, null, 2)}\n` : report.matrix.principals.map((p) => `${p.id.padEnd(28)} ${p.trust.padEnd(9)} ${p.audience} -> ${p.agents.join(", ") || "(no agent)"}`).join("\n") + "\n");
    else if (sub === "blast-radius") io.stdout(values.json ? `${JSON.stringify({ stateDir, blastRadius: report.blastRadius }, null, 2)}\n` : report.blastRadius.map((b) => `[${b.severity.toUpperCase()}] ${b.principal} (${b.audience})\n  agents: ${b.agents.join(", ") || "none"}\n  tools:  ${b.tools.join(", ") || "none"}\n  assets: ${b.assets.join("; ") || "none"}`).join("\n") + "\n");
    else if (values.json) io.stdout(`${JSON.stringify({ stateDir, configPath: report.configPath, generatedAt: report.generatedAt, summary: report.summary, findings: report.findings, problems: report.problems }, null, 2)}\n`);
    else printAudit(report, io);
    if (sub === "audit" && failOn) {
      const threshold = SEVERITIES.indexOf(failOn as Severity);
      if (report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold)) return 1;
    }
    return 0;
  },
};
