// The real checks on this machine (its /proc, /etc, apt, nft/iptables if installed): they must
// complete and produce well-formed findings, whatever this host's posture is. Plus the CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { loadConfig } from "../../src/config/config.ts";
import { CHECK_STATUSES, POSTURE_SEVERITIES, type PostureFinding } from "../../src/soc/posture/findings.ts";
import { localHost, scanInputFromConfig } from "../../src/soc/posture/scan-input.ts";
import { CHECK_IDS, runPostureScan } from "../../src/soc/posture/scanner.ts";
import { captureIo } from "../helpers/io.ts";

const dataDir = mkdtempSync(join(tmpdir(), "clawnex-posture-real-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));
const env = { CLAWNEX_DATA_DIR: dataDir, HOME: dataDir, PATH: process.env.PATH };

function assertWellFormed(f: PostureFinding): void {
  assert.match(f.checkId, /^posture\.[a-z_.]+$/, f.checkId);
  assert.ok((POSTURE_SEVERITIES as readonly string[]).includes(f.severity), f.severity);
  for (const field of ["title", "evidence", "remediation"] as const) assert.ok(typeof f[field] === "string" && f[field].trim().length > 0, `${f.checkId}: ${field}`);
  if (f.detail !== undefined) assert.equal(typeof f.detail, "string");
  if (f.references !== undefined) assert.ok(f.references.every((r) => typeof r === "string" && r.length > 0));
}

test("every real check completes on this host with well-formed findings", async () => {
  const config = loadConfig(env);
  const report = await runPostureScan(localHost(config), scanInputFromConfig(config));
  assert.deepEqual(report.checks.map((c) => c.id).sort(), [...CHECK_IDS].sort());
  for (const c of report.checks) {
    assert.ok((CHECK_STATUSES as readonly string[]).includes(c.status), `${c.id}: ${c.status}`);
    assert.notEqual(c.status, "error", `${c.id} failed: ${c.note}`);
    assert.ok(c.note.length > 0);
  }
  report.findings.forEach(assertWellFormed);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report, "the report is plain JSON");
  assert.ok(!Number.isNaN(Date.parse(report.scannedAt)));
  const counted = Object.values(report.summary).reduce((a, b) => a + b, 0);
  assert.equal(counted, report.findings.length);
  assert.equal(report.checks.some((c) => c.status === "findings"), report.findings.length > 0);
});

test("clawnex posture scan --json prints {findings, scannedAt}; text output and usage errors", async () => {
  const io = captureIo(env);
  assert.equal(await main(["posture", "scan", "--json", "--skip", "updates"], io), 0, io.err());
  const out = JSON.parse(io.out()) as { findings: PostureFinding[]; scannedAt: string; checks: Array<{ id: string; status: string }> };
  assert.ok(Array.isArray(out.findings));
  out.findings.forEach(assertWellFormed);
  assert.ok(!Number.isNaN(Date.parse(out.scannedAt)));
  assert.deepEqual(out.checks.find((c) => c.id === "updates"), { id: "updates", status: "skipped", note: "disabled by posture.disabledChecks", durationMs: 0 });

  const text = captureIo(env);
  assert.equal(await main(["posture", "scan", "--skip", "updates", "--skip", "firewall"], text), 0);
  assert.match(text.out(), /^Host posture of .+ \(advisory table \d{4}-\d{2}-\d{2}, \d+ ms\)\nsummary  critical \d+, high \d+/);
  assert.match(text.out(), /\nchecks:\n {2}sockets/);

  const failOn = captureIo(env);
  const code = await main(["posture", "scan", "--json", "--skip", "updates", "--fail-on", "info"], failOn);
  assert.equal(code, (JSON.parse(failOn.out()) as { findings: unknown[] }).findings.length > 0 ? 1 : 0);

  for (const bad of [["posture"], ["posture", "run"], ["posture", "scan", "--fail-on", "severe"], ["posture", "scan", "--skip", "dns"], ["posture", "scan", "extra"]]) {
    const io2 = captureIo(env);
    assert.equal(await main(bad, io2), 2, bad.join(" "));
    assert.match(io2.err(), /usage: clawnex posture scan/);
  }
});
