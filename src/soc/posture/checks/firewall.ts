// Is a packet filter guarding inbound traffic? The live rules (nft list ruleset, iptables-save)
// answer that but need root (CAP_NET_ADMIN); without them the check falls back to what the
// configuration says (ufw enabled, firewall services enabled at boot, saved rule files) and
// reports that as unverified. Nothing known at all is "unknown" (info), never a silent ok.
// Inside a container this sees the container's network namespace, not the host's.
import type { PostureFinding } from "../findings.ts";
import type { HostContext } from "../host.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";
import { iptablesInputFiltering, nftInputFiltering, type InputFiltering } from "./firewall-rules.ts";

const FIREWALL_SERVICES = ["nftables.service", "firewalld.service", "ufw.service", "netfilter-persistent.service", "iptables.service"];

interface LiveRead {
  source: string;
  result: InputFiltering;
}

async function liveRules(ctx: HostContext): Promise<{ reads: LiveRead[]; failures: string[] }> {
  const reads: LiveRead[] = [];
  const failures: string[] = [];
  const nft = await ctx.run.run("nft", ["list", "ruleset"], { timeoutMs: ctx.commandTimeoutMs });
  if (nft.status === 0) reads.push({ source: "nft list ruleset", result: nftInputFiltering(nft.stdout) });
  else failures.push(`nft: ${nft.error === "not_found" ? "not installed" : nft.error === "timeout" ? "timed out" : (nft.stderr.trim().split("\n")[0] ?? `exit ${nft.status}`)}`);
  const ipt = await ctx.run.run("iptables-save", ["-t", "filter"], { timeoutMs: ctx.commandTimeoutMs });
  // iptables-save exits 0 with nothing printed when it may not read the tables.
  if (ipt.status === 0 && ipt.stdout.includes("*filter")) reads.push({ source: "iptables-save", result: iptablesInputFiltering(ipt.stdout) });
  else failures.push(`iptables-save: ${ipt.error === "not_found" ? "not installed" : ipt.error === "timeout" ? "timed out" : (ipt.stderr.trim().split("\n")[0] || `exit ${ipt.status}, no filter table`)}`);
  return { reads, failures };
}

function configuredSignals(ctx: HostContext): string[] {
  const signals: string[] = [];
  const ufw = ctx.fs.read("/etc/ufw/ufw.conf", 64 * 1024);
  if (ufw.ok && /^\s*ENABLED\s*=\s*yes\s*$/im.test(ufw.text)) signals.push("ufw ENABLED=yes in /etc/ufw/ufw.conf");
  for (const entry of ctx.fs.list("/etc/systemd/system") ?? []) {
    if (!entry.endsWith(".wants")) continue;
    for (const unit of ctx.fs.list(`/etc/systemd/system/${entry}`) ?? []) {
      if (FIREWALL_SERVICES.includes(unit)) signals.push(`${unit} enabled (/etc/systemd/system/${entry})`);
    }
  }
  const nftConf = ctx.fs.read("/etc/nftables.conf", 1024 * 1024);
  if (nftConf.ok && nftInputFiltering(nftConf.text).filtering) signals.push("/etc/nftables.conf filters input");
  const rulesV4 = ctx.fs.read("/etc/iptables/rules.v4", 1024 * 1024);
  if (rulesV4.ok && iptablesInputFiltering(rulesV4.text).filtering) signals.push("/etc/iptables/rules.v4 filters input");
  return [...new Set(signals)];
}

export const firewallCheck: PostureCheck = {
  id: "firewall",
  title: "Inbound packet filtering",
  async run(ctx): Promise<CheckOutcome> {
    const { reads, failures } = await liveRules(ctx);
    const signals = configuredSignals(ctx);
    const active = reads.find((r) => r.result.filtering);
    if (active) return { findings: [], note: `inbound filtering active (${active.source}: ${active.result.reason})` };
    if (reads.length > 0) {
      const finding: PostureFinding = {
        checkId: "posture.firewall.inactive",
        severity: "medium",
        title: "No packet filter restricts inbound traffic",
        evidence: reads.map((r) => r.source).join(", "),
        detail: `Live rules read with ${reads.map((r) => `${r.source} (${r.result.reason})`).join("; ")}: every listener beyond loopback is reachable by anyone who can route to the host.${signals.length > 0 ? ` Configured but not loaded: ${signals.join("; ")}.` : ""}`,
        remediation: "Enable a default-deny inbound policy that allows only the services you need (e.g. `ufw default deny incoming && ufw allow ssh && ufw enable`, or an nftables input chain with policy drop).",
      };
      return { findings: [finding], note: `live rules read; no inbound filtering` };
    }
    if (signals.length > 0) {
      return {
        note: `configured (${signals.join("; ")}); live rules not readable`,
        findings: [
          {
            checkId: "posture.firewall.unverified",
            severity: "info",
            title: "A firewall is configured but its live rules could not be verified",
            evidence: signals.join("; "),
            detail: `The loaded rules could not be read (${failures.join("; ")}); configuration says a firewall should be active.`,
            remediation: "Run the posture scan as root (or with CAP_NET_ADMIN) so the live rule set can be checked.",
          },
        ],
      };
    }
    return {
      note: `no live rules readable (${failures.join("; ")}) and no firewall configuration found`,
      findings: [
        {
          checkId: "posture.firewall.unknown",
          severity: "info",
          title: "Firewall state unknown",
          evidence: "nft, iptables-save, /etc/ufw, /etc/systemd/system",
          detail: `The live rules could not be read (${failures.join("; ")}) and no firewall configuration (ufw, nftables, firewalld, iptables-persistent) was found. The host may have no inbound filtering; a container sees only its own network namespace.`,
          remediation: "Run the posture scan as root to read the live rules, and enable a default-deny inbound firewall if there is none.",
        },
      ],
    };
  },
};
