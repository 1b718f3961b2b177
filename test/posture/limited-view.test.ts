// What the scan says when it cannot look: no /proc, unreadable sshd_config, firewall commands
// refused, no package lists, a command that hangs. Each is an info finding (or an honest skip),
// never an "ok".
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { firewallCheck } from "../../src/soc/posture/checks/firewall.ts";
import { socketsCheck } from "../../src/soc/posture/checks/sockets.ts";
import { sshCheck } from "../../src/soc/posture/checks/ssh.ts";
import { updatesCheck } from "../../src/soc/posture/checks/updates.ts";
import { versionsCheck } from "../../src/soc/posture/checks/versions.ts";
import { rootedFs } from "../../src/soc/posture/host.ts";
import { runPostureScan } from "../../src/soc/posture/scanner.ts";
import { APT_SIM, denied, denyingFs, emptyRoot, hostAt, materialize, NOW, ok, recorded, scanInput, tableRunner } from "./harness.ts";

test("an empty host: unknowns are info findings, absent software is skipped", async () => {
  const root = emptyRoot();
  const run = tableRunner({ "nft list ruleset": denied("Error: Operation not permitted (you must be root)"), "iptables-save -t filter": ok("") });
  const report = await runPostureScan(hostAt(root, run), scanInput({ openclawStateDirs: ["/home/alice/.openclaw"] }));
  const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  assert.deepEqual(status, { sockets: "findings", ssh: "skipped", firewall: "findings", "openclaw-files": "skipped", versions: "ok", updates: "findings", clawnex: "ok" });
  assert.deepEqual(
    report.findings.map((f) => [f.severity, f.checkId]),
    [
      ["info", "posture.firewall.unknown"],
      ["info", "posture.net.unknown"],
      ["info", "posture.updates.unknown"],
    ],
  );
  const firewall = report.findings.find((f) => f.checkId === "posture.firewall.unknown");
  assert.match(firewall?.detail ?? "", /nft: Error: Operation not permitted/);
  assert.match(firewall?.detail ?? "", /iptables-save: exit 0, no filter table/);
});

test("a configured firewall whose live rules need root is 'unverified', not ok", async () => {
  const root = emptyRoot();
  mkdirSync(join(root, "etc/ufw"), { recursive: true });
  writeFileSync(join(root, "etc/ufw/ufw.conf"), "ENABLED=yes\nLOGLEVEL=low\n");
  mkdirSync(join(root, "etc/systemd/system/multi-user.target.wants"), { recursive: true });
  writeFileSync(join(root, "etc/systemd/system/multi-user.target.wants/nftables.service"), "");
  const run = tableRunner({ "nft list ruleset": denied("netlink: Error: cache initialization failed: Operation not permitted") });
  const out = await firewallCheck.run(hostAt(root, run), scanInput());
  assert.deepEqual(out.findings.map((f) => [f.severity, f.checkId]), [["info", "posture.firewall.unverified"]]);
  assert.equal(out.findings[0]?.evidence, "ufw ENABLED=yes in /etc/ufw/ufw.conf; nftables.service enabled (/etc/systemd/system/multi-user.target.wants)");
});

test("iptables rules that reject through jumps count as filtering", async () => {
  const out = await firewallCheck.run(hostAt(emptyRoot(), tableRunner({ "iptables-save -t filter": ok(recorded("iptables-save-ufw.txt")) })), scanInput());
  assert.deepEqual(out.findings, []);
  assert.match(out.note, /iptables-save: ufw-reject-input has drop\/reject rules/);
});

test("an unreadable sshd_config (non-root scan) is reported as unknown", async () => {
  const root = materialize("exposed");
  const host = { ...hostAt(root, tableRunner({})), fs: denyingFs(rootedFs(root), ["/etc/ssh/sshd_config"]) };
  const out = await sshCheck.run(host, scanInput());
  assert.deepEqual(out.findings.map((f) => [f.severity, f.checkId, f.evidence]), [["info", "posture.ssh.unknown", "/etc/ssh/sshd_config"]]);
});

test("an unreadable included drop-in is reported, the readable settings still judged", async () => {
  const root = materialize("exposed");
  const host = { ...hostAt(root, tableRunner({})), fs: denyingFs(rootedFs(root), ["/etc/ssh/sshd_config.d/50-cloud-init.conf"]) };
  const out = await sshCheck.run(host, scanInput());
  const ids = out.findings.map((f) => [f.checkId, f.evidence]);
  assert.deepEqual(ids.find(([id]) => id === "posture.ssh.unknown"), ["posture.ssh.unknown", "/etc/ssh/sshd_config.d/50-cloud-init.conf"]);
  // Without the drop-in the main file's "PasswordAuthentication no" applies; but keyboard-interactive
  // (default yes) through PAM (UsePAM yes) still asks for the password, so root login stays critical.
  assert.ok(!out.findings.some((f) => f.checkId === "posture.ssh.password_auth"));
  assert.deepEqual(ids.find(([id]) => id === "posture.ssh.kbd_interactive_pam"), ["posture.ssh.kbd_interactive_pam", "/etc/ssh/sshd_config: KbdInteractiveAuthentication not set (OpenSSH default: yes)"]);
  assert.equal(out.findings.find((f) => f.checkId === "posture.ssh.root_login")?.severity, "critical");
});

