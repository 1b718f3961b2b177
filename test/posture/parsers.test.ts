// The parsers and tables the checks stand on: /proc/net addresses (property-tested against the
// WHATWG URL parser's IPv6 canonical form), version ordering, sshd_config semantics, rule sets,
// apt output and the bundled advisory table.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { loadAdvisoryTable, nodeAdvisoriesFor, openclawAdvisoriesFor } from "../../src/soc/posture/advisories.ts";
import { iptablesInputFiltering, nftInputFiltering } from "../../src/soc/posture/checks/firewall-rules.ts";
import { isListening, isLoopback, parseProcNet } from "../../src/soc/posture/checks/proc-net.ts";
import { effective, readSshdConfig } from "../../src/soc/posture/checks/sshd-config.ts";
import { parseAptSimulation } from "../../src/soc/posture/checks/updates.ts";
import { POSTURE_CHECK_IDS, postureConfigSchema } from "../../src/soc/posture/config-schema.ts";
import { rootedFs } from "../../src/soc/posture/host.ts";
import { CHECK_IDS } from "../../src/soc/posture/scanner.ts";
import { compareVersions, findCalendarVersion, parseVersion } from "../../src/soc/posture/versions.ts";
import { emptyRoot, recorded } from "./harness.ts";

const hex2 = (b: number) => b.toString(16).padStart(2, "0").toUpperCase();
/** How the kernel prints an address: each 32-bit word in host (little-endian) byte order. */
function kernelHex(bytes: number[]): string {
  let out = "";
  for (let w = 0; w < bytes.length; w += 4) out += bytes.slice(w, w + 4).reverse().map(hex2).join("");
  return out;
}
const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const line = (local: string, port: number, state = "0A", inode = 42) => `   0: ${local}:${port.toString(16).toUpperCase().padStart(4, "0")} ${"0".repeat(local.length)}:0000 ${state} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

test("IPv4 sockets decode to the address and port the kernel encoded", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 65535 }), fc.nat(), (bytes, port, inode) => {
      const [s] = parseProcNet(HEADER + line(kernelHex(bytes), port, "0A", inode), "tcp", true);
      assert.equal(s?.address, bytes.join("."));
      assert.equal(s?.port, port);
      assert.equal(s?.inode, inode);
      assert.equal(s?.family, 4);
      assert.equal(isListening(s!), true);
      assert.equal(isLoopback(s!.address), bytes[0] === 127);
    }),
  );
});

test("IPv6 sockets decode to the canonical (RFC 5952) form", () => {
  const bytes16 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 });
  fc.assert(
    fc.property(bytes16, fc.integer({ min: 0, max: 65535 }), (bytes, port) => {
      const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
      fc.pre(!mapped);
      const [s] = parseProcNet(HEADER + line(kernelHex(bytes), port), "tcp", true);
      const groups: string[] = [];
      for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
      assert.equal(`[${s?.address}]`, new URL(`http://[${groups.join(":")}]/`).hostname);
      assert.equal(s?.family, 6);
    }),
  );
  const [mapped] = parseProcNet(HEADER + line("0000000000000000FFFF00000100007F", 80), "tcp", true);
  assert.equal(mapped?.address, "::ffff:127.0.0.1");
  assert.ok(isLoopback(mapped!.address));
  const [big] = parseProcNet(HEADER + line("7F000001", 80), "tcp", false);
  assert.equal(big?.address, "127.0.0.1", "big-endian hosts print bytes in order");
});

test("malformed /proc/net lines are skipped, UDP with a peer is not a listener", () => {
  const text = `${HEADER}garbage\n   1: ZZZZ:0016\n${line("00000000", 68, "07")}   2: 0500000A:A2F4 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000 0 9 2 0 0\n`;
  const sockets = parseProcNet(text, "udp", true);
  assert.equal(sockets.length, 2);
  assert.deepEqual(sockets.map(isListening), [true, false]);
});

