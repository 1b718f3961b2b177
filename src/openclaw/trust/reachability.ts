// The reachability model: who (channels and their senders, groups, webhook callers, gateway
// operators) can reach which agent (multiAgent bindings, else the sole agent), which tools that
// agent can use, and which assets those tools reach. The blast radius of a principal is the union
// over what it reaches, rated by how trusted the principal is and how far the assets go.
import type { Severity } from "./findings.ts";
import type { AgentModel, ChannelAccess, OpenclawModel } from "./model.ts";
import { type PairingAllowlist, pairedSenders } from "./pairing.ts";
import { assetsOf, CONTROL_PLANE_TOOLS, FS_TOOLS, RUNTIME_TOOLS } from "./tools.ts";

export type Trust = "untrusted" | "approved" | "token" | "operator";

export interface Principal {
  id: string;
  kind: "dm" | "group" | "hook" | "operator";
  channel: string | null;
  accountId: string | null;
  /** Who that is, in words ("anyone", "3 approved senders", ...). */
  audience: string;
  trust: Trust;
  senders: number | null;
  /** Config path that decides it. */
  evidence: string;
  agents: string[];
}

export interface AgentReach {
  id: string;
  sandbox: string;
  execMode: string;
  elevated: boolean;
  tools: string[];
  assets: string[];
}

export interface TrustMatrix {
  principals: Principal[];
  agents: AgentReach[];
}

export interface BlastRadius {
  principal: string;
  audience: string;
  trust: Trust;
  severity: Severity;
  agents: string[];
  tools: string[];
  assets: string[];
}

function routeAgents(model: OpenclawModel, channel: string, accountId: string): string[] {
  const bound = model.bindings.filter((b) => b.channel === channel && (b.accountId === null ? accountId === "default" : b.accountId === "*" || b.accountId === accountId)).map((b) => b.agentId);
  if (bound.length > 0) return [...new Set(bound)];
  // No binding: the sole configured agent answers; a multi-agent fleet fails closed.
  return model.agents.length === 1 ? [model.agents[0]?.id ?? "main"] : [];
}

function dmPrincipal(c: ChannelAccess, pairing: PairingAllowlist[], agents: string[]): Principal | null {
  if (c.dmPolicy === "disabled") return null;
  const base = { id: `${c.channel}:${c.accountId}:dm`, kind: "dm" as const, channel: c.channel, accountId: c.accountId, evidence: c.dmPolicyPath, agents };
  if (c.dmPolicy === "open" || c.allowFrom.includes("*")) return { ...base, audience: "anyone who can message the bot", trust: "untrusted", senders: null };
  const senders = new Set([...c.allowFrom, ...pairedSenders(pairing, c.channel, c.accountId)]);
  const how = c.dmPolicy === "pairing" ? "approved by pairing or allowFrom" : "on allowFrom or the pairing store";
  return { ...base, audience: `${senders.size} sender(s) ${how}`, trust: "approved", senders: senders.size };
}

function groupPrincipal(c: ChannelAccess, agents: string[]): Principal | null {
  if (c.groupPolicy === "disabled") return null;
  const base = { id: `${c.channel}:${c.accountId}:groups`, kind: "group" as const, channel: c.channel, accountId: c.accountId, evidence: c.groupPolicyPath, agents };
  if (c.groupPolicy === "open" || c.groupAllowFrom.includes("*")) return { ...base, audience: "members of any group the bot is in", trust: "untrusted", senders: null };
  // Allowlisted groups still carry every member's words: approved rooms, not approved people.
  return { ...base, audience: c.groupAllowFrom.length > 0 ? `${c.groupAllowFrom.length} approved sender(s) in allowlisted groups` : "members of allowlisted groups", trust: c.groupAllowFrom.length > 0 ? "approved" : "untrusted", senders: c.groupAllowFrom.length || null };
}

export function agentReach(agent: AgentModel): AgentReach {
  const sandboxed = agent.sandboxMode === "all" || agent.sandboxMode === "non-main";
  const assets = new Set<string>();
  for (const tool of agent.tools) for (const asset of assetsOf(tool, { sandboxed, workspaceOnly: agent.fsWorkspaceOnly, workspace: agent.workspace })) assets.add(asset);
  if (agent.elevatedEnabled && agent.tools.includes("exec")) assets.add("shell on the gateway host outside any sandbox (elevated exec)");
  return { id: agent.id, sandbox: agent.sandboxMode, execMode: agent.execMode, elevated: agent.elevatedEnabled, tools: agent.tools, assets: [...assets].sort() };
}

export function buildMatrix(model: OpenclawModel, pairing: PairingAllowlist[]): TrustMatrix {
  const principals: Principal[] = [];
  for (const c of model.channels) {
    const agents = routeAgents(model, c.channel, c.accountId);
    const dm = dmPrincipal(c, pairing, agents);
    if (dm) principals.push(dm);
    const group = groupPrincipal(c, agents);
    if (group) principals.push(group);
  }
  const allAgents = model.agents.map((a) => a.id);
  if (model.hooks.enabled) {
    const allowed = model.hooks.allowedAgentIds;
    principals.push({ id: "hooks", kind: "hook", channel: null, accountId: null, audience: "webhook callers holding hooks.token", trust: "token", senders: null, evidence: "hooks.enabled", agents: allowed === null || allowed.includes("*") ? allAgents : allAgents.filter((a) => allowed.includes(a)) });
  }
  const exposed = model.gateway.bind !== "loopback";
  principals.push({
    id: "gateway:operators", kind: "operator", channel: null, accountId: null,
    audience: model.gateway.authMode === "none" ? (exposed ? "anyone on the network (no gateway auth)" : "any local process (no gateway auth)") : `holders of the gateway ${model.gateway.authMode}${exposed ? " on the network" : " on this host"}`,
    trust: model.gateway.authMode === "none" ? "untrusted" : "operator", senders: null, evidence: "gateway.auth.mode", agents: allAgents,
  });
  return { principals, agents: model.agents.map(agentReach) };
}

function rate(trust: Trust, tools: string[]): Severity {
  const runtime = tools.some((t) => RUNTIME_TOOLS.includes(t));
  const dangerous = runtime || tools.some((t) => FS_TOOLS.includes(t) || CONTROL_PLANE_TOOLS.includes(t));
  if (trust === "untrusted") return dangerous ? "critical" : tools.length > 0 ? "high" : "low";
  if (trust === "approved" || trust === "token") return runtime ? "medium" : "low";
  return "info";
}

export function blastRadius(matrix: TrustMatrix): BlastRadius[] {
  const byId = new Map(matrix.agents.map((a) => [a.id, a]));
  return matrix.principals.map((p) => {
    const reached = p.agents.map((id) => byId.get(id)).filter((a): a is AgentReach => a !== undefined);
    const tools = [...new Set(reached.flatMap((a) => a.tools))].sort();
    const assets = new Set(reached.flatMap((a) => a.assets));
    if (p.kind === "operator") assets.add("the OpenClaw gateway itself (config, sessions, every agent)");
    return { principal: p.id, audience: p.audience, trust: p.trust, severity: rate(p.trust, tools), agents: reached.map((a) => a.id), tools, assets: [...assets].sort() };
  });
}
