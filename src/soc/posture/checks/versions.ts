// The Node.js running ClawNex and the installed OpenClaw against the bundled advisory table:
// end-of-life release lines, missed security releases, known OpenClaw advisories. OpenClaw's
// version comes from `openclaw --version` (what would run) and from each state dir's
// openclaw.json meta.lastTouchedVersion (what last wrote the config); both are reported.
import { posix } from "node:path";
import JSON5 from "json5";
import { nodeAdvisoriesFor, nodeLine, openclawAdvisoriesFor, tableAgeDays, type AdvisoryTable } from "../advisories.ts";
import { maxPostureSeverity, type PostureFinding } from "../findings.ts";
import type { HostContext } from "../host.ts";
import { findCalendarVersion, newestVersion, parseVersion } from "../versions.ts";
import type { CheckOutcome, PostureCheck, ScanInput } from "./check.ts";

const EOL_SOON_DAYS = 90;
const STALE_TABLE_DAYS = 120;
const DAY = 86_400_000;

function nodeFindings(table: AdvisoryTable, input: ScanInput, now: Date): { findings: PostureFinding[]; note: string } {
  const version = input.nodeVersion;
  const evidence = `node ${version} (ClawNex runtime)`;
  const line = nodeLine(table, version);
  const findings: PostureFinding[] = [];
  if (!line) return { findings: [{ checkId: "posture.node.unknown_line", severity: "info", title: `Node.js version ${version} could not be parsed`, evidence, remediation: "Run ClawNex on a supported Node.js LTS release." }], note: `node ${version}: unparsable` };
  if (line.end === null) {
    findings.push({ checkId: "posture.node.unknown_line", severity: "info", title: `Node.js ${line.major} is not in the advisory table (dated ${table.date})`, evidence, detail: "The table predates this release line, so its end-of-life date and advisories are unknown to the scanner.", remediation: "Update ClawNex for a newer advisory table, and check https://nodejs.org/en/about/previous-releases." });
  } else {
    const endMs = Date.parse(`${line.end}T00:00:00Z`);
    if (endMs <= now.getTime()) {
      findings.push({ checkId: "posture.node.eol", severity: "high", title: `Node.js ${line.major} reached end of life on ${line.end}`, evidence, detail: "End-of-life lines get no security fixes: every Node.js vulnerability published since affects this runtime.", remediation: "Move ClawNex to a supported Node.js LTS line (the npm `node` dependency ships one: run `npm ci`).", references: [table.node.schedule.source] });
    } else if (endMs - now.getTime() <= EOL_SOON_DAYS * DAY) {
      findings.push({ checkId: "posture.node.eol_soon", severity: "low", title: `Node.js ${line.major} reaches end of life on ${line.end}`, evidence, remediation: "Plan the move to the next Node.js LTS line before that date.", references: [table.node.schedule.source] });
    }
  }
  const missed = nodeAdvisoriesFor(table, version, input.platform);
  if (missed.length > 0) {
    const target = newestVersion(missed.map((m) => m.fixedIn));
    findings.push({
      checkId: "posture.node.vulnerable",
      severity: maxPostureSeverity(missed.map((m) => m.release.severity)) ?? "medium",
      title: `Node.js ${version} misses ${missed.length} security release${missed.length === 1 ? "" : "s"}`,
      evidence,
      detail: missed.map((m) => `${m.release.date} (fixed in ${m.fixedIn}): ${m.release.title} [${m.release.cves.join(", ")}]`).join("; "),
      remediation: `Upgrade Node.js to ${target} or later on the ${line.major}.x line.`,
      references: [...new Set(missed.flatMap((m) => [m.release.source, ...m.release.cves]))],
    });
  }
  return { findings, note: `node ${version}${line.end ? ` (line ${line.major}, EOL ${line.end})` : ""}: ${missed.length} missed security release(s)` };
}

interface OpenclawVersion {
  version: string;
  source: string;
}

