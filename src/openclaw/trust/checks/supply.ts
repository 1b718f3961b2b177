// Secrets written into the config, model providers that do not go through the ClawNex gateway,
// and plugins and skills that are not pinned or not on an allowlist.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { getPath } from "../config-loader.ts";
import { type AuditContext, type Finding, finding } from "../findings.ts";
import { isRecord } from "../../../json-record.ts";

const PINNED_SPEC = /@\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/;
const SECRET_KEYS = new Set(["botToken", "token", "appToken", "signingSecret", "apiKey", "password", "webhookSecret", "accessToken"]);

function subdirs(path: string): string[] {
  try {
    return readdirSync(path).filter((name) => !name.startsWith(".") && statSync(join(path, name)).isDirectory());
  } catch {
    return [];
  }
}

function origin(url: string): string | null {
  try {
    const u = new URL(url);
    const host = u.hostname === "localhost" || u.hostname === "[::1]" ? "127.0.0.1" : u.hostname;
    return `${u.protocol}//${host}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return null;
  }
}

export function secretChecks(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const p of ctx.model.providers) {
    if (p.apiKey.kind === "plaintext") out.push(finding("clawnex.secrets.plaintext_provider_key", "high", `Provider ${p.id}: API key in plaintext in the config`, p.apiKey.path, "Anyone (or any agent tool) that can read openclaw.json gets the key.", `Use "\${ENV_VAR}" or a SecretRef ({ source: "env", id: "..." }) for ${p.apiKey.path}.`));
  }
  const g = ctx.model.gateway;
  const gatewaySecret = g.authMode === "password" ? g.password : g.token;
  if (gatewaySecret.kind === "plaintext") out.push(finding(g.authMode === "password" ? "config.secrets.gateway_password_in_config" : "clawnex.secrets.gateway_token_in_config", "medium", "Gateway secret stored in the config", gatewaySecret.path, "The gateway secret sits in openclaw.json, readable by every tool that reads config.", "Move it to OPENCLAW_GATEWAY_TOKEN (\"${OPENCLAW_GATEWAY_TOKEN}\") or a SecretRef."));
  if (ctx.model.hooks.token.kind === "plaintext") out.push(finding("config.secrets.hooks_token_in_config", "low", "Hooks token stored in the config", "hooks.token", "The webhook bearer token sits in openclaw.json.", "Use an ${ENV} reference."));
  const channels = getPath(ctx.loaded.config, "channels");
  if (isRecord(channels)) {
    for (const [channel, node] of Object.entries(channels)) {
      if (!isRecord(node)) continue;
      for (const [key, value] of Object.entries(node)) {
        const path = `channels.${channel}.${key}`;
        if (SECRET_KEYS.has(key) && typeof value === "string" && value !== "" && !ctx.loaded.envPaths.has(path)) {
          out.push(finding("clawnex.secrets.channel_token_in_config", "medium", `${channel}: credential in plaintext in the config`, path, "A channel credential sits in openclaw.json.", "Use an ${ENV} reference or a SecretRef."));
        }
      }
    }
  }
  return out;
}

export function providerChecks(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const ours = new Set(ctx.clawnexOrigins.map(origin).filter((o): o is string => o !== null));
  const routed = new Set<string>();
  for (const p of ctx.model.providers) {
    const o = p.baseUrl ? origin(p.baseUrl) : null;
    if (o && ours.has(o)) {
      routed.add(p.id);
      continue;
    }
    out.push(finding("clawnex.providers.bypass_gateway", "high", `Provider ${p.id} does not go through the ClawNex gateway`, p.baseUrl ? `${p.path}.baseUrl` : p.path, p.baseUrl ? `${p.path}.baseUrl is ${o ?? "not a URL"}: model calls to it skip the Shield.` : `${p.path} has no baseUrl: OpenClaw calls the provider's public API directly.`, "Run `clawnex openclaw connect` to add a provider that points at the ClawNex gateway, and use its models."));
  }
  const primary = getPath(ctx.loaded.config, "agents.defaults.model");
  const model = typeof primary === "string" ? primary : isRecord(primary) && typeof primary.primary === "string" ? primary.primary : null;
  const provider = model?.includes("/") ? model.slice(0, model.indexOf("/")) : null;
  if (provider && !routed.has(provider) && !ctx.model.providers.some((p) => p.id === provider)) {
    out.push(finding("clawnex.providers.default_model_bypasses_gateway", "high", "The default model uses a built-in provider, not the ClawNex gateway", "agents.defaults.model.primary", `The default model ${model} is served by OpenClaw's built-in ${provider} provider, straight from the host.`, "Point the default model at a provider that routes through ClawNex (`clawnex openclaw connect`)."));
  }
  return out;
}

export function pluginChecks(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const { allow, entries, installs } = ctx.model.plugins;
  const installed = subdirs(join(ctx.stateDir, "extensions"));
  const present = [...new Set([...installed, ...entries, ...Object.keys(installs)])];
  if (present.length > 0 && allow === null) {
    out.push(finding("plugins.extensions_no_allowlist", "medium", "Plugins load without an explicit allowlist", "plugins.allow", `Plugins present (${present.join(", ")}) and plugins.allow is unset: any plugin dropped into an extensions folder loads.`, "Set plugins.allow to the plugin ids you use."));
  }
  for (const id of installed) {
    if (allow !== null && !allow.includes(id)) out.push(finding("clawnex.plugins.unlisted", "medium", `Plugin ${id} is installed but not on the allowlist`, join(ctx.stateDir, "extensions", id), "An installed plugin outside plugins.allow: unreviewed code on the gateway host.", `Remove it, or add "${id}" to plugins.allow after review.`));
  }
  for (const [id, record] of Object.entries(installs)) {
    const spec = typeof record.spec === "string" ? record.spec : null;
    if (spec && record.source !== "path" && !PINNED_SPEC.test(spec)) out.push(finding("plugins.installs_unpinned_npm_specs", "medium", `Plugin ${id} is installed from an unpinned spec`, `plugins.installs.${id}.spec`, `"${spec}" can resolve to different code on the next install or update.`, "Pin an exact version (name@1.2.3)."));
    if (spec && typeof record.integrity !== "string") out.push(finding("plugins.installs_missing_integrity", "low", `Plugin ${id} has no integrity hash`, `plugins.installs.${id}`, "The install record carries no integrity hash to verify the package against.", "Reinstall with a pinned version so the integrity is recorded."));
  }
  const skillEntries = getPath(ctx.loaded.config, "skills.entries");
  const listed = new Set(isRecord(skillEntries) ? Object.keys(skillEntries) : []);
  for (const skill of subdirs(join(ctx.stateDir, "skills"))) {
    if (!listed.has(skill)) out.push(finding("clawnex.skills.unlisted", "low", `Managed skill ${skill} is not declared in the config`, join(ctx.stateDir, "skills", skill), "A skill installed in the state dir loads for every agent without appearing in skills.entries; its instructions enter the system prompt.", `Review it, then declare it in skills.entries (or remove it); restrict agents with agents.entries.<id>.skills.`));
  }
  return out;
}
