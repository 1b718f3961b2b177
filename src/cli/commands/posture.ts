// `clawnex posture scan`: runs the host posture checks on this machine and prints the findings.
// Local and read-only: no server needed, nothing recorded (the server keeps its own scheduled runs,
// see GET /api/v1/posture).
import { loadConfig } from "../../config/config.ts";
import { UsageError } from "../../errors.ts";
import { POSTURE_CHECK_IDS } from "../../soc/posture/config-schema.ts";
import { POSTURE_SEVERITIES, type PostureSeverity, severityAtLeast } from "../../soc/posture/findings.ts";
import { localHost, scanInputFromConfig } from "../../soc/posture/scan-input.ts";
import { type PostureReport, runPostureScan } from "../../soc/posture/scanner.ts";
import type { CliIo } from "../io.ts";
import { parseCommandArgs } from "../io.ts";
import type { Command } from "../main.ts";

const USAGE = `usage: clawnex posture scan [--json] [--fail-on SEVERITY] [--state-dir DIR]... [--skip CHECK]...

  Checks this host: listening sockets beyond loopback, SSH daemon settings, the firewall,
  permissions of OpenClaw state and credential files, Node.js and OpenClaw versions against the
  bundled advisory table, pending security updates (Debian/Ubuntu), ClawNex's own exposure.
  Run it as root for a complete picture (live firewall rules, other users' processes).

  --json               {"scannedAt", "findings": [{checkId, severity, title, evidence, remediation, ...}],
                        "summary", "checks", "host", "advisoryTableDate", "durationMs"}
  --fail-on SEVERITY   exit 1 when a finding is at least this severe (${POSTURE_SEVERITIES.join(", ")})
  --state-dir DIR      also check this OpenClaw state dir (repeatable)
  --skip CHECK         leave a check out (repeatable): ${POSTURE_CHECK_IDS.join(", ")}

Configured by the "posture" section of clawnex.config.json and the OpenClaw instances in it.`;

function printReport(report: PostureReport, io: CliIo): void {
  const lines = [
    `Host posture of ${report.host.hostname} at ${report.scannedAt} (advisory table ${report.advisoryTableDate}, ${report.durationMs} ms)`,
    `summary  ${POSTURE_SEVERITIES.map((s) => `${s} ${report.summary[s]}`).join(", ")}`,
    "",
  ];
  for (const f of report.findings) {
    lines.push(`[${f.severity.toUpperCase()}] ${f.checkId}`, `  ${f.title}`, `  evidence:    ${f.evidence}`);
    if (f.detail) lines.push(`  detail:      ${f.detail}`);
    lines.push(`  remediation: ${f.remediation}`);
    if (f.references?.length) lines.push(`  references:  ${f.references.slice(0, 8).join(" ")}${f.references.length > 8 ? ` (+${f.references.length - 8})` : ""}`);
  }
  if (report.findings.length === 0) lines.push("no findings");
  lines.push("", "checks:");
  for (const c of report.checks) lines.push(`  ${c.id.padEnd(15)} ${c.status.padEnd(8)} ${c.note}`);
  io.stdout(`${lines.join("\n")}\n`);
}

export const command: Command = {
  summary: "scan this host's security posture (sockets, SSH, firewall, OpenClaw files, versions, updates)",
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== "scan") throw new UsageError(sub ? `unknown sub-command '${sub}': use scan` : "missing sub-command: scan");
    const { values, positionals } = parseCommandArgs(rest, {
      json: { type: "boolean", default: false },
      "fail-on": { type: "string" },
      "state-dir": { type: "string", multiple: true },
      skip: { type: "string", multiple: true },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const failOn = values["fail-on"];
    if (failOn !== undefined && !(POSTURE_SEVERITIES as readonly string[]).includes(failOn)) throw new UsageError(`--fail-on takes ${POSTURE_SEVERITIES.join(", ")}`);
    const skip = values.skip ?? [];
    for (const s of skip) if (!(POSTURE_CHECK_IDS as readonly string[]).includes(s)) throw new UsageError(`--skip takes ${POSTURE_CHECK_IDS.join(", ")}`);
    const config = loadConfig(io.env);
    const input = scanInputFromConfig(config, { extraStateDirs: values["state-dir"] ?? [] });
    const report = await runPostureScan(localHost(config), input, { disabled: [...config.posture.disabledChecks, ...skip] });
    if (values.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, io);
    if (failOn && report.findings.some((f) => severityAtLeast(f.severity, failOn as PostureSeverity))) return 1;
    return 0;
  },
};
