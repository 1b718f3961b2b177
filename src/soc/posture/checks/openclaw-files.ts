// Permissions of OpenClaw's state and credentials: the state dir, openclaw.json (gateway token,
// provider keys), the credentials dir (channel tokens, pairing allowlists), each agent's
// auth-profiles.json and SQLite database (model credentials, transcripts; the -wal file holds
// recent writes too) and the state .env. POSIX mode bits; ACLs are not read.
import { posix } from "node:path";
import { octalMode, type PostureFinding } from "../findings.ts";
import type { HostFs } from "../host.ts";
import type { CheckOutcome, PostureCheck } from "./check.ts";
import { unlessShielded } from "./file-modes.ts";

const MAX_FINDINGS_PER_DIR = 50;
const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

interface Target {
  path: string;
  label: string;
  kind: "dir" | "file";
}

function targets(fs: HostFs, stateDir: string): Target[] {
  const out: Target[] = [
    { path: stateDir, label: "OpenClaw state dir", kind: "dir" },
    { path: posix.join(stateDir, "openclaw.json"), label: "OpenClaw config (gateway token, provider keys)", kind: "file" },
    { path: posix.join(stateDir, ".env"), label: "OpenClaw .env (provider keys)", kind: "file" },
  ];
  const credentials = posix.join(stateDir, "credentials");
  out.push({ path: credentials, label: "OpenClaw credentials dir", kind: "dir" });
  for (const name of fs.list(credentials) ?? []) out.push({ path: posix.join(credentials, name), label: "OpenClaw credential file", kind: "file" });
  for (const agent of (fs.list(posix.join(stateDir, "agents")) ?? []).filter((a) => AGENT_ID.test(a))) {
    const dir = posix.join(stateDir, "agents", agent, "agent");
    for (const name of fs.list(dir) ?? []) {
      if (name === "auth-profiles.json") out.push({ path: posix.join(dir, name), label: `agent ${agent}'s auth profiles (model credentials)`, kind: "file" });
      else if (/\.sqlite(-wal|-shm)?$/.test(name)) out.push({ path: posix.join(dir, name), label: `agent ${agent}'s database (auth profiles, transcripts)`, kind: "file" });
    }
  }
  return out;
}

function judge(fs: HostFs, target: Target, mode: number): PostureFinding | null {
  const f = judgeMode(target, mode);
  if (!f) return null;
  const who = f.checkId === "posture.openclaw.group_readable" || (f.checkId === "posture.openclaw.writable_by_others" && !(mode & 0o002)) ? "group" : "others";
  return unlessShielded(fs, target.path, who, f);
}

function judgeMode(target: Target, mode: number): PostureFinding | null {
  const m = octalMode(mode);
  const fix = target.kind === "dir" ? `chmod 700 ${target.path}` : `chmod 600 ${target.path}`;
  if (mode & 0o002) return { checkId: "posture.openclaw.writable_by_others", severity: "critical", title: `${target.label} is world-writable`, evidence: target.path, detail: `mode ${m}: any local user can replace or add to it (tokens, tool policy, allowlists).`, remediation: fix };
  if (mode & 0o020) return { checkId: "posture.openclaw.writable_by_others", severity: "high", title: `${target.label} is group-writable`, evidence: target.path, detail: `mode ${m}: members of its group can change it.`, remediation: fix };
  if (target.kind === "file") {
    if (mode & 0o004) return { checkId: "posture.openclaw.world_readable", severity: "high", title: `${target.label} is world-readable`, evidence: target.path, detail: `mode ${m}: every local user can read the secrets in it.`, remediation: fix };
    if (mode & 0o040) return { checkId: "posture.openclaw.group_readable", severity: "medium", title: `${target.label} is group-readable`, evidence: target.path, detail: `mode ${m}: members of its group can read the secrets in it.`, remediation: fix };
    return null;
  }
  if (mode & 0o005) return { checkId: "posture.openclaw.world_readable", severity: "medium", title: `${target.label} is open to other users`, evidence: target.path, detail: `mode ${m}: other users can list it and reach any file inside that is not itself locked down.`, remediation: fix };
  if (mode & 0o050) return { checkId: "posture.openclaw.group_readable", severity: "low", title: `${target.label} is open to its group`, evidence: target.path, detail: `mode ${m}.`, remediation: fix };
  return null;
}

export const openclawFilesCheck: PostureCheck = {
  id: "openclaw-files",
  title: "OpenClaw state and credential file permissions",
  async run(ctx, input): Promise<CheckOutcome> {
    if (input.platform === "win32") return { skipped: true, findings: [], note: "Windows: access is decided by ACLs, not mode bits" };
    const findings: PostureFinding[] = [];
    const notes: string[] = [];
    for (const stateDir of [...new Set(input.openclawStateDirs)]) {
      const dirStat = ctx.fs.stat(stateDir);
      if (!dirStat?.isDirectory) {
        notes.push(`${stateDir}: absent`);
        continue;
      }
      const dirFindings: PostureFinding[] = [];
      let checked = 0;
      for (const target of targets(ctx.fs, stateDir)) {
        const link = ctx.fs.lstat(target.path);
        const stat = ctx.fs.stat(target.path);
        if (!stat) continue;
        checked++;
        if (link?.isSymbolicLink) {
          dirFindings.push({ checkId: "posture.openclaw.symlink", severity: "low", title: `${target.label} is a symlink`, evidence: target.path, detail: `points to ${ctx.fs.readLink(target.path) ?? "?"}: the target's directory becomes part of the trust boundary.`, remediation: "Keep OpenClaw's state in a real directory owned by the OpenClaw user." });
        }
        const f = judge(ctx.fs, target, stat.mode);
        if (f) dirFindings.push(f);
      }
      if (dirFindings.length > MAX_FINDINGS_PER_DIR) {
        const dropped = dirFindings.length - MAX_FINDINGS_PER_DIR;
        dirFindings.length = MAX_FINDINGS_PER_DIR;
        dirFindings.push({ checkId: "posture.openclaw.more_findings", severity: "info", title: `${dropped} more permission findings in ${stateDir}`, evidence: stateDir, remediation: `chmod -R go-rwx ${stateDir}` });
      }
      findings.push(...dirFindings);
      notes.push(`${stateDir}: ${checked} paths checked`);
    }
    if (notes.length === 0) return { skipped: true, findings: [], note: "no OpenClaw state dir configured or found" };
    if (findings.length === 0 && notes.every((n) => n.endsWith(": absent"))) return { skipped: true, findings, note: notes.join("; ") };
    return { findings, note: notes.join("; ") };
  },
};
