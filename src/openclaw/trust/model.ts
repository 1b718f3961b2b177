// A normalised view of an OpenClaw config for the audit. It accepts the old and the new spellings
// OpenClaw has used: `agents.list` (array of {id}) and `agents.entries` (map by id);
// `tools.exec.security`/`ask` and `tools.exec.mode`; `channels.<c>.dm.policy`/`dm.allowFrom` and
// `dmPolicy`/`allowFrom`. Secrets are classified (plaintext / ${ENV} / SecretRef) and only their
// length is kept, except in `compareKey`, which never leaves the process.
import { createHash } from "node:crypto";
import { getPath, type JsonObject, type LoadedConfig } from "./config-loader.ts";
import { effectiveTools } from "./tools.ts";
import { isRecord } from "../../json-record.ts";

export interface SecretField {
  path: string;
  kind: "plaintext" | "env" | "ref" | "unset";
  length: number;
  /** Hash of the value, to compare two secrets (hooks token vs gateway token) without keeping either. */
  compareKey: string | null;
}

export interface ChannelAccess {
  channel: string;
  accountId: string;
  path: string;
  dmPolicy: string;
  dmPolicyPath: string;
  groupPolicy: string;
  groupPolicyPath: string;
  allowFrom: string[];
  allowFromPath: string;
  groupAllowFrom: string[];
}

export interface AgentModel {
  id: string;
  path: string;
  profile: string | null;
  tools: string[];
  execMode: string;
  execModePath: string | null;
  elevatedEnabled: boolean;
  elevatedAllowFrom: Record<string, string[]>;
  sandboxMode: string;
  fsWorkspaceOnly: boolean;
  workspace: string | null;
}

export interface ProviderModel {
  id: string;
  path: string;
  baseUrl: string | null;
  apiKey: SecretField;
}

export interface OpenclawModel {
  gateway: { bind: string; port: number; authMode: string; token: SecretField; password: SecretField; tailscaleMode: string; controlUiEnabled: boolean; allowedOrigins: string[]; hostHeaderFallback: boolean; trustedProxies: string[] };
  hooks: { enabled: boolean; token: SecretField; path: string | null; allowedAgentIds: string[] | null };
  channels: ChannelAccess[];
  agents: AgentModel[];
  providers: ProviderModel[];
  bindings: Array<{ agentId: string; channel: string; accountId: string | null }>;
  plugins: { allow: string[] | null; entries: string[]; installs: Record<string, JsonObject> };
}

const NOT_CHANNELS = new Set(["defaults", "modelByChannel"]);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").map((v) => v.trim()) : [];
}

