// Provider routes: where a model name goes. Parsed from the top-level "providers" array of
// clawnex.config.json once at start. A route's key comes from an environment variable or a secret
// file and lives only in memory: never in the database, the logs or any other route's requests.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { lookup } from "../json-record.ts";

export const PROVIDER_KINDS = ["openai-compatible", "anthropic"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A base URL an operator may configure: http(s), no credentials, no query or fragment. */
export function validateBaseUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be http:// or https://";
  if (url.username || url.password) return "must not carry credentials (use apiKeyEnv or apiKeyFile)";
  if (url.search || url.hash) return "must not have a query string or fragment";
  return null;
}

const modelPattern = z.string().min(1).max(200).refine((p) => !p.slice(0, -1).includes("*"), "a model pattern is an exact name, a prefix ending in '*' ('groq/*', 'claude-*') or '*'");

export const providerSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "ids are 1-64 letters, digits, '.', '_' or '-'"),
    kind: z.enum(PROVIDER_KINDS).default("openai-compatible"),
    baseUrl: z.string().superRefine((v, ctx) => {
      const problem = validateBaseUrl(v);
      if (problem) ctx.addIssue({ code: "custom", message: `baseUrl ${problem}` });
    }),
    apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    apiKeyFile: z.string().min(1).optional(),
    /** Model names routed here: exact names, prefixes ending in "*" ("groq/*": the "groq/" is stripped unless keepPrefix; "claude-*": kept) or "*". */
    models: z.array(modelPattern).default([]),
    /** Client model name -> upstream model name; mapped names route here too. */
    modelMap: z.record(z.string().min(1), z.string().min(1)).default({}),
    keepPrefix: z.boolean().default(false),
    /** Routes tried in order when this one fails (connection error, 429, 5xx) after its retries. */
    fallbacks: z.array(z.string().min(1)).default([]),
    /** Extra request headers (e.g. OpenRouter's HTTP-Referer); never credentials. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
    timeoutMs: z.number().int().min(100).max(3_600_000).optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    /** Ask the upstream for a usage chunk on streams (stream_options.include_usage). */
    streamUsage: z.boolean().default(true),
    /** Anthropic: API version header and the max_tokens used when the request sets none. */
    anthropicVersion: z.string().default("2023-06-01"),
    defaultMaxTokens: z.number().int().min(1).default(4096),
  })
  .strict()
  .refine((p) => !(p.apiKeyEnv && p.apiKeyFile), { message: "give apiKeyEnv or apiKeyFile, not both" })
  .refine((p) => Object.keys(p.headers).every((h) => !/^(authorization|x-api-key|api-key|cookie|proxy-authorization)$/i.test(h)), { message: "headers must not carry credentials" });

export type ProviderConfig = z.infer<typeof providerSchema>;

export interface ProviderRoute {
  config: ProviderConfig;
  id: string;
  kind: ProviderKind;
  /** Origin (scheme://host:port) and base path, split for the connection pool. */
  origin: string;
  basePath: string;
  /** The route's own key; undefined for keyless local servers. */
  apiKey: string | undefined;
}

export interface RouteChoice {
  route: ProviderRoute;
  /** The model name sent upstream. */
  upstreamModel: string;
}