const versionArb = fc.tuple(fc.integer({ min: 2025, max: 2027 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), fc.oneof(fc.constant(""), fc.integer({ min: 1, max: 3 }).map((n) => `-${n}`), fc.constant("-beta.1"), fc.constant("-beta.2"))).map(([y, m, p, s]) => `${y}.${m}.${p}${s}`);

test("version order is a total order: antisymmetric and transitive", () => {
  fc.assert(
    fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
      const [va, vb, vc] = [parseVersion(a)!, parseVersion(b)!, parseVersion(c)!];
      // "+ 0" folds -0 into 0: equal versions compare as 0 both ways.
      assert.equal(Math.sign(compareVersions(va, vb)) + 0, -Math.sign(compareVersions(vb, va)) + 0);
      if (compareVersions(va, vb) <= 0 && compareVersions(vb, vc) <= 0) assert.ok(compareVersions(va, vc) <= 0);
    }),
    { numRuns: 2000 },
  );
  const order = ["2026.7.1-beta.1", "2026.7.1", "2026.7.1-1", "2026.7.1-2", "2026.7.2", "2026.10.0"];
  for (let i = 1; i < order.length; i++) assert.ok(compareVersions(parseVersion(order[i - 1]!)!, parseVersion(order[i]!)!) < 0, `${order[i - 1]} < ${order[i]}`);
  assert.equal(compareVersions(parseVersion("v24.21.0")!, parseVersion("24.21")!), 0);
  assert.equal(findCalendarVersion("OpenClaw 2026.9.6 (3f2a1b0)"), "2026.9.6");
  assert.equal(findCalendarVersion("openclaw/2026.7.1-2 linux-x64 node-v24.21.0"), "2026.7.1-2");
  assert.equal(parseVersion("not a version"), null);
});

test("the bundled advisory table validates, is dated, and evaluates ranges at their edges", () => {
  const table = loadAdvisoryTable();
  assert.match(table.date, /^\d{4}-\d{2}-\d{2}$/);
  for (const a of table.openclaw.advisories) assert.ok(a.source.startsWith(`https://github.com/openclaw/openclaw/security/advisories/${a.id}`), a.id);
  for (const r of table.node.releases) assert.ok(r.source.startsWith("https://nodejs.org/en/blog/vulnerability/"), r.id);
  const ids = (v: string) => openclawAdvisoriesFor(table, v).map((a) => a.id);
  assert.deepEqual(ids("2026.9.3"), []);
  assert.deepEqual(ids("2026.9.2"), ["GHSA-rx8p-qcpv-c7vr"]);
  assert.ok(ids("2026.8.1-1").every((id) => id !== "GHSA-wwcw-jfpp-gpxw"), "a correction build of the fixed release is fixed");
  assert.ok(ids("2026.8.1-beta.1").includes("GHSA-wwcw-jfpp-gpxw"), "a prerelease of the fixed release is not");
  assert.ok(!ids("2026.4.4").includes("GHSA-p3h6-v2h4-36q2") && ids("2026.4.5").includes("GHSA-p3h6-v2h4-36q2"), "introduced bound");
  const node = (v: string, platform = "linux") => nodeAdvisoriesFor(table, v, platform).map((m) => m.release.id);
  assert.deepEqual(node("24.17.0"), []);
  assert.deepEqual(node("24.16.9"), ["nodejs-2026-06-18"]);
  assert.deepEqual(node("24.4.0", "win32"), ["nodejs-2025-07-15-hashdos", "nodejs-2025-07-15-windows-device-names", "nodejs-2026-01-13", "nodejs-2026-03-24", "nodejs-2026-06-18"]);
  assert.deepEqual(node("26.0.0"), ["nodejs-2026-06-18"], "a line newer than an advisory is not listed for it");
});