test("processes the scan may not inspect leave listeners attributed as unknown", async () => {
  const root = materialize("exposed");
  const host = { ...hostAt(root, tableRunner({})), fs: denyingFs(rootedFs(root), ["/proc/202/fd", "/proc/303/fd"]) };
  const out = await socketsCheck.run(host, scanInput());
  const redis = out.findings.find((f) => f.evidence.includes(":6379"));
  assert.equal(redis?.evidence, "tcp 0.0.0.0:6379 (process unknown)");
  assert.match(redis?.detail ?? "", /2 processes could not be inspected: not readable without root/);
  assert.match(out.note, /2 processes not inspectable/);
});

test("apt: no lists, a failing or hanging simulation, and a non-Debian host", async () => {
  const root = materialize("exposed");
  const timeout = await updatesCheck.run(hostAt(root, tableRunner({ [APT_SIM]: { status: null, stdout: "", stderr: "", error: "timeout" } })), scanInput());
  assert.equal(timeout.findings[0]?.checkId, "posture.updates.unknown");
  assert.match(timeout.findings[0]?.detail ?? "", /did not finish within 5 s/);
  const failing = await updatesCheck.run(hostAt(root, tableRunner({ [APT_SIM]: { status: 100, stdout: "", stderr: "E: The package lists or status file could not be parsed or opened." } })), scanInput());
  assert.match(failing.findings[0]?.detail ?? "", /could not be parsed or opened/);
  const noLists = emptyRoot();
  mkdirSync(join(noLists, "var/lib/dpkg"), { recursive: true });
  writeFileSync(join(noLists, "var/lib/dpkg/status"), "");
  const empty = await updatesCheck.run(hostAt(noLists, tableRunner({})), scanInput());
  assert.match(empty.findings[0]?.detail ?? "", /holds no package lists/);
  const other = await updatesCheck.run(hostAt(emptyRoot(), tableRunner({})), scanInput());
  assert.match(other.findings[0]?.detail ?? "", /Only Debian and Ubuntu/);
  assert.equal(other.findings[0]?.severity, "info");
});

test("versions: unknown OpenClaw version, future Node line, stale table, EOL soon", async () => {
  const root = emptyRoot();
  mkdirSync(join(root, "home/carol/.openclaw"), { recursive: true });
  writeFileSync(join(root, "home/carol/.openclaw/openclaw.json"), "{ gateway: { bind: 'loopback' } }");
  const later = new Date("2027-06-01T00:00:00Z");
  const out = await versionsCheck.run(hostAt(root, tableRunner({}), later), scanInput({ openclawStateDirs: ["/home/carol/.openclaw"], nodeVersion: "27.1.0" }));
  assert.deepEqual(out.findings.map((f) => [f.severity, f.checkId, f.evidence]), [
    ["info", "posture.node.unknown_line", "node 27.1.0 (ClawNex runtime)"],
    ["info", "posture.openclaw.version_unknown", "/home/carol/.openclaw"],
    ["low", "posture.advisories.stale", "src/soc/posture/advisories.json"],
  ]);
  const soon = await versionsCheck.run(hostAt(root, tableRunner({ "openclaw --version": ok("OpenClaw 2026.9.6 (3f2a1b0)\n") }), new Date("2027-02-15T00:00:00Z")), scanInput({ nodeVersion: "22.23.0", openclawStateDirs: ["/home/carol/.openclaw"] }));
  assert.deepEqual(soon.findings.map((f) => [f.severity, f.checkId]), [["low", "posture.node.eol_soon"]], "a version from --version makes the state dir's missing stamp moot");
  assert.match(soon.note, /openclaw 2026\.9\.6 \(openclaw --version\)/);
  void NOW;
});

test("a check that throws becomes an error entry and an info finding; the others still run", async () => {
  const boom = { id: "boom", title: "Exploding check", run: async () => { throw new Error("kaboom"); } };
  const report = await runPostureScan(hostAt(emptyRoot(), tableRunner({})), scanInput(), { checks: [boom, versionsCheck] });
  assert.deepEqual(report.checks.map((c) => [c.id, c.status]), [["boom", "error"], ["versions", "ok"]]);
  assert.deepEqual(report.findings.map((f) => [f.checkId, f.severity, f.detail]), [["posture.check_failed", "info", "kaboom"]]);
});

test("world-readable secrets inside a directory others cannot traverse are low, and say why", async () => {
  const { chmodSync } = await import("node:fs");
  const { openclawFilesCheck } = await import("../../src/soc/posture/checks/openclaw-files.ts");
  const root = materialize("exposed");
  chmodSync(join(root, "home/bob"), 0o700);
  const out = await openclawFilesCheck.run(hostAt(root, tableRunner({})), scanInput({ openclawStateDirs: ["/home/bob/.openclaw"] }));
  const env = out.findings.find((f) => f.evidence === "/home/bob/.openclaw/.env");
  assert.equal(env?.severity, "low");
  assert.equal(env?.title, "OpenClaw .env (provider keys) is world-readable (shielded for now by /home/bob)");
  assert.match(env?.detail ?? "", /mode 0644: .* Other users cannot reach it today because \/home\/bob \(mode 0700\) blocks traversal/);
  // Group access is judged against the group's traversal bit: /home/bob lets nobody but bob through.
  assert.ok(out.findings.every((f) => f.severity === "low"), JSON.stringify(out.findings.map((f) => [f.evidence, f.severity])));
});
