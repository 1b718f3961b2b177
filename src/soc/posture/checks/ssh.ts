// SSH daemon settings that decide who can try to log in how: root login, password and
// keyboard-interactive (PAM) authentication, empty passwords. OpenSSH's defaults apply to unset
// keywords (PermitRootLogin prohibit-password, PasswordAuthentication yes, KbdInteractive yes,
// UsePAM no), so an absent line is reported with "(default)" rather than assumed safe.
import type { PostureFinding, PostureSeverity } from "../findings.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";
import { effective, readSshdConfig, type SshdConfig, type SshdSetting } from "./sshd-config.ts";

const SSHD_CONFIG = "/etc/ssh/sshd_config";

function where(setting: SshdSetting | null, keyword: string, value: string): string {
  if (!setting) return `${SSHD_CONFIG}: ${keyword} not set (OpenSSH default: ${value})`;
  return `${setting.file}:${setting.line}: ${keyword} ${setting.value}${setting.match ? ` (in Match ${setting.match})` : ""}`;
}

const RELOAD = "then reload sshd (`systemctl reload ssh`) and confirm with `sshd -T | grep -i <keyword>`";

function matchFindings(config: SshdConfig, passwordsPossible: boolean): PostureFinding[] {
  const out: PostureFinding[] = [];
  for (const s of config.matched) {
    const value = s.value.toLowerCase();
    const scope = s.match === "all" ? "for every connection (Match all)" : `for connections matching "${s.match}"`;
    if (s.keyword === "permitrootlogin" && value === "yes") {
      out.push({ checkId: "posture.ssh.root_login", severity: passwordsPossible ? "critical" : "high", title: `SSH allows root login ${scope}`, evidence: where(s, "PermitRootLogin", value), remediation: `Set PermitRootLogin no (or prohibit-password) in that Match block; ${RELOAD}.` });
    }
    if (s.keyword === "passwordauthentication" && value === "yes") {
      out.push({ checkId: "posture.ssh.password_auth", severity: "medium", title: `SSH accepts passwords ${scope}`, evidence: where(s, "PasswordAuthentication", value), remediation: `Set PasswordAuthentication no in that Match block and use keys; ${RELOAD}.` });
    }
    if (s.keyword === "permitemptypasswords" && value === "yes") {
      out.push({ checkId: "posture.ssh.empty_passwords", severity: "high", title: `SSH permits empty passwords ${scope}`, evidence: where(s, "PermitEmptyPasswords", value), remediation: `Remove PermitEmptyPasswords yes; ${RELOAD}.` });
    }
  }
  return out;
}

export const sshCheck: PostureCheck = {
  id: "ssh",
  title: "SSH daemon settings",
  async run(ctx): Promise<CheckOutcome> {
    const main = ctx.fs.read(SSHD_CONFIG, 1);
    if (!main.ok && main.reason === "missing") return { skipped: true, findings: [], note: `no ${SSHD_CONFIG} (OpenSSH server not installed)` };
    if (!main.ok) {
      return {
        note: `${SSHD_CONFIG} not readable (${main.reason})`,
        findings: [{ checkId: "posture.ssh.unknown", severity: "info", title: "SSH daemon settings could not be read", evidence: SSHD_CONFIG, detail: `${SSHD_CONFIG}: ${main.message}`, remediation: "Run the posture scan as root to check root login and password authentication." }],
      };
    }
    const config = readSshdConfig(ctx.fs, SSHD_CONFIG);
    const root = effective(config, "PermitRootLogin", "prohibit-password");
    const password = effective(config, "PasswordAuthentication", "yes");
    const kbdSet = config.global.get("kbdinteractiveauthentication") ?? config.global.get("challengeresponseauthentication") ?? null;
    const kbd = { value: (kbdSet?.value ?? "yes").toLowerCase(), setting: kbdSet };
    const pam = effective(config, "UsePAM", "no");
    const empty = effective(config, "PermitEmptyPasswords", "no");
    const pamPasswords = password.value !== "yes" && kbd.value === "yes" && pam.value === "yes";
    const passwordsPossible = password.value === "yes" || pamPasswords;
    const findings: PostureFinding[] = [];

    if (root.value === "yes") {
      const severity: PostureSeverity = passwordsPossible ? "critical" : "high";
      findings.push({
        checkId: "posture.ssh.root_login",
        severity,
        title: passwordsPossible ? "SSH allows root to log in with a password" : "SSH allows root login",
        evidence: where(root.setting, "PermitRootLogin", root.value),
        detail: "A direct root login skips the audit trail of a personal account plus sudo, and gives brute-force attempts the most valuable target.",
        remediation: `Set PermitRootLogin no (or prohibit-password for key-only root access) in ${root.setting?.file ?? SSHD_CONFIG}; ${RELOAD}.`,
      });
    }
    if (password.value === "yes") {
      findings.push({
        checkId: "posture.ssh.password_auth",
        severity: "medium",
        title: "SSH accepts password authentication",
        evidence: where(password.setting, "PasswordAuthentication", password.value),
        detail: "Passwords can be guessed or reused; keys cannot be brute-forced over the network.",
        remediation: `Set PasswordAuthentication no in ${password.setting?.file ?? `${SSHD_CONFIG}.d/50-posture.conf (drop-ins are read first)`} after installing keys; ${RELOAD}.`,
      });
    }
    if (pamPasswords) {
      findings.push({
        checkId: "posture.ssh.kbd_interactive_pam",
        severity: "medium",
        title: "SSH still accepts passwords through keyboard-interactive (PAM)",
        evidence: where(kbd.setting, "KbdInteractiveAuthentication", kbd.value),
        detail: `PasswordAuthentication is ${password.value}, but with UsePAM yes (${where(pam.setting, "UsePAM", pam.value)}) keyboard-interactive authentication asks PAM, which usually prompts for the password.`,
        remediation: `Set KbdInteractiveAuthentication no unless PAM runs a second factor; ${RELOAD}.`,
      });
    }
    if (empty.value === "yes") {
      findings.push({ checkId: "posture.ssh.empty_passwords", severity: "high", title: "SSH permits empty passwords", evidence: where(empty.setting, "PermitEmptyPasswords", empty.value), remediation: `Remove PermitEmptyPasswords yes; ${RELOAD}.` });
    }
    findings.push(...matchFindings(config, passwordsPossible));
    for (const problem of config.problems) {
      findings.push({ checkId: "posture.ssh.unknown", severity: "info", title: "Part of the SSH daemon configuration could not be read", evidence: problem.split(":")[0] ?? problem, detail: problem, remediation: "Run the posture scan as root so included files are read too." });
    }
    const note = `read ${config.files.length} file(s): PermitRootLogin ${root.value}, PasswordAuthentication ${password.value}, KbdInteractiveAuthentication ${kbd.value}, UsePAM ${pam.value}`;
    return { findings, note };
  },
};