test("sshd_config: first value wins, Keyword=value, quotes and comments, Include order and depth", () => {
  const root = emptyRoot();
  mkdirSync(join(root, "etc/ssh/sshd_config.d"), { recursive: true });
  writeFileSync(join(root, "etc/ssh/sshd_config"), ["Include sshd_config.d/*.conf", "permitrootlogin yes # trailing comment", 'Banner "/etc/issue net"', "Include /etc/ssh/loop.conf", "Match Address 10.0.0.0/8", "  PasswordAuthentication yes", "Include /etc/ssh/after-match.conf"].join("\n"));
  writeFileSync(join(root, "etc/ssh/sshd_config.d/20-b.conf"), "PermitRootLogin prohibit-password\n");
  writeFileSync(join(root, "etc/ssh/sshd_config.d/10-a.conf"), "PERMITROOTLOGIN=no\n");
  writeFileSync(join(root, "etc/ssh/sshd_config.d/notes.txt"), "PermitRootLogin yes\n");
  writeFileSync(join(root, "etc/ssh/loop.conf"), "Include /etc/ssh/loop.conf\n");
  writeFileSync(join(root, "etc/ssh/after-match.conf"), "X11Forwarding yes\nMatch all\nPermitEmptyPasswords yes\n");
  const config = readSshdConfig(rootedFs(root));
  assert.deepEqual(effective(config, "PermitRootLogin", "prohibit-password"), { value: "no", setting: { keyword: "permitrootlogin", value: "no", file: "/etc/ssh/sshd_config.d/10-a.conf", line: 1, match: null } });
  assert.equal(effective(config, "Banner", "none").value, "/etc/issue net");
  assert.equal(effective(config, "PasswordAuthentication", "yes").setting, null, "the Match block's value is not global");
  assert.deepEqual(config.matched.map((s) => [s.keyword, s.match, s.file.split("/").pop()]), [["passwordauthentication", "Address 10.0.0.0/8", "sshd_config"], ["x11forwarding", "Address 10.0.0.0/8", "after-match.conf"], ["permitemptypasswords", "all", "after-match.conf"]]);
  assert.ok(config.problems.some((p) => /nested deeper than 16/.test(p)));
  assert.ok(!config.files.some((f) => f.endsWith("notes.txt")));
});

test("rule sets: input hooks, jumps and policies", () => {
  assert.deepEqual(nftInputFiltering(recorded("nft-input-drop.txt")), { filtering: true, reason: "inet filter input policy drop" });
  assert.deepEqual(nftInputFiltering(recorded("nft-docker-only.txt")), { filtering: false, reason: "ip filter INPUT accept everything" });
  assert.deepEqual(nftInputFiltering(""), { filtering: false, reason: "no input chain" });
  const jumping = "table inet fw {\n chain in {\n  type filter hook input priority 0; policy accept;\n  jump guard\n }\n chain guard {\n  tcp dport 6379 reject\n }\n}\n";
  assert.deepEqual(nftInputFiltering(jumping), { filtering: true, reason: "inet fw guard has drop/reject rules" });
  assert.equal(iptablesInputFiltering(recorded("iptables-save-ufw.txt")).filtering, true);
  assert.deepEqual(iptablesInputFiltering("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A FORWARD -j DROP\nCOMMIT\n"), { filtering: false, reason: "INPUT accept everything" });
  assert.equal(iptablesInputFiltering("*nat\n:INPUT DROP [0:0]\nCOMMIT\n").filtering, false, "only the filter table counts");
});

test("apt simulation lines: Debian and Ubuntu security origins, new packages", () => {
  const parsed = parseAptSimulation(`${recorded("apt-sim-security.txt")}Inst libssl3 [3.0.2-0ubuntu1.10] (3.0.2-0ubuntu1.12 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])\n`);
  assert.equal(parsed.length, 11);
  assert.deepEqual(parsed.filter((p) => p.security).map((p) => p.name), ["libssl3", "libexpat1", "jq", "libpq5", "python3-jwt", "linux-image-6.1.0-41-amd64", "linux-image-amd64", "libssl3"]);
  assert.deepEqual(parsed.find((p) => p.name === "python3-jwt")?.origins, ["Debian:12.15/oldstable", "Debian-Security:12/oldstable-security"]);
  assert.equal(parsed.find((p) => p.name === "linux-image-6.1.0-41-amd64")?.from, null);
});

test("config: defaults, and the check ids match the scanner's", () => {
  assert.deepEqual([...POSTURE_CHECK_IDS].sort(), [...CHECK_IDS].sort());
  const defaults = postureConfigSchema.parse({});
  assert.equal(defaults.intervalMinutes, 60);
  assert.equal(defaults.enabled, true);
  assert.throws(() => postureConfigSchema.parse({ allowedListeners: ["ssh"] }), /tcp:PORT/);
  assert.throws(() => postureConfigSchema.parse({ intervalMinutes: 0 }));
  assert.throws(() => postureConfigSchema.parse({ disabledChecks: ["nope"] }));
});
