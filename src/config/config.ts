// The one place that reads the environment and the config file. Everything else receives a
// parsed, validated Config object, so a bad value fails at start with a message naming it.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { fleetConfigSchema, type FleetConfig } from "../fleet/config-schema.ts";
import { gatewayConfigSchema, type GatewayConfig } from "../gateway/config-schema.ts";
import { openclawConfigSchema, type OpenclawConfig } from "../openclaw/config-schema.ts";
import { socConfigSchema, type SocConfig } from "../soc/config-schema.ts";
import { postureConfigSchema, type PostureConfig } from "../soc/posture/config-schema.ts";
import { webhooksConfigSchema, type WebhooksConfig } from "../webhooks/config-schema.ts";

export const SHIELD_MODES = ["OBSERVE", "BLOCK"] as const;
export type ShieldMode = (typeof SHIELD_MODES)[number];

export const RULE_ACTIONS = ["allow", "review", "block"] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

const thresholdsSchema = z
  .object({
    review: z.number().min(0).max(100).default(40),
    block: z.number().min(0).max(100).default(70),
  })
  .strict()
  .refine((t) => t.review <= t.block, { message: "review threshold must not exceed block threshold" });

const shieldFileSchema = z
  .object({
    mode: z.enum(SHIELD_MODES).optional(),
    thresholds: thresholdsSchema.optional(),
    disabledRules: z.array(z.string().min(1)).default([]),
    ruleActions: z.record(z.string().min(1), z.enum(RULE_ACTIONS)).default({}),
    canaries: z.array(z.string().min(6, "canary strings must be at least 6 characters")).default([]),
    storeRawText: z.boolean().optional(),
    rulesDir: z.string().min(1).optional(),
  })
  .strict();

const fileSchema = z
  .object({
    shield: shieldFileSchema.optional(),
    server: z
      .object({
        bodyLimitBytes: z.number().int().min(1024).max(512 * 1024 * 1024).optional(),
        trustProxy: z.boolean().optional(),
        shutdownGraceMs: z.number().int().min(0).max(600_000).optional(),
      })
      .strict()
      .optional(),
    rateLimit: z
      .object({
        perMinute: z.number().int().min(1).max(1_000_000).optional(),
        burst: z.number().int().min(1).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
    // Provider routes belong to the gateway; validated there, kept verbatim here.
    providers: z.array(z.record(z.string(), z.unknown())).optional(),
    gateway: gatewayConfigSchema.prefault({}),
    fleet: fleetConfigSchema.prefault({}),
    openclaw: openclawConfigSchema.prefault({}),
    soc: socConfigSchema.prefault({}),
    webhooks: webhooksConfigSchema.prefault({}),
    posture: postureConfigSchema.prefault({}),
  })
  .strict();

export type ConfigFile = z.infer<typeof fileSchema>;

const booleanString = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const envSchema = z.object({
  CLAWNEX_HOST: z.string().min(1).default("127.0.0.1"),
  CLAWNEX_PORT: z.coerce.number({ message: "must be a port number" }).int().min(0).max(65535).default(5001),
  CLAWNEX_DATA_DIR: z.string().min(1).default("./data"),
  CLAWNEX_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (leave unset for the embedded SQLite store)")
    .optional(),
  CLAWNEX_SHIELD_MODE: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(SHIELD_MODES, { message: "must be OBSERVE or BLOCK" }))
    .optional(),
  CLAWNEX_BODY_LIMIT: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).optional(),
  CLAWNEX_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).optional(),
  CLAWNEX_STORE_RAW_TEXT: booleanString.optional(),
  CLAWNEX_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  CLAWNEX_URL: z.string().url().optional(),
  CLAWNEX_API_KEY: z.string().min(1).optional(),
  CLAWNEX_WEBHOOK_ALLOW_PRIVATE: booleanString.optional(),
  CLAWNEX_BREAKGLASS_MAX_MINUTES: z.coerce.number().int().min(1).max(24 * 60).optional(),
  CLAWNEX_TASK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  CLAWNEX_CLAMD: z.string().regex(/^[^:]+:\d+$|^\//, "must be host:port or a unix socket path").optional(),
  MCP_ENABLED: booleanString.optional(),
  MCP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MCP_API_KEY: z.string().min(1).optional(),
  OPENCLAW_STATE_DIR: z.string().min(1).optional(),
  OPENCLAW_HOME: z.string().min(1).optional(),
  OPENCLAW_PROFILE: z.string().min(1).optional(),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: string;
  bodyLimitBytes: number;
  trustProxy: boolean;
  /** On shutdown, how long requests in flight (streams included) may run on before their connections are closed. */
  shutdownGraceMs: number;
  rateLimit: { perMinute: number; burst: number };
  shield: {
    mode: ShieldMode;
    thresholds: { review: number; block: number };
    disabledRules: string[];
    ruleActions: Record<string, RuleAction>;
    canaries: string[];
    storeRawText: boolean;
    rulesDir: string;
  };
  providers: Record<string, unknown>[];
  gateway: GatewayConfig;
  fleet: FleetConfig;
  openclaw: OpenclawConfig;
  soc: SocConfig;
  webhooks: WebhooksConfig;
  posture: PostureConfig;
  /** Module settings that come from the environment (env wins over the file's sections). */
  env: {
    webhookAllowPrivate: boolean | undefined;
    breakGlassMaxMinutes: number | undefined;
    taskRetentionDays: number | undefined;
    clamd: string | undefined;
    mcp: { enabled: boolean; port: number; apiKey: string | undefined };
    openclaw: { stateDir: string | undefined; home: string | undefined; profile: string | undefined };
  };
  /** Reads a secret (a provider key named by apiKeyEnv) from the environment given to loadConfig. */
  secretFromEnv(name: string): string | undefined;
  /** Where a CLI client finds a running server, and with which key. */
  client: { url: string | undefined; apiKey: string | undefined };
  configFilePath: string;
}

export const CONFIG_FILE_NAME = "clawnex.config.json";

function formatIssues(where: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `  ${path}: ${issue.message}`;
  });
  return `invalid configuration in ${where}:\n${lines.join("\n")}`;
}