function str(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

function secret(loaded: LoadedConfig, path: string): SecretField {
  const value = getPath(loaded.config, path);
  if (isRecord(value) && typeof value.source === "string") return { path, kind: "ref", length: 0, compareKey: `ref:${value.source}:${String(value.id)}` };
  if (typeof value !== "string" || value === "") return { path, kind: "unset", length: 0, compareKey: null };
  const unresolved = /\$\{[A-Z_][A-Z0-9_]*\}/.test(value);
  return { path, kind: loaded.envPaths.has(path) ? "env" : "plaintext", length: unresolved ? 0 : value.length, compareKey: unresolved ? null : createHash("sha256").update(value).digest("hex") };
}

/** tools.exec.mode, or the legacy security/ask pair mapped the way Doctor migrates it. */
function execMode(exec: unknown): string | null {
  if (!isRecord(exec)) return null;
  const mode = str(exec.mode);
  if (mode) return mode;
  const security = str(exec.security);
  if (!security) return null;
  const ask = str(exec.ask) ?? "off";
  if (security === "deny") return "deny";
  if (security === "allowlist") return ask === "off" ? "allowlist" : "ask";
  return ask === "off" ? "full" : `full (ask ${ask})`;
}

function channelAccess(config: JsonObject): ChannelAccess[] {
  const channels = getPath(config, "channels");
  if (!isRecord(channels)) return [];
  const defaultGroupPolicy = str(getPath(config, "channels.defaults.groupPolicy")) ?? "allowlist";
  const out: ChannelAccess[] = [];
  for (const [channel, raw] of Object.entries(channels)) {
    if (NOT_CHANNELS.has(channel) || !isRecord(raw) || raw.enabled === false) continue;
    const read = (node: JsonObject, path: string, inherited?: ChannelAccess): ChannelAccess => {
      const dm = isRecord(node.dm) ? node.dm : {};
      const dmPolicy = str(node.dmPolicy) ?? str(dm.policy);
      const allowFrom = Array.isArray(node.allowFrom) ? strings(node.allowFrom) : Array.isArray(dm.allowFrom) ? strings(dm.allowFrom) : null;
      return {
        channel,
        accountId: inherited ? path.split(".").at(-1) ?? "default" : "default",
        path,
        dmPolicy: dmPolicy ?? inherited?.dmPolicy ?? "pairing",
        dmPolicyPath: dmPolicy ? (str(node.dmPolicy) ? `${path}.dmPolicy` : `${path}.dm.policy`) : (inherited?.dmPolicyPath ?? `${path}.dmPolicy`),
        groupPolicy: str(node.groupPolicy) ?? inherited?.groupPolicy ?? defaultGroupPolicy,
        groupPolicyPath: str(node.groupPolicy) ? `${path}.groupPolicy` : (inherited?.groupPolicyPath ?? `${path}.groupPolicy`),
        allowFrom: allowFrom ?? inherited?.allowFrom ?? [],
        allowFromPath: allowFrom ? (Array.isArray(node.allowFrom) ? `${path}.allowFrom` : `${path}.dm.allowFrom`) : (inherited?.allowFromPath ?? `${path}.allowFrom`),
        groupAllowFrom: Array.isArray(node.groupAllowFrom) ? strings(node.groupAllowFrom) : (inherited?.groupAllowFrom ?? []),
      };
    };
    const root = read(raw, `channels.${channel}`);
    const accounts = isRecord(raw.accounts) ? Object.entries(raw.accounts).filter(([, a]) => isRecord(a)) : [];
    if (accounts.length === 0) out.push(root);
    for (const [accountId, account] of accounts) out.push({ ...read(account as JsonObject, `channels.${channel}.accounts.${accountId}`, root), accountId });
  }
  return out;
}

function agentEntries(config: JsonObject): Array<{ id: string; path: string; node: JsonObject }> {
  const entries = getPath(config, "agents.entries");
  if (isRecord(entries)) return Object.entries(entries).filter(([, v]) => isRecord(v)).map(([id, node]) => ({ id, path: `agents.entries.${id}`, node: node as JsonObject }));
  const list = getPath(config, "agents.list");
  if (Array.isArray(list)) {
    return list.flatMap((node, i) => (isRecord(node) && typeof node.id === "string" ? [{ id: node.id, path: `agents.list[${i}]`, node }] : []));
  }
  // No agents configured: OpenClaw runs the implicit "main" agent on the defaults.
  return [{ id: "main", path: "agents.entries.main", node: {} }];
}

function agentModel(config: JsonObject, id: string, path: string, node: JsonObject): AgentModel {
  const globalTools = isRecord(config.tools) ? config.tools : {};
  const tools = isRecord(node.tools) ? node.tools : {};
  const defaults = isRecord(getPath(config, "agents.defaults")) ? (getPath(config, "agents.defaults") as JsonObject) : {};
  const profile = str(tools.profile) ?? str(globalTools.profile);
  const allow = Array.isArray(tools.allow) ? strings(tools.allow) : Array.isArray(globalTools.allow) ? strings(globalTools.allow) : null;
  const agentExec = execMode(tools.exec);
  const globalExec = execMode(globalTools.exec);
  const elevatedGlobal = isRecord(globalTools.elevated) ? globalTools.elevated : {};
  const elevatedAgent = isRecord(tools.elevated) ? tools.elevated : {};
  const allowFrom = isRecord(elevatedAgent.allowFrom) ? elevatedAgent.allowFrom : isRecord(elevatedGlobal.allowFrom) ? elevatedGlobal.allowFrom : {};
  const sandbox = str(getPath(node, "sandbox.mode")) ?? str(getPath(defaults, "sandbox.mode")) ?? "off";
  const workspaceOnly = getPath(tools, "fs.workspaceOnly") ?? getPath(globalTools, "fs.workspaceOnly");
  return {
    id,
    path,
    profile,
    tools: effectiveTools({ profile, allow, alsoAllow: [...strings(globalTools.alsoAllow), ...strings(tools.alsoAllow)], deny: [...strings(globalTools.deny), ...strings(tools.deny)] }),
    execMode: agentExec ?? globalExec ?? "full (default)",
    execModePath: agentExec ? `${path}.tools.exec` : globalExec ? "tools.exec" : null,
    elevatedEnabled: elevatedGlobal.enabled !== false && elevatedAgent.enabled !== false,
    elevatedAllowFrom: Object.fromEntries(Object.entries(allowFrom).map(([k, v]) => [k, strings(v)])),
    sandboxMode: sandbox,
    fsWorkspaceOnly: workspaceOnly === true,
    workspace: str(node.workspace) ?? str(defaults.workspace),
  };
}

export function buildModel(loaded: LoadedConfig): OpenclawModel {
  const c = loaded.config;
  const providers = getPath(c, "models.providers");
  const plugins = isRecord(c.plugins) ? c.plugins : {};
  return {
    gateway: {
      bind: str(getPath(c, "gateway.bind")) ?? "loopback",
      port: typeof getPath(c, "gateway.port") === "number" ? (getPath(c, "gateway.port") as number) : 18789,
      authMode: str(getPath(c, "gateway.auth.mode")) ?? (getPath(c, "gateway.auth.token") ? "token" : getPath(c, "gateway.auth.password") ? "password" : "none"),
      token: secret(loaded, "gateway.auth.token"),
      password: secret(loaded, "gateway.auth.password"),
      tailscaleMode: str(getPath(c, "gateway.tailscale.mode")) ?? "off",
      controlUiEnabled: getPath(c, "gateway.controlUi.enabled") !== false,
      allowedOrigins: strings(getPath(c, "gateway.controlUi.allowedOrigins")),
      hostHeaderFallback: getPath(c, "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback") === true,
      trustedProxies: strings(getPath(c, "gateway.trustedProxies")),
    },
    hooks: {
      enabled: getPath(c, "hooks.enabled") === true,
      token: secret(loaded, "hooks.token"),
      path: str(getPath(c, "hooks.path")),
      allowedAgentIds: Array.isArray(getPath(c, "hooks.allowedAgentIds")) ? strings(getPath(c, "hooks.allowedAgentIds")) : null,
    },
    channels: channelAccess(c),
    agents: agentEntries(c).map((a) => agentModel(c, a.id, a.path, a.node)),
    providers: isRecord(providers)
      ? Object.entries(providers).filter(([, p]) => isRecord(p)).map(([id, p]) => ({ id, path: `models.providers.${id}`, baseUrl: str((p as JsonObject).baseUrl), apiKey: secret(loaded, `models.providers.${id}.apiKey`) }))
      : [],
    bindings: (Array.isArray(c.bindings) ? c.bindings : []).flatMap((b) =>
      isRecord(b) && typeof b.agentId === "string" && isRecord(b.match) && typeof b.match.channel === "string" ? [{ agentId: b.agentId, channel: b.match.channel, accountId: str(b.match.accountId) }] : [],
    ),
    plugins: {
      allow: Array.isArray(plugins.allow) ? strings(plugins.allow) : null,
      entries: isRecord(plugins.entries) ? Object.entries(plugins.entries).filter(([, e]) => !isRecord(e) || e.enabled !== false).map(([id]) => id) : [],
      installs: isRecord(plugins.installs) ? (Object.fromEntries(Object.entries(plugins.installs).filter(([, v]) => isRecord(v))) as Record<string, JsonObject>) : {},
    },
  };
}
