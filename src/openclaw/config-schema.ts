// The "openclaw" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors. Every key has
// a default, so an absent section is a working configuration (no instances, watcher idle).
import { z } from "zod";

/** Instance names double as CLI arguments and URL path segments: keep them plain. */
export const INSTANCE_NAME = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' and '-' (starting with a letter or digit)");

/** Environment variable names, as OpenClaw and POSIX shells accept them. */
export const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be an environment variable name");

const instanceSchema = z
  .object({
    name: INSTANCE_NAME,
    /** The instance's OpenClaw state dir (transcripts, openclaw.json); omit for a remote gateway. */
    stateDir: z.string().min(1).optional(),
    /** The gateway's base URL, e.g. http://127.0.0.1:18789; omit to skip health polling. */
    gatewayUrl: z.string().url().optional(),
    /** Name of the environment variable holding the gateway token (never the token itself). */
    tokenEnv: ENV_NAME.optional(),
    pollIntervalSeconds: z.number().int().min(5).max(3600).default(30),
    /** Workspace the instance's scans, findings and status belong to. */
    workspace: z.string().min(1).max(64).default("default"),
  })
  .strict();

const watcherSchema = z
  .object({
    /** Run the session watcher for instances that have a state dir. */
    enabled: z.boolean().default(true),
    /** Pause between two passes over an instance's transcripts. */
    intervalSeconds: z.number().min(0.2).max(3600).default(5),
    /** Work done before yielding to the event loop (keeps the API responsive during a cold scan). */
    sliceMs: z.number().int().min(1).max(1000).default(15),
    /** Rows fetched from an OpenClaw database or lines parsed from a file per read. */
    batchSize: z.number().int().min(10).max(100_000).default(500),
    /** Larger transcript events are counted as skipped, not scanned (OpenClaw caps events at 4 MiB). */
    maxEventBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** Characters of one message handed to the Shield (the engine bounds its own work too). */
    maxScanChars: z.number().int().min(1024).max(16 * 1024 * 1024).default(1024 * 1024),
    /** Scan the tool-call arguments an assistant message sends (outbound actions such as exec). */
    scanToolCalls: z.boolean().default(true),
    /** Worker threads for large backlogs; omit for one per core but one (at most 4), 0 to scan inline only. */
    scanWorkers: z.number().int().min(0).max(16).optional(),
    /** Texts a pass scans inline (in time slices) before the rest of its backlog moves to the workers. */
    workerThreshold: z.number().int().min(0).max(10_000_000).default(2000),
    /** Model calls within this many seconds of a gateway record may match it (bypass detection). */
    bypassWindowSeconds: z.number().int().min(1).max(3600).default(120),
  })
  .strict();

const fleetSchema = z
  .object({
    /** Per-request timeout for /healthz, /readyz and the WebSocket status read. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Consecutive failed polls before an instance counts as disconnected. */
    failuresBeforeDisconnect: z.number().int().min(1).max(100).default(2),
  })
  .strict();

export const openclawConfigSchema = z
  .object({
    instances: z.array(instanceSchema).max(1000).default([]),
    /** Also watch the local default state dir (OPENCLAW_STATE_DIR / OPENCLAW_HOME / profile rules) as instance "local". */
    watchDefaultStateDir: z.boolean().default(false),
    watcher: watcherSchema.prefault({}),
    fleet: fleetSchema.prefault({}),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.instances.forEach((instance, i) => {
      if (seen.has(instance.name)) ctx.addIssue({ code: "custom", path: ["instances", i, "name"], message: `duplicate instance name '${instance.name}'` });
      seen.add(instance.name);
    });
  });

export type OpenclawConfig = z.infer<typeof openclawConfigSchema>;
export type OpenclawInstanceConfig = OpenclawConfig["instances"][number];
export type WatcherConfig = OpenclawConfig["watcher"];
