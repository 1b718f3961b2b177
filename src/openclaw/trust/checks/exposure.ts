// Who can talk to the agents, and what they can make them do: open DM and group policies,
// wildcard allowlists, and what an untrusted sender reaches through them (elevated exec, shell and
// file tools, control-plane tools, an agent without sandbox).
import { type AuditContext, type Finding, finding } from "../findings.ts";
import type { AgentModel, ChannelAccess } from "../model.ts";
import { CONTROL_PLANE_TOOLS, FS_TOOLS, RUNTIME_TOOLS } from "../tools.ts";

/** Inbound policies that admit strangers: "open", or an allowlist containing "*". */
export function openPolicies(channels: ChannelAccess[]): string[] {
  const paths: string[] = [];
  for (const c of channels) {
    if (c.dmPolicy === "open" || (c.dmPolicy === "allowlist" && c.allowFrom.includes("*"))) paths.push(c.dmPolicyPath);
    if (c.groupPolicy === "open" || (c.groupPolicy === "allowlist" && c.groupAllowFrom.includes("*"))) paths.push(c.groupPolicyPath);
  }
  return [...new Set(paths)];
}

function sandboxed(agent: AgentModel): boolean {
  return agent.sandboxMode === "all" || agent.sandboxMode === "non-main";
}

function describe(agent: AgentModel, tools: string[]): string {
  return `${agent.path} (sandbox=${agent.sandboxMode}; tools=[${tools.join(", ")}]${tools.some((t) => FS_TOOLS.includes(t)) ? `; fs.workspaceOnly=${agent.fsWorkspaceOnly}` : ""})`;
}

export function channelChecks(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const c of ctx.model.channels) {
    const label = c.accountId === "default" ? c.channel : `${c.channel} account ${c.accountId}`;
    if (c.dmPolicy === "open") {
      out.push(finding(`channels.${c.channel}.dm.open`, "critical", `${label}: anyone can DM the bot`, c.dmPolicyPath, `The ${label} DM policy is "open": every sender reaches the agent without pairing.`, `Set ${c.dmPolicyPath} to "pairing" (approve senders) or "allowlist".`));
    } else if (c.allowFrom.includes("*") && c.dmPolicy !== "disabled") {
      out.push(finding(`channels.${c.channel}.allowFrom.wildcard`, "critical", `${label}: DM allowlist contains "*"`, c.allowFromPath, `"*" in ${c.allowFromPath} admits every sender, which makes the "${c.dmPolicy}" policy open.`, "List the approved sender ids instead of \"*\"."));
    }
    if (c.groupPolicy === "open") {
      out.push(finding(`clawnex.channels.${c.channel}.group.open`, "high", `${label}: any group can reach the agent`, c.groupPolicyPath, `The ${label} group policy is "open": every group the bot is added to, and all its members, can prompt the agent.`, `Set ${c.groupPolicyPath} to "allowlist" and list the groups.`));
    } else if (c.groupAllowFrom.includes("*") && c.groupPolicy !== "disabled") {
      out.push(finding(`clawnex.channels.${c.channel}.groupAllowFrom.wildcard`, "high", `${label}: group sender allowlist contains "*"`, `${c.path}.groupAllowFrom`, "\"*\" admits every group member.", "List approved senders instead of \"*\"."));
    }
  }
  const elevatedWildcards = new Set(ctx.model.agents.flatMap((a) => Object.entries(a.elevatedAllowFrom).filter(([, senders]) => senders.includes("*")).map(([channel]) => channel)));
  for (const channel of elevatedWildcards) {
    out.push(finding(`tools.elevated.allowFrom.${channel}.wildcard`, "critical", "Elevated exec allowlist contains a wildcard", `tools.elevated.allowFrom.${channel}`, `"*" approves every ${channel} sender for elevated exec (commands outside the sandbox).`, "List the few operator ids allowed to use elevated exec."));
  }
  return out;
}

export function exposureChecks(ctx: AuditContext): Finding[] {
  const open = openPolicies(ctx.model.channels);
  const out: Finding[] = [];
  const agents = ctx.model.agents;
  for (const agent of agents) {
    if (!agent.execMode.startsWith("full") || agent.execModePath === null) continue;
    out.push(finding("tools.exec.security_full_configured", open.length > 0 ? "critical" : "medium", "Host exec runs with mode \"full\"", agent.execModePath, `${agent.path} runs shell commands on the host without approval prompts${open.length > 0 ? ", and open inbound policies reach it" : ""}.`, "Use tools.exec.mode \"ask\" or \"allowlist\", or sandbox the agent."));
  }
  if (open.length === 0) return out;
  const openList = open.join(", ");
  if (agents.some((a) => a.elevatedEnabled)) {
    out.push(finding("security.exposure.open_groups_with_elevated", "critical", "Open group/DM policy with elevated tools enabled", open, `Inbound policy is open at ${openList}, and tools.elevated is enabled: a prompt injection there can run commands outside the sandbox.`, "Set those policies to \"allowlist\" and disable tools.elevated (or keep its allowFrom to a few operator ids)."));
  }
  const risky = agents.filter((a) => !sandboxed(a)).map((a) => ({ a, tools: a.tools.filter((t) => RUNTIME_TOOLS.includes(t) || (FS_TOOLS.includes(t) && !a.fsWorkspaceOnly)) })).filter((x) => x.tools.length > 0);
  if (risky.length > 0) {
    out.push(finding("security.exposure.open_groups_with_runtime_or_fs", "critical", "Open group/DM policy with runtime/filesystem tools exposed", [...open, ...risky.map((x) => x.a.path)], `Inbound policy is open at ${openList}; these agents run shell/file tools without a sandbox: ${risky.map((x) => describe(x.a, x.tools)).join("; ")}.`, "For open conversations use tools.profile \"messaging\" (or deny group:runtime and group:fs), tools.fs.workspaceOnly true, and sandbox.mode \"all\"."));
  }
  const control = agents.filter((a) => !sandboxed(a)).map((a) => ({ a, tools: a.tools.filter((t) => CONTROL_PLANE_TOOLS.includes(t)) })).filter((x) => x.tools.length > 0);
  if (control.length > 0) {
    out.push(finding("security.exposure.open_groups_with_control_plane_tools", "critical", "Open group/DM policy with control-plane tools exposed", [...open, ...control.map((x) => x.a.path)], `Inbound policy is open at ${openList}; these agents can update OpenClaw, manage plugins or schedule runs: ${control.map((x) => describe(x.a, x.tools)).join("; ")}.`, "Deny automations, gateway and plugins (tools.deny) for agents that open conversations reach."));
  }
  for (const agent of agents.filter((a) => !sandboxed(a))) {
    out.push(finding("clawnex.sandbox.off_with_untrusted_senders", "high", `Agent ${agent.id} runs unsandboxed while untrusted senders reach it`, [`${agent.path}.sandbox.mode`, ...open], `${agent.path} has sandbox mode "${agent.sandboxMode}" and inbound policies ${openList} admit strangers: their prompts execute with the gateway user's rights.`, "Set agents.defaults.sandbox.mode (or the agent's sandbox.mode) to \"all\"."));
  }
  return out;
}
