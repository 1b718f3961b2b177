// The "fleet" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors. Every key has
// a default, so an absent section is a working configuration.
import { z } from "zod";

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

const runnerSchema = z
  .object({
    /** Set false to accept tasks but run none (e.g. a second API-only server on the same database). */
    enabled: z.boolean().default(true),
    /** Tasks running at once across all agents (each agent also has its own concurrency). */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** How often the queue is polled besides the wake-up on each new task. */
    pollIntervalMs: z.number().int().min(20).max(60_000).default(1000),
    /** A running task's lease; a crashed runner's tasks are recovered once it lapses. */
    leaseSeconds: z.number().int().min(5).max(3600).default(30),
    /** Timeout for a task whose agent sets none. */
    defaultTimeoutSeconds: z.number().int().min(1).max(24 * 3600).default(600),
    /** Characters of each attached text file sent to the model (the rest is cut, and said so). */
    maxFileChars: z.number().int().min(1000).max(10_000_000).default(200_000),
    /** How long a finished task waits for the gateway's traffic record to learn the call's cost. */
    costWaitMs: z.number().int().min(0).max(60_000).default(2000),
  })
  .strict();

const filesSchema = z
  .object({
    /** Largest accepted upload; the ceiling is 100 MB. */
    maxBytes: z.number().int().min(1).max(MAX_UPLOAD_BYTES).default(MAX_UPLOAD_BYTES),
    /** Kinds detected by magic bytes that are quarantined (the others are only flagged). */
    quarantineKinds: z.array(z.enum(["executable", "archive"])).default(["executable", "archive"]),
    /** Socket timeout for clamd (CLAWNEX_CLAMD) answers. */
    clamdTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  })
  .strict();

export const fleetConfigSchema = z
  .object({
    runner: runnerSchema.prefault({}),
    files: filesSchema.prefault({}),
    /** Days finished tasks are kept (CLAWNEX_TASK_RETENTION_DAYS wins). */
    taskRetentionDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict();

export type FleetConfig = z.infer<typeof fleetConfigSchema>;
