// The "webhooks" section of clawnex.config.json, validated by src/config/config.ts at start.
// Every key has a default, so an absent section is a working configuration. Whether private and
// loopback destinations are allowed is an environment switch (CLAWNEX_WEBHOOK_ALLOW_PRIVATE),
// read by the config module into config.env.webhookAllowPrivate.
import { z } from "zod";

/** The schedule: retried after 5 s, 30 s, 1 min, 5 min, 30 min and 2 h, then failed. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [5, 30, 60, 300, 1800, 7200];

export const webhooksConfigSchema = z
  .object({
    /** Whole-attempt timeout (connect, headers and body); the receiver must answer within it. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Deliveries in flight at once, across all webhooks, per server process. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** How often the queue is polled besides the wake-up on each new delivery. */
    pollIntervalMs: z.number().int().min(20).max(60_000).default(1000),
    /** Delays before each retry; after the last retry fails the delivery is marked failed. */
    retryScheduleSeconds: z.array(z.number().min(0).max(7 * 24 * 3600)).min(0).max(20).default(DEFAULT_RETRY_SCHEDULE_SECONDS),
    /** Webhooks one workspace may register (production and sandbox each). */
    maxPerWorkspace: z.number().int().min(1).max(10_000).default(100),
    /** Days delivery history (deliveries and attempts) is kept after it finished. */
    retentionDays: z.number().int().min(1).max(3650).default(30),
  })
  .strict();

export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;
