// `clawnex openclaw connect`: routes an OpenClaw instance through the ClawNex gateway in one step.
// It backs up openclaw.json byte for byte, adds a `models.providers.<id>` entry whose baseUrl is the
// ClawNex gateway (OpenAI-compatible, /v1), lists the models the agents use under it, and points
// the agents' model references at that provider. `--revert` restores the backup, and refuses if
// the file changed since, so a later manual edit is never silently lost.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import JSON5 from "json5";
import { type JsonObject } from "../trust/config-loader.ts";
import { isRecord } from "../../json-record.ts";

export interface ConnectOptions {
  configPath: string;
  /** ClawNex base URL, e.g. http://127.0.0.1:5001 (the gateway answers under /v1). */
  clawnexUrl: string;
  providerId: string;
  /** Preferred: OpenClaw reads the ClawNex key from this environment variable ("${NAME}"). */
  keyEnv?: string | undefined;
  /** Written into the config as is (plaintext): only when the caller insists. */
  key?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface ConnectResult {
  configPath: string;
  backupPath: string;
  providerId: string;
  baseUrl: string;
  models: string[];
  /** Model references rewritten, as "path: old -> new". */
  repointed: string[];
  /** Upstreams the replaced providers used: configure them as ClawNex gateway routes. */
  upstreams: Array<{ provider: string; baseUrl: string | null }>;
  dryRun: boolean;
}

interface Manifest {
  backupPath: string;
  writtenSha256: string;
  at: string;
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");
const manifestPath = (configPath: string) => `${configPath}.clawnex-connect.json`;

function modelRef(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isRecord(value) && typeof value.primary === "string") return value.primary;
  return null;
}

function splitRef(ref: string): { provider: string; model: string } | null {
  const slash = ref.indexOf("/");
  return slash > 0 ? { provider: ref.slice(0, slash), model: ref.slice(slash + 1) } : null;
}

/** Rewrites "provider/model" references (a string, or {primary, fallbacks}) to the ClawNex provider. */
function repoint(holder: JsonObject, key: string, path: string, providerId: string, changes: string[], models: Set<string>): void {
  const value = holder[key];
  const swap = (ref: string): string => {
    const parts = splitRef(ref);
    if (!parts || parts.provider === providerId) return ref;
    models.add(parts.model);
    changes.push(`${path}: ${ref} -> ${providerId}/${parts.model}`);
    return `${providerId}/${parts.model}`;
  };
  if (typeof value === "string") holder[key] = swap(value);
  else if (isRecord(value)) {
    if (typeof value.primary === "string") value.primary = swap(value.primary);
    if (Array.isArray(value.fallbacks)) value.fallbacks = value.fallbacks.map((f) => (typeof f === "string" ? swap(f) : f));
  }
}

export function connect(options: ConnectOptions): ConnectResult {
  const raw = readFileSync(options.configPath, "utf8");
  const config = JSON5.parse(raw) as unknown;
  if (!isRecord(config)) throw new Error(`${options.configPath}: the top level must be an object`);
  const manifestFile = manifestPath(options.configPath);
  const previous = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest) : null;
  const models = new Set<string>();
  const repointed: string[] = [];
  const agents = isRecord(config.agents) ? config.agents : {};
  const defaults = isRecord(agents.defaults) ? agents.defaults : null;
  const usedProviders = new Set<string>();
  const note = (ref: string | null) => {
    const parts = ref ? splitRef(ref) : null;
    if (parts && parts.provider !== options.providerId) usedProviders.add(parts.provider);
  };
  if (defaults) {
    note(modelRef(defaults.model));
    repoint(defaults, "model", "agents.defaults.model", options.providerId, repointed, models);
    if (isRecord(defaults.models)) {
      for (const [ref, settings] of Object.entries(defaults.models)) {
        const parts = splitRef(ref);
        if (parts && parts.provider !== options.providerId) defaults.models[`${options.providerId}/${parts.model}`] ??= settings;
      }
    }
  }
  const entries = isRecord(agents.entries) ? Object.entries(agents.entries) : Array.isArray(agents.list) ? agents.list.map((a, i) => [String(i), a] as const) : [];
  for (const [id, entry] of entries) {
    if (!isRecord(entry) || entry.model === undefined) continue;
    note(modelRef(entry.model));
    repoint(entry, "model", isRecord(agents.entries) ? `agents.entries.${id}.model` : `agents.list[${id}].model`, options.providerId, repointed, models);
  }
  const modelsSection: JsonObject = isRecord(config.models) ? config.models : (config.models = {});
  const providers: JsonObject = isRecord(modelsSection.providers) ? modelsSection.providers : (modelsSection.providers = {});
  const upstreams = [...usedProviders].map((p) => ({ provider: p, baseUrl: isRecord(providers[p]) && typeof providers[p].baseUrl === "string" ? (providers[p].baseUrl as string) : null }));
  // Keep each model's catalogue entry (context window, limits, cost) from the provider it came from.
  const catalogue = new Map<string, JsonObject>();
  for (const provider of Object.values(providers)) {
    if (!isRecord(provider) || !Array.isArray(provider.models)) continue;
    for (const m of provider.models) if (isRecord(m) && typeof m.id === "string" && !catalogue.has(m.id)) catalogue.set(m.id, m);
  }
  const existing = providers[options.providerId];
  const existingModels = isRecord(existing) && Array.isArray(existing.models) ? existing.models : [];
  for (const m of existingModels) if (isRecord(m) && typeof m.id === "string") models.add(m.id);
  const baseUrl = `${options.clawnexUrl.replace(/\/+$/, "")}/v1`;
  providers[options.providerId] = {
    baseUrl,
    api: "openai-completions",
    apiKey: options.key ?? `\${${options.keyEnv ?? "CLAWNEX_API_KEY"}}`,
    models: [...models].sort().map((id) => catalogue.get(id) ?? { id, name: id, input: ["text"], contextWindow: 128000, maxTokens: 4096, reasoning: false }),
  };
  const backupPath = previous?.backupPath ?? join(`${options.configPath}.clawnex-backup-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  const result: ConnectResult = { configPath: options.configPath, backupPath, providerId: options.providerId, baseUrl, models: [...models].sort(), repointed, upstreams, dryRun: options.dryRun === true };
  if (options.dryRun) return result;
  const mode = statSync(options.configPath).mode & 0o777;
  if (!previous) writeFileSync(backupPath, raw, { mode: 0o600, flag: "wx" });
  const text = `${JSON.stringify(config, null, 2)}\n`;
  const tmp = `${options.configPath}.clawnex-tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, options.configPath);
  writeFileSync(manifestFile, JSON.stringify({ backupPath, writtenSha256: sha256(text), at: new Date().toISOString() } satisfies Manifest, null, 2), { mode: 0o600 });
  return result;
}

/** Restores the backup taken by the first connect; refuses if the config was edited since, unless forced. */
export function revert(configPath: string, force = false): { restoredFrom: string } {
  const manifestFile = manifestPath(configPath);
  if (!existsSync(manifestFile)) throw new Error(`${configPath} was not connected by clawnex (no ${manifestFile})`);
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  if (!force && sha256(readFileSync(configPath)) !== manifest.writtenSha256) {
    throw new Error(`${configPath} changed since clawnex connected it; re-run with --force to restore ${manifest.backupPath} anyway`);
  }
  const mode = statSync(configPath).mode & 0o777;
  writeFileSync(configPath, readFileSync(manifest.backupPath), { mode });
  rmSync(manifestFile);
  rmSync(manifest.backupPath);
  return { restoredFrom: manifest.backupPath };
}