async function openclawVersions(ctx: HostContext, input: ScanInput): Promise<{ versions: OpenclawVersion[]; unknownDirs: string[]; notes: string[] }> {
  const versions: OpenclawVersion[] = [];
  const unknownDirs: string[] = [];
  const notes: string[] = [];
  if (input.openclawBinary) {
    const run = await ctx.run.run(input.openclawBinary, ["--version"], { timeoutMs: Math.min(ctx.commandTimeoutMs, 15_000) });
    const found = run.status === 0 ? findCalendarVersion(run.stdout) : null;
    if (found) versions.push({ version: found, source: `${input.openclawBinary} --version` });
    else notes.push(`${input.openclawBinary} --version: ${run.error === "not_found" ? "not on PATH" : run.error === "timeout" ? "timed out" : "no version printed"}`);
  }
  for (const dir of [...new Set(input.openclawStateDirs)]) {
    if (!ctx.fs.stat(dir)?.isDirectory) continue;
    const path = posix.join(dir, "openclaw.json");
    const read = ctx.fs.read(path, 4 * 1024 * 1024);
    let found: string | null = null;
    if (read.ok) {
      try {
        const parsed = JSON5.parse(read.text) as { meta?: { lastTouchedVersion?: unknown } };
        const v = parsed.meta?.lastTouchedVersion;
        found = typeof v === "string" && parseVersion(v) ? v : null;
      } catch {
        found = null;
      }
    }
    if (found) versions.push({ version: found, source: `${path} meta.lastTouchedVersion` });
    else unknownDirs.push(dir);
  }
  return { versions, unknownDirs, notes };
}

function openclawFindings(table: AdvisoryTable, versions: OpenclawVersion[], unknownDirs: string[]): PostureFinding[] {
  const findings: PostureFinding[] = [];
  for (const v of versions) {
    const hits = openclawAdvisoriesFor(table, v.version);
    if (hits.length === 0) continue;
    const target = newestVersion(hits.map((h) => h.fixed));
    findings.push({
      checkId: "posture.openclaw.vulnerable",
      severity: maxPostureSeverity(hits.map((h) => h.severity)) ?? "medium",
      title: `OpenClaw ${v.version} is affected by ${hits.length} known advisor${hits.length === 1 ? "y" : "ies"}`,
      evidence: `openclaw ${v.version} (${v.source})`,
      detail: hits.map((h) => `${h.id}${h.aliases.length ? ` (${h.aliases.join(", ")})` : ""}, ${h.severity}, fixed in ${h.fixed}: ${h.title}`).join("; "),
      remediation: `Upgrade OpenClaw to ${target} or later (\`openclaw update\`, or \`npm install -g openclaw@latest\`), then restart the gateway.`,
      references: hits.map((h) => h.source),
    });
  }
  for (const dir of unknownDirs) {
    findings.push({ checkId: "posture.openclaw.version_unknown", severity: "info", title: "OpenClaw version unknown", evidence: dir, detail: "The state dir's openclaw.json has no readable meta.lastTouchedVersion and no openclaw executable answered --version, so known advisories could not be checked.", remediation: "Put the openclaw executable on ClawNex's PATH (or set posture.openclawBinary) so the scan can ask it for its version." });
  }
  return findings;
}

export const versionsCheck: PostureCheck = {
  id: "versions",
  title: "Node.js and OpenClaw versions against the advisory table",
  async run(ctx, input): Promise<CheckOutcome> {
    const table = input.advisories;
    const node = nodeFindings(table, input, ctx.now);
    const oc = await openclawVersions(ctx, input);
    // A state dir without a version matters only when nothing else told us the version.
    const unknownDirs = oc.versions.length > 0 ? [] : oc.unknownDirs;
    const findings = [...node.findings, ...openclawFindings(table, oc.versions, unknownDirs)];
    const age = tableAgeDays(table, ctx.now);
    if (age > STALE_TABLE_DAYS) {
      findings.push({ checkId: "posture.advisories.stale", severity: "low", title: `The bundled advisory table is ${age} days old (dated ${table.date})`, evidence: "src/soc/posture/advisories.json", detail: "Advisories published after the table's date are not checked.", remediation: "Update ClawNex to get a newer advisory table." });
    }
    const ocNote = oc.versions.length > 0 ? `openclaw ${oc.versions.map((v) => `${v.version} (${v.source})`).join(", ")}` : `openclaw: ${[...oc.notes, ...(oc.unknownDirs.length ? [`${oc.unknownDirs.length} state dir(s) without a version`] : [])].join("; ") || "not found"}`;
    return { findings, note: `${node.note}; ${ocNote}; advisory table ${table.date}` };
  },
};
