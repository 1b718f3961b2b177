// Pending security updates, where the package manager can tell without the network: on
// Debian/Ubuntu, `apt-get -s dist-upgrade` simulates an upgrade from the cached package lists
// (/var/lib/apt/lists) and names each package's origin; "-security" origins are security fixes.
// dist-upgrade rather than upgrade, because upgrade keeps back fixes that need new packages
// (kernel ABI bumps). The answer is only as fresh as the lists, so their age is reported; other
// distributions are reported as unknown rather than skipped silently.
import type { PostureFinding } from "../findings.ts";
import type { HostContext } from "../host.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";

const LISTS = "/var/lib/apt/lists";
const STALE_LISTS_DAYS = 7;
const SHOWN_PACKAGES = 25;

export interface PendingUpgrade {
  name: string;
  from: string | null;
  to: string;
  origins: string[];
  security: boolean;
}

/** Parses the "Inst name [old] (new origin, origin [arch])" lines of an apt-get simulation. */
export function parseAptSimulation(output: string): PendingUpgrade[] {
  const out: PendingUpgrade[] = [];
  for (const line of output.split("\n")) {
    const m = /^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) (.*?)(?: \[[^\]]*\])?\)/.exec(line);
    if (!m?.[1] || !m[3]) continue;
    const origins = (m[4] ?? "").split(/,\s*/).filter(Boolean);
    out.push({ name: m[1], from: m[2] ?? null, to: m[3], origins, security: origins.some((o) => /-security\b|^Debian-Security:/i.test(o)) });
  }
  return out;
}

function unknown(evidence: string, detail: string, remediation: string, note: string): CheckOutcome {
  return { note, findings: [{ checkId: "posture.updates.unknown", severity: "info", title: "Pending security updates could not be determined", evidence, detail, remediation }] };
}

/** Age in days of the newest Release/InRelease file, or null when there is none. */
function listsAgeDays(ctx: HostContext): number | null {
  let newest = 0;
  for (const name of ctx.fs.list(LISTS) ?? []) {
    if (!/(_InRelease|_Release)$/.test(name)) continue;
    newest = Math.max(newest, ctx.fs.stat(`${LISTS}/${name}`)?.mtimeMs ?? 0);
  }
  return newest === 0 ? null : Math.floor((ctx.now.getTime() - newest) / 86_400_000);
}

export const updatesCheck: PostureCheck = {
  id: "updates",
  title: "Pending security updates",
  async run(ctx): Promise<CheckOutcome> {
    if (!ctx.fs.stat("/var/lib/dpkg/status")) {
      return unknown("package manager", "Only Debian and Ubuntu (apt) can be checked offline by this scanner; this host has no /var/lib/dpkg/status.", "Check pending security updates with the distribution's own tooling (dnf updateinfo list --security, zypper list-patches --category security, apk version -l '<').", "not a dpkg-based system");
    }
    const age = listsAgeDays(ctx);
    if (age === null) {
      return unknown(LISTS, `${LISTS} holds no package lists (container images usually delete them), so apt cannot tell which updates exist.`, "Run `apt-get update` (it needs the network) so later scans can compare installed packages with the lists.", "no apt package lists");
    }
    const sim = await ctx.run.run("apt-get", ["-s", "-o", "Debug::NoLocking=1", "-o", "APT::Get::Show-User-Simulation-Note=false", "dist-upgrade"], { timeoutMs: ctx.commandTimeoutMs });
    if (sim.status !== 0) {
      const why = sim.error === "not_found" ? "apt-get is not installed" : sim.error === "timeout" ? `apt-get -s dist-upgrade did not finish within ${Math.round(ctx.commandTimeoutMs / 1000)} s` : `apt-get -s dist-upgrade failed: ${sim.stderr.trim().split("\n").slice(-1)[0] ?? `exit ${sim.status}`}`;
      return unknown("apt-get -s dist-upgrade", why, "Run `apt-get -s dist-upgrade` by hand to see why the simulation fails.", why);
    }
    const pending = parseAptSimulation(sim.stdout);
    const security = pending.filter((p) => p.security);
    const findings: PostureFinding[] = [];
    if (security.length > 0) {
      const shown = security.slice(0, SHOWN_PACKAGES).map((p) => `${p.name} ${p.from ?? "(new)"} → ${p.to}`);
      findings.push({
        checkId: "posture.updates.security_pending",
        severity: "medium",
        title: `${security.length} security update${security.length === 1 ? "" : "s"} pending`,
        evidence: `apt (${LISTS})`,
        detail: `${shown.join("; ")}${security.length > shown.length ? `; and ${security.length - shown.length} more` : ""}. Package lists are ${age} day(s) old.`,
        remediation: "Install them (`apt-get update && apt-get upgrade`, or enable unattended-upgrades for the security origin) and restart the affected services.",
      });
    }
    if (age > STALE_LISTS_DAYS) {
      findings.push({
        checkId: "posture.updates.lists_stale",
        severity: "low",
        title: `Package lists are ${age} days old`,
        evidence: LISTS,
        detail: "Updates published since the last `apt-get update` are not known to the simulation, so pending security updates may be undercounted.",
        remediation: "Run `apt-get update` regularly (unattended-upgrades does) so the scan sees current updates.",
      });
    }
    return { findings, note: `apt: ${pending.length} upgradable, ${security.length} from security origins; lists ${age} day(s) old` };
  },
};
