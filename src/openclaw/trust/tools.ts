// OpenClaw's tool policy, reduced to what the trust audit needs: which tools an agent context can
// call after `tools.profile`, `allow`/`alsoAllow` and `deny` (groups and `*` wildcards expanded),
// per docs/gateway/config-tools/tool-policy.md of OpenClaw 2026.9.6, and what each tool reaches.
import { lookup } from "../../json-record.ts";

export const TOOL_GROUPS: Record<string, string[]> = {
  "group:runtime": ["exec", "process", "code_execution"],
  "group:fs": ["read", "write", "edit", "apply_patch"],
  "group:sessions": ["sessions", "sessions_list", "sessions_history", "sessions_search", "conversations_list", "conversations_send", "conversations_turn", "sessions_send", "sessions_spawn", "sessions_yield", "subagents", "session_status"],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "x_search", "web_fetch"],
  "group:ui": ["browser", "screen", "theme", "dashboard", "terminal", "portal", "canvas", "show_widget"],
  "group:automation": ["heartbeat_respond", "automations", "gateway", "plugins", "openclaw"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes", "computer"],
  "group:media": ["view_image", "image_generate", "music_generate", "video_generate", "tts", "pdf"],
};

const ALL_TOOLS = [...new Set(Object.values(TOOL_GROUPS).flat())];
const ALIASES: Record<string, string> = { bash: "exec", cron: "automations", image: "view_image" };

/** Base allowlists of the named profiles; "full" and an unset profile filter nothing. */
const PROFILES: Record<string, string[]> = {
  minimal: ["session_status", "gateway"],
  coding: [...(TOOL_GROUPS["group:fs"] ?? []), ...(TOOL_GROUPS["group:runtime"] ?? []), ...(TOOL_GROUPS["group:web"] ?? []), ...(TOOL_GROUPS["group:sessions"] ?? []), ...(TOOL_GROUPS["group:memory"] ?? []), "automations", "gateway", "plugins", "view_image", "image_generate"],
  messaging: ["message", ...(TOOL_GROUPS["group:sessions"] ?? []), "gateway"],
};

export const RUNTIME_TOOLS = ["exec", "process"];
export const FS_TOOLS = ["read", "write", "edit", "apply_patch"];
export const CONTROL_PLANE_TOOLS = ["automations", "gateway", "plugins"];

function expand(entries: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === "*" || entry === "group:openclaw" || entry === "group:plugins") {
      if (entry !== "group:plugins") for (const t of ALL_TOOLS) out.add(t);
      out.add("plugins");
      continue;
    }
    const group = lookup(TOOL_GROUPS, entry);
    if (group) for (const t of group) out.add(t);
    else if (entry.includes("*")) {
      const re = new RegExp(`^${entry.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
      for (const t of ALL_TOOLS) if (re.test(t)) out.add(t);
    } else out.add(lookup(ALIASES, entry) ?? entry);
  }
  return out;
}

export interface ToolPolicy {
  profile: string | null;
  allow: string[] | null;
  alsoAllow: string[];
  deny: string[];
}

/** The tools a context can call. */
export function effectiveTools(policy: ToolPolicy): string[] {
  const base = policy.allow ? expand(policy.allow) : new Set((policy.profile && lookup(PROFILES, policy.profile)) || ALL_TOOLS);
  for (const t of expand(policy.alsoAllow)) base.add(t);
  for (const t of expand(policy.deny)) base.delete(t);
  return [...base].sort();
}

/** What a tool lets its caller touch: the assets of the blast-radius model. */
export function assetsOf(tool: string, context: { sandboxed: boolean; workspaceOnly: boolean; workspace: string | null }): string[] {
  const host = context.sandboxed ? "sandbox container" : "gateway host";
  switch (tool) {
    case "exec":
    case "process":
    case "code_execution":
      return [`shell on the ${host}`, `files readable by the ${host} user`, "credentials on the host (state dir, ~/.ssh, cloud CLIs)", "network hosts reachable from the host"];
    case "read":
      return [context.workspaceOnly ? `files in the workspace${context.workspace ? ` (${context.workspace})` : ""}` : `files readable by the ${host} user`];
    case "write":
    case "edit":
    case "apply_patch":
      return [context.workspaceOnly ? "workspace files (write)" : `files writable by the ${host} user`, "agent workspace files injected into the system prompt (AGENTS.md, SOUL.md, ...)"];
    case "web_fetch":
    case "web_search":
    case "x_search":
    case "browser":
      return ["internet hosts (data exfiltration path)"];
    case "gateway":
    case "plugins":
    case "automations":
    case "openclaw":
      return ["the OpenClaw gateway itself (config, updates, plugins, scheduled runs)"];
    case "message":
      return ["outbound messages on connected channels"];
    case "nodes":
    case "computer":
    case "screen":
      return ["paired devices (screen, input, camera)"];
    default:
      return tool.startsWith("session") || tool.startsWith("conversations") || tool === "subagents" ? ["other sessions' history and agents"] : [];
  }
}
