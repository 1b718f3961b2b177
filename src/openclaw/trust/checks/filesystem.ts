// Permissions of OpenClaw's state: the state dir, openclaw.json and its includes, the
// credentials dir (pairing allowlists, OAuth tokens), the per-agent databases (auth profiles,
// transcripts), .env. POSIX mode bits only; skipped on Windows, where ACLs decide.
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { listAgentIds } from "../../transcripts/discover.ts";
import { type AuditContext, type Finding, finding } from "../findings.ts";

function mode(path: string): number | null {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return null;
  }
}

const octal = (m: number) => `0${m.toString(8)}`;

function fileChecks(path: string, label: string, prefix: string, out: Finding[]): void {
  const m = mode(path);
  if (m === null) return;
  if (m & 0o022) out.push(finding(`${prefix}.perms_writable`, "critical", `${label} is writable by other users`, path, `${path} has mode ${octal(m)}: other users can change it (auth, tool policy, providers).`, `chmod 600 ${path}`));
  if (m & 0o004) out.push(finding(`${prefix}.perms_world_readable`, "critical", `${label} is world-readable`, path, `${path} has mode ${octal(m)}: every local user can read the tokens and keys in it.`, `chmod 600 ${path}`));
  else if (m & 0o040) out.push(finding(`${prefix}.perms_group_readable`, "medium", `${label} is group-readable`, path, `${path} has mode ${octal(m)}.`, `chmod 600 ${path}`));
}

function dirChecks(path: string, label: string, prefix: string, out: Finding[]): void {
  const m = mode(path);
  if (m === null) return;
  if (m & 0o002) out.push(finding(`${prefix}.perms_world_writable`, "critical", `${label} is world-writable`, path, `${path} has mode ${octal(m)}: any local user can replace OpenClaw's state.`, `chmod 700 ${path}`));
  else if (m & 0o020) out.push(finding(`${prefix}.perms_group_writable`, "medium", `${label} is group-writable`, path, `${path} has mode ${octal(m)}.`, `chmod 700 ${path}`));
  else if (m & 0o044) out.push(finding(`${prefix}.perms_readable`, "medium", `${label} is readable by other users`, path, `${path} has mode ${octal(m)}.`, `chmod 700 ${path}`));
}

export function filesystemChecks(ctx: AuditContext): Finding[] {
  if (process.platform === "win32") return [];
  const out: Finding[] = [];
  const state = ctx.stateDir;
  try {
    if (lstatSync(state).isSymbolicLink()) out.push(finding("fs.state_dir.symlink", "medium", "State dir is a symlink", state, "The symlink target becomes another trust boundary.", "Point OPENCLAW_STATE_DIR at the real directory."));
  } catch {
    return out;
  }
  dirChecks(state, "State dir", "fs.state_dir", out);
  const [configFile, ...includes] = ctx.loaded.files;
  if (configFile) fileChecks(configFile, "Config file", "fs.config", out);
  for (const include of includes) fileChecks(include, "Config include file", "fs.config_include", out);
  const credentials = join(state, "credentials");
  const credMode = mode(credentials);
  if (credMode !== null) {
    if (credMode & 0o022) out.push(finding("fs.credentials_dir.perms_writable", "critical", "Credentials dir is writable by other users", credentials, `${credentials} has mode ${octal(credMode)}: others can add themselves to pairing allowlists.`, `chmod 700 ${credentials}`));
    else if (credMode & 0o044) out.push(finding("fs.credentials_dir.perms_readable", "medium", "Credentials dir is readable by other users", credentials, `${credentials} has mode ${octal(credMode)}.`, `chmod 700 ${credentials}`));
    let names: string[] = [];
    try {
      names = readdirSync(credentials);
    } catch {
      names = [];
    }
    for (const name of names) {
      const m = mode(join(credentials, name));
      if (m !== null && m & 0o004) out.push(finding("clawnex.fs.credential_file_world_readable", "high", "Credential file is world-readable", join(credentials, name), `${join(credentials, name)} has mode ${octal(m)}.`, `chmod 600 ${join(credentials, name)}`));
    }
  }
  for (const agentId of listAgentIds(state)) {
    const db = join(state, "agents", agentId, "agent", "openclaw-agent.sqlite");
    const m = mode(db);
    if (m !== null && m & 0o022) out.push(finding("fs.auth_profiles.perms_writable", "critical", `Agent ${agentId}'s database (auth profiles, transcripts) is writable by others`, db, `${db} has mode ${octal(m)}: others can inject model credentials.`, `chmod 600 ${db}`));
    else if (m !== null && m & 0o044) out.push(finding("fs.auth_profiles.perms_readable", "medium", `Agent ${agentId}'s database (auth profiles, transcripts) is readable by others`, db, `${db} has mode ${octal(m)}: others can read API keys, OAuth tokens and transcripts.`, `chmod 600 ${db}`));
    const sessions = join(state, "agents", agentId, "sessions");
    const s = mode(sessions);
    if (s !== null && s & 0o044) out.push(finding("fs.sessions_store.perms_readable", "medium", `Agent ${agentId}'s session archives are readable by others`, sessions, `${sessions} has mode ${octal(s)}.`, `chmod 700 ${sessions}`));
  }
  const env = join(state, ".env");
  const e = mode(env);
  if (e !== null && e & 0o004) out.push(finding("clawnex.fs.env_file_world_readable", "high", "State .env file is world-readable", env, `${env} has mode ${octal(e)}; it usually holds provider keys.`, `chmod 600 ${env}`));
  return out;
}
