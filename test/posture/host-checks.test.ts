// The posture checks on two fixture hosts: a hardened one (no findings at all) and a careless one
// (every check finds what a reviewer would), through the real scanner and the real file system.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PostureFinding } from "../../src/soc/posture/findings.ts";
import { runPostureScan } from "../../src/soc/posture/scanner.ts";
import { APT_SIM, hostAt, materialize, ok, recorded, scanInput, tableRunner } from "./harness.ts";

function byCheck(findings: PostureFinding[], checkId: string): PostureFinding[] {
  return findings.filter((f) => f.checkId === checkId);
}

function compact(findings: PostureFinding[]): Array<[string, string, string]> {
  return findings.map((f) => [f.severity, f.checkId, f.evidence]);
}

describe("hardened host", () => {
  test("every check looks and finds nothing", async () => {
    const root = materialize("hardened");
    const run = tableRunner({
      "nft list ruleset": ok(recorded("nft-input-drop.txt")),
      "iptables-save -t filter": ok(recorded("iptables-save-ufw.txt")),
      [APT_SIM]: ok(recorded("apt-sim-clean.txt")),
      "openclaw --version": ok("2026.9.6\n"),
    });
    const report = await runPostureScan(hostAt(root, run), scanInput({ openclawStateDirs: ["/home/alice/.openclaw"] }), { hostname: "fixture" });
    assert.deepEqual(compact(report.findings), []);
    assert.deepEqual(report.summary, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    assert.deepEqual(status, { sockets: "ok", ssh: "ok", firewall: "ok", "openclaw-files": "ok", versions: "ok", updates: "ok", clawnex: "ok" });
    const notes = Object.fromEntries(report.checks.map((c) => [c.id, c.note]));
    assert.match(notes.sockets ?? "", /0 beyond loopback/);
    assert.match(notes.ssh ?? "", /PermitRootLogin no, PasswordAuthentication no, KbdInteractiveAuthentication no/);
    assert.match(notes.firewall ?? "", /inbound filtering active \(nft list ruleset: inet filter input policy drop\)/);
    assert.match(notes.versions ?? "", /openclaw 2026\.9\.6 \(openclaw --version\), 2026\.9\.6 \(\/home\/alice\/\.openclaw\/openclaw\.json meta\.lastTouchedVersion\)/);
    assert.match(notes.updates ?? "", /2 upgradable, 0 from security origins; lists 1 day/);
    assert.equal(report.scannedAt, "2026-11-24T12:00:00.000Z");
    assert.equal(report.advisoryTableDate, "2026-11-24");
  });
});

describe("careless host", async () => {
  const root = materialize("exposed");
  const runner = tableRunner({
    "nft list ruleset": ok(recorded("nft-docker-only.txt")),
    [APT_SIM]: ok(recorded("apt-sim-security.txt")),
  });
  const input = scanInput({
    openclawStateDirs: ["/home/bob/.openclaw", "/home/nobody/.openclaw"],
    nodeVersion: "20.19.0",
    clawnex: { host: "0.0.0.0", port: 5001, trustProxy: false, dataDir: "/srv/clawnex", mcp: { enabled: false, port: 5002 } },
  });
  const report = await runPostureScan(hostAt(root, runner), input, { hostname: "fixture" });

  test("listeners beyond loopback, attributed to their processes", () => {
    assert.deepEqual(compact(byCheck(report.findings, "posture.net.listener_beyond_loopback")), [
      ["high", "posture.net.listener_beyond_loopback", "tcp 0.0.0.0:18789 (openclaw-gatewa)"],
      ["high", "posture.net.listener_beyond_loopback", "tcp 0.0.0.0:5001 (node)"],
      ["high", "posture.net.listener_beyond_loopback", "tcp 0.0.0.0:6379 (redis-server)"],
      ["medium", "posture.net.listener_beyond_loopback", "tcp 10.0.0.5:8080 (process unknown)"],
      ["low", "posture.net.listener_beyond_loopback", "tcp 0.0.0.0:22, [::]:22 (sshd)"],
      ["info", "posture.net.listener_beyond_loopback", "udp 0.0.0.0:68 (dhclient)"],
    ]);
    const gateway = report.findings.find((f) => f.evidence.includes(":18789"));
    assert.match(gateway?.title ?? "", /^OpenClaw gateway \(tcp\/18789, openclaw-gatewa\) listens on all interfaces$/);
    assert.match(gateway?.detail ?? "", /pid 202/);
    // Loopback listeners (127.0.0.1:3306, ::ffff:127.0.0.1:9000), the established connection and
    // the connected UDP socket are not listeners beyond loopback.
    assert.ok(!report.findings.some((f) => /3306|9000|51000|41716/.test(f.evidence)));
  });

  test("SSH: drop-ins win over the main file, defaults and Match blocks count", () => {
    assert.deepEqual(compact(byCheck(report.findings, "posture.ssh.root_login")), [["critical", "posture.ssh.root_login", "/etc/ssh/sshd_config:2: PermitRootLogin yes"]]);
    // The main file says "PasswordAuthentication no" at line 4, but the cloud-init drop-in is
    // included first and sshd keeps the first value.
    assert.deepEqual(compact(byCheck(report.findings, "posture.ssh.password_auth")), [["medium", "posture.ssh.password_auth", "/etc/ssh/sshd_config.d/50-cloud-init.conf:2: PasswordAuthentication yes"]]);
    assert.deepEqual(compact(byCheck(report.findings, "posture.ssh.empty_passwords")), [["high", "posture.ssh.empty_passwords", "/etc/ssh/sshd_config:7: PermitEmptyPasswords yes (in Match User backup)"]]);
    assert.match(report.findings.find((f) => f.checkId === "posture.ssh.empty_passwords")?.title ?? "", /for connections matching "User backup"/);
  });

  test("firewall: live rules without input filtering (Docker's forward chain does not count)", () => {
    const [f, ...rest] = byCheck(report.findings, "posture.firewall.inactive");
    assert.equal(rest.length, 0);
    assert.equal(f?.severity, "medium");
    assert.equal(f?.evidence, "nft list ruleset");
    assert.match(f?.detail ?? "", /ip filter INPUT accept everything/);
  });

  test("OpenClaw state: every readable or writable secret, with the mode and the fix", () => {
    const perms = report.findings.filter((f) => f.checkId.startsWith("posture.openclaw.") && f.checkId !== "posture.openclaw.vulnerable");
    assert.deepEqual(compact(perms), [
      ["high", "posture.openclaw.world_readable", "/home/bob/.openclaw/.env"],
      ["high", "posture.openclaw.world_readable", "/home/bob/.openclaw/credentials/whatsapp-allowFrom.json"],
      ["high", "posture.openclaw.world_readable", "/home/bob/.openclaw/openclaw.json"],
      ["high", "posture.openclaw.writable_by_others", "/home/bob/.openclaw/agents/main/agent/auth-profiles.json"],
      ["medium", "posture.openclaw.group_readable", "/home/bob/.openclaw/agents/main/agent/openclaw-agent.sqlite"],
      ["medium", "posture.openclaw.world_readable", "/home/bob/.openclaw"],
      ["medium", "posture.openclaw.world_readable", "/home/bob/.openclaw/credentials"],
    ]);
    const env = perms.find((f) => f.evidence.endsWith("/.env"));
    assert.match(env?.detail ?? "", /mode 0644/);
    assert.equal(env?.remediation, "chmod 600 /home/bob/.openclaw/.env");
    assert.equal(perms.find((f) => f.evidence === "/home/bob/.openclaw")?.remediation, "chmod 700 /home/bob/.openclaw");
    // Secrets are never read into findings.
    assert.ok(!JSON.stringify(report).includes("placeholder-not-a-key"));
  });

  test("versions: OpenClaw advisories by range, Node end of life and missed releases", () => {
    const [oc] = byCheck(report.findings, "posture.openclaw.vulnerable");
    assert.equal(oc?.severity, "critical");
    assert.equal(oc?.evidence, "openclaw 2026.3.1 (/home/bob/.openclaw/openclaw.json meta.lastTouchedVersion)");
    const ids = (oc?.references ?? []).map((r) => r.split("/").pop());
    assert.ok(ids.includes("GHSA-rqpp-rjj8-7wv8") && ids.includes("GHSA-f8r2-vg7x-gh8m") && ids.includes("GHSA-rx8p-qcpv-c7vr"));
    assert.ok(!ids.includes("GHSA-gv46-4xfq-jv58"), "fixed in 2026.2.14, before 2026.3.1");
    assert.ok(!ids.includes("GHSA-p3h6-v2h4-36q2"), "introduced in 2026.4.5, after 2026.3.1");
    assert.match(oc?.remediation ?? "", /Upgrade OpenClaw to 2026\.9\.3 or later/);
    assert.deepEqual(compact(byCheck(report.findings, "posture.node.eol")), [["high", "posture.node.eol", "node 20.19.0 (ClawNex runtime)"]]);
    const [node] = byCheck(report.findings, "posture.node.vulnerable");
    assert.equal(node?.severity, "high");
    assert.match(node?.title ?? "", /misses 2 security releases/);
    assert.match(node?.remediation ?? "", /20\.20\.2 or later on the 20\.x line/);
    assert.ok(!(node?.detail ?? "").includes("CVE-2025-27210"), "the Windows-only advisory does not apply on Linux");
    // A configured state dir that does not exist is noted, not reported.
    assert.ok(!report.findings.some((f) => f.evidence.includes("/home/nobody")));
  });

  test("pending security updates from the apt simulation, and stale lists", () => {
    const [pending] = byCheck(report.findings, "posture.updates.security_pending");
    assert.equal(pending?.title, "7 security updates pending");
    assert.match(pending?.detail ?? "", /libssl3 3\.0\.19-1~deb12u2 → 3\.0\.22-1~deb12u2/);
    assert.match(pending?.detail ?? "", /linux-image-6\.1\.0-41-amd64 \(new\) → 6\.1\.158-1/);
    assert.ok(!(pending?.detail ?? "").includes("base-files"), "not from a security origin");
    assert.deepEqual(compact(byCheck(report.findings, "posture.updates.lists_stale")), [["low", "posture.updates.lists_stale", "/var/lib/apt/lists"]]);
  });

  test("ClawNex's own exposure: public plain HTTP and a readable data dir", () => {
    assert.deepEqual(compact(report.findings.filter((f) => f.checkId.startsWith("posture.clawnex."))), [
      ["high", "posture.clawnex.public_plaintext", "CLAWNEX_HOST=0.0.0.0 CLAWNEX_PORT=5001"],
      ["medium", "posture.clawnex.data_readable", "/srv/clawnex"],
      ["medium", "posture.clawnex.data_readable", "/srv/clawnex/clawnex.db"],
    ]);
  });

  test("findings are sorted by severity and summarized", () => {
    const order = ["critical", "high", "medium", "low", "info"];
    const ranks = report.findings.map((f) => order.indexOf(f.severity));
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    const total = Object.values(report.summary).reduce((a, b) => a + b, 0);
    assert.equal(total, report.findings.length);
    assert.ok(report.checks.every((c) => c.status === "findings"), JSON.stringify(report.checks));
  });

  test("expected listeners are still reported, at info", async () => {
    const allowed = await runPostureScan(hostAt(root, runner), { ...input, allowedListeners: ["tcp:22", "tcp:6379"] }, { checks: undefined, disabled: ["ssh", "firewall", "openclaw-files", "versions", "updates", "clawnex"] });
    const sev = Object.fromEntries(allowed.findings.map((f) => [f.evidence, f.severity]));
    assert.equal(sev["tcp 0.0.0.0:22, [::]:22 (sshd)"], "info");
    assert.equal(sev["tcp 0.0.0.0:6379 (redis-server)"], "info");
    assert.equal(sev["tcp 0.0.0.0:18789 (openclaw-gatewa)"], "high");
    assert.deepEqual(allowed.checks.filter((c) => c.status === "skipped").map((c) => c.id).sort(), ["clawnex", "firewall", "openclaw-files", "ssh", "updates", "versions"]);
  });
});