export function readConfigFile(path: string): ConfigFile {
  let raw: unknown = {};
  if (!existsSync(path)) return fileSchema.parse(raw);
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ConfigError(`invalid configuration in ${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(path, parsed.error));
  return parsed.data;
}

/** Parses the environment and the data dir's config file once; env values win over the file. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsedEnv = envSchema.safeParse(env);
  if (!parsedEnv.success) throw new ConfigError(formatIssues("environment", parsedEnv.error));
  const e = parsedEnv.data;
  const dataDir = resolve(e.CLAWNEX_DATA_DIR);
  const configFilePath = join(dataDir, CONFIG_FILE_NAME);
  const file = readConfigFile(configFilePath);
  const shield = file.shield;
  return {
    host: e.CLAWNEX_HOST,
    port: e.CLAWNEX_PORT,
    dataDir,
    databaseUrl: e.CLAWNEX_DATABASE_URL,
    logLevel: e.CLAWNEX_LOG_LEVEL,
    bodyLimitBytes: e.CLAWNEX_BODY_LIMIT ?? file.server?.bodyLimitBytes ?? 1024 * 1024,
    trustProxy: file.server?.trustProxy ?? false,
    shutdownGraceMs: file.server?.shutdownGraceMs ?? 5000,
    rateLimit: {
      perMinute: e.CLAWNEX_RATE_LIMIT_PER_MINUTE ?? file.rateLimit?.perMinute ?? 1000,
      // Bursts up to three minutes' worth unless configured; a per-minute env override sets both.
      burst: e.CLAWNEX_RATE_LIMIT_PER_MINUTE ?? file.rateLimit?.burst ?? 3 * (file.rateLimit?.perMinute ?? 1000),
    },
    shield: {
      mode: e.CLAWNEX_SHIELD_MODE ?? shield?.mode ?? "OBSERVE",
      thresholds: shield?.thresholds ?? { review: 40, block: 70 },
      disabledRules: shield?.disabledRules ?? [],
      ruleActions: shield?.ruleActions ?? {},
      canaries: shield?.canaries ?? [],
      storeRawText: e.CLAWNEX_STORE_RAW_TEXT ?? shield?.storeRawText ?? false,
      rulesDir: resolve(dataDir, shield?.rulesDir ?? "rules"),
    },
    providers: file.providers ?? [],
    gateway: file.gateway,
    fleet: file.fleet,
    openclaw: file.openclaw,
    soc: file.soc,
    webhooks: file.webhooks,
    posture: file.posture,
    env: {
      webhookAllowPrivate: e.CLAWNEX_WEBHOOK_ALLOW_PRIVATE,
      breakGlassMaxMinutes: e.CLAWNEX_BREAKGLASS_MAX_MINUTES,
      taskRetentionDays: e.CLAWNEX_TASK_RETENTION_DAYS,
      clamd: e.CLAWNEX_CLAMD,
      mcp: { enabled: e.MCP_ENABLED ?? false, port: e.MCP_PORT ?? 5002, apiKey: e.MCP_API_KEY },
      openclaw: { stateDir: e.OPENCLAW_STATE_DIR, home: e.OPENCLAW_HOME, profile: e.OPENCLAW_PROFILE },
    },
    secretFromEnv: (name) => {
      const value = env[name];
      return typeof value === "string" && value.length > 0 ? value : undefined;
    },
    client: { url: e.CLAWNEX_URL, apiKey: e.CLAWNEX_API_KEY },
    configFilePath,
  };
}
