// Gateway exposure and hook ingress. Ids and severities follow OpenClaw's catalog
// (docs/gateway/security/audit-checks.md) where it has the same check.
import { type AuditContext, type Finding, finding } from "../findings.ts";

const MIN_SECRET_LENGTH = 24;

export function gatewayChecks(ctx: AuditContext): Finding[] {
  const g = ctx.model.gateway;
  const out: Finding[] = [];
  const loopback = g.bind === "loopback";
  const where = loopback ? "loopback only" : `bind "${g.bind}" (beyond loopback)`;
  if (g.authMode === "none") {
    if (loopback) {
      out.push(finding("gateway.loopback_no_auth", "critical", "Gateway has no auth (loopback)", "gateway.auth.mode", "gateway.auth.mode is \"none\": anything that can reach the loopback port, including a reverse proxy in front of it, gets full control of the gateway.", "Set gateway.auth.mode to \"token\" with a long random gateway.auth.token."));
      out.push(finding("gateway.http.no_auth", "medium", "Gateway HTTP APIs reachable without auth", "gateway.auth.mode", "With auth mode \"none\" the gateway's HTTP endpoints answer any local caller.", "Enable token auth on the gateway."));
    } else {
      out.push(finding("gateway.bind_no_auth", "critical", "Gateway bound beyond loopback without auth", ["gateway.bind", "gateway.auth.mode"], `The gateway listens on ${where} with auth mode "none": anyone on the network controls the agents.`, "Bind to loopback, or set gateway.auth.mode to \"token\" with a long random token."));
      out.push(finding("gateway.http.no_auth", "critical", "Gateway HTTP APIs reachable without auth", ["gateway.bind", "gateway.auth.mode"], "The gateway's HTTP APIs (chat completions, tools invoke) answer unauthenticated network callers.", "Enable token auth, or bind to loopback."));
    }
  }
  const secret = g.authMode === "password" ? g.password : g.token;
  if (g.authMode !== "none" && secret.length > 0 && secret.length < MIN_SECRET_LENGTH) {
    const id = g.authMode === "password" ? "gateway.password_too_short" : "gateway.token_too_short";
    out.push(finding(id, loopback ? "low" : "high", `Gateway ${g.authMode} is short`, secret.path, `The gateway ${g.authMode} is ${secret.length} characters; with the gateway ${where}, a short secret is easier to brute force.`, `Use a random ${g.authMode} of at least 32 characters (openssl rand -hex 32).`));
  }
  if (!loopback && g.controlUiEnabled && g.allowedOrigins.length === 0 && !g.hostHeaderFallback) {
    out.push(finding("gateway.control_ui.allowed_origins_required", "critical", "Non-loopback Control UI missing explicit allowed origins", ["gateway.bind", "gateway.controlUi.allowedOrigins"], "The Control UI is served beyond loopback with no browser-origin allowlist.", "Set gateway.controlUi.allowedOrigins to the exact trusted origins, or disable the Control UI."));
  }
  if (g.allowedOrigins.includes("*")) {
    out.push(finding("gateway.control_ui.allowed_origins_wildcard", loopback ? "high" : "critical", "Control UI allows any browser origin", "gateway.controlUi.allowedOrigins", "allowedOrigins contains \"*\", which disables browser-origin checks.", "List the exact trusted origins."));
  }
  if (g.tailscaleMode === "funnel") {
    out.push(finding("gateway.tailscale_funnel", "critical", "Gateway exposed to the public internet through Tailscale Funnel", "gateway.tailscale.mode", "Funnel publishes the gateway on the internet.", "Use tailscale mode \"serve\" (tailnet only) or \"off\"."));
  }
  const hooks = ctx.model.hooks;
  if (hooks.enabled || hooks.token.kind !== "unset") {
    const gatewaySecret = g.token.compareKey ?? g.password.compareKey;
    if (hooks.token.compareKey && gatewaySecret && hooks.token.compareKey === gatewaySecret) {
      out.push(finding("hooks.token_reuse_gateway_token", "critical", "Hooks token reuses the gateway token", ["hooks.token", g.token.compareKey ? "gateway.auth.token" : "gateway.auth.password"], "Whoever holds the webhook token (external senders, their logs) also holds full gateway control.", "Give hooks.token its own random value and rotate the gateway token."));
    }
    if (hooks.token.length > 0 && hooks.token.length < MIN_SECRET_LENGTH) {
      out.push(finding("hooks.token_too_short", "medium", "Hooks token is short", "hooks.token", `hooks.token is ${hooks.token.length} characters.`, "Use a random token of at least 32 characters."));
    }
  }
  if (hooks.enabled) {
    if (hooks.allowedAgentIds === null || hooks.allowedAgentIds.includes("*")) {
      out.push(finding("hooks.allowed_agent_ids_unrestricted", loopback ? "medium" : "critical", "Hook agent routing allows any configured agent", "hooks.allowedAgentIds", "Authenticated webhook callers may route a run to any agent, including the most privileged one.", "Set hooks.allowedAgentIds to an explicit list (or [] to deny agent routing)."));
    }
    if (hooks.path === "/") {
      out.push(finding("hooks.path_root", "critical", "Hook path is the gateway root", "hooks.path", "hooks.path \"/\" makes hook ingress collide with other routes.", "Use a dedicated path such as /hooks."));
    }
  }
  return out;
}