function readKey(config: ProviderConfig, secretFromEnv: (name: string) => string | undefined, dataDir: string): string | undefined {
  if (config.apiKeyEnv) {
    const key = secretFromEnv(config.apiKeyEnv);
    if (!key) throw new ConfigError(`provider '${config.id}': environment variable ${config.apiKeyEnv} (apiKeyEnv) is not set`);
    return key;
  }
  if (config.apiKeyFile) {
    try {
      const key = readFileSync(resolve(dataDir, config.apiKeyFile), "utf8").trim();
      if (key) return key;
    } catch (err) {
      throw new ConfigError(`provider '${config.id}': cannot read apiKeyFile: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    throw new ConfigError(`provider '${config.id}': apiKeyFile is empty`);
  }
  return undefined;
}

export class ProviderRouter {
  readonly routes: readonly ProviderRoute[];
  readonly #byId: Map<string, ProviderRoute>;

  constructor(routes: ProviderRoute[]) {
    this.routes = routes;
    this.#byId = new Map(routes.map((r) => [r.id, r]));
  }

  static fromConfig(raw: readonly unknown[], secretFromEnv: (name: string) => string | undefined, dataDir: string): ProviderRouter {
    const routes: ProviderRoute[] = raw.map((entry, i) => {
      const parsed = providerSchema.safeParse(entry);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((x) => `  providers[${i}].${x.path.join(".") || "(root)"}: ${x.message}`).join("\n");
        throw new ConfigError(`invalid provider route in clawnex.config.json:\n${issues}`);
      }
      const config = parsed.data;
      const url = new URL(config.baseUrl);
      return { config, id: config.id, kind: config.kind, origin: url.origin, basePath: url.pathname.replace(/\/+$/, ""), apiKey: readKey(config, secretFromEnv, dataDir) };
    });
    const ids = new Set<string>();
    for (const r of routes) {
      if (ids.has(r.id)) throw new ConfigError(`provider id '${r.id}' is used twice`);
      ids.add(r.id);
    }
    for (const r of routes) for (const f of r.config.fallbacks) if (!ids.has(f) || f === r.id) throw new ConfigError(`provider '${r.id}': fallback '${f}' is not another provider id`);
    return new ProviderRouter(routes);
  }

  get(id: string): ProviderRoute | undefined {
    return this.#byId.get(id);
  }

  /** The upstream model name a route uses for a client model name, or null when it doesn't serve it. */
  static match(route: ProviderRoute, model: string): string | null {
    const mapped = lookup(route.config.modelMap, model);
    if (mapped !== undefined) return mapped;
    let best: { length: number; name: string } | null = null;
    for (const pattern of route.config.models) {
      if (pattern === model) return model;
      if (pattern === "*") {
        if (!best) best = { length: 0, name: model };
      } else if (pattern.endsWith("*")) {
        const prefix = pattern.slice(0, -1);
        if (model.startsWith(prefix) && model.length > prefix.length && (!best || prefix.length > best.length)) {
          // "openrouter/auto" style: a provider prefix is routing information, not part of the name.
          const strip = prefix.endsWith("/") && !route.config.keepPrefix;
          best = { length: prefix.length, name: strip ? model.slice(prefix.length) : model };
        }
      }
    }
    return best ? best.name : null;
  }

  /**
   * The routes to try for a model, in order: the best match (exact or mapped name, then the
   * longest prefix, then "*", config order breaking ties), then its fallbacks.
   */
  resolve(model: string): RouteChoice[] {
    let primary: { choice: RouteChoice; rank: number } | null = null;
    for (const route of this.routes) {
      const upstreamModel = ProviderRouter.match(route, model);
      if (upstreamModel === null) continue;
      const exact = lookup(route.config.modelMap, model) !== undefined || route.config.models.includes(model);
      const prefix = route.config.models.filter((p) => p !== "*" && p.endsWith("*") && model.startsWith(p.slice(0, -1))).reduce((n, p) => Math.max(n, p.length), 0);
      const rank = exact ? 1e6 : prefix > 0 ? prefix : 0;
      if (!primary || rank > primary.rank) primary = { choice: { route, upstreamModel }, rank };
    }
    if (!primary) return [];
    const chain = [primary.choice];
    for (const id of primary.choice.route.config.fallbacks) {
      const route = this.#byId.get(id);
      if (!route) continue;
      // A fallback serves the same request under its own mapping, or the primary's upstream name.
      chain.push({ route, upstreamModel: ProviderRouter.match(route, model) ?? primary.choice.upstreamModel });
    }
    return chain;
  }

  /** Model ids to list on GET /v1/models: explicit names and mapped names (patterns can't be listed). */
  listedModels(): Array<{ id: string; owned_by: string }> {
    const seen = new Map<string, string>();
    for (const r of this.routes) {
      for (const name of Object.keys(r.config.modelMap)) if (!seen.has(name)) seen.set(name, r.id);
      for (const p of r.config.models) if (!p.includes("*") && !seen.has(p)) seen.set(p, r.id);
    }
    return [...seen].map(([id, owned_by]) => ({ id, owned_by }));
  }
}
