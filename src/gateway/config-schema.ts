// The "gateway" section of clawnex.config.json, validated by src/config/config.ts at start.
// The module owns its shape; unknown keys are refused so typos surface as errors. Provider routes
// live in the top-level "providers" array and are validated by ./providers.ts.
import { z } from "zod";

/** What the gateway does with an outbound detection of a category when the mode enforces. */
export const OUTBOUND_ACTIONS = ["block", "redact"] as const;
export type OutboundAction = (typeof OUTBOUND_ACTIONS)[number];

/**
 * Without an entry in outbound.categoryActions, a detection the engine marks sensitive (a secret,
 * PII: it knows the exact span) is redacted and any other is blocked; these categories are
 * blocked even when sensitive (a leaked system prompt or canary is not fixed by masking a span).
 */
export const DEFAULT_BLOCK_CATEGORIES: Record<string, OutboundAction> = { system_prompt_leak: "block" };

const priceSchema = z
  .object({
    /** USD per million input (prompt) tokens. */
    inputPerMillion: z.number().min(0),
    /** USD per million output (completion) tokens. */
    outputPerMillion: z.number().min(0),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    /** Largest chat request body accepted, in bytes (OpenClaw sends ~60 KB; long sessions grow). */
    bodyLimitBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
    /** Default upstream timeouts; a provider route may override them. */
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Time to the upstream's response headers (non-stream: the whole answer is computed by then). */
    headersTimeoutMs: z.number().int().min(100).max(3_600_000).default(600_000),
    /** Longest silence between two body chunks of an upstream response. */
    bodyTimeoutMs: z.number().int().min(100).max(3_600_000).default(300_000),
    /** A stream client that reads nothing for this long, while the stream waits on it, is disconnected. */
    clientStallTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
    /** Retries per route on connection errors, 429 and 5xx before any byte reached the client. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    retryBaseMs: z.number().int().min(0).max(60_000).default(200),
    /** Inbound: scan the tools definitions too (tool-description poisoning). */
    scanTools: z.boolean().default(true),
    /** Inbound scan cache: verdicts of this many distinct texts, holding at most scanCacheChars characters of keys (exact text keys: no hash collisions to forge). */
    scanCacheEntries: z.number().int().min(0).max(1_000_000).default(20_000),
    scanCacheChars: z.number().int().min(0).max(1_000_000_000).default(64 * 1024 * 1024),
    outbound: z
      .object({
        /** Per category: block (the response is replaced by an error) or redact (the span is masked). */
        categoryActions: z.record(z.string().min(1), z.enum(OUTBOUND_ACTIONS)).default({}),
        /** Most characters held back while streaming (and the look-back of each incremental scan). */
        holdbackChars: z.number().int().min(16).max(16_384).default(512),
        /**
         * adaptive: hold back only the tail where an outbound match could still be starting (derived
         * from the rules), so prose flows at once; fixed: always the last holdbackChars characters.
         */
        holdbackMode: z.enum(["adaptive", "fixed"]).default("adaptive"),
      })
      .strict()
      .prefault({}),
    /** Per-model price overrides (USD per million tokens), winning over the bundled price table. */
    prices: z.record(z.string().min(1), priceSchema).default({}),
    traffic: z
      .object({
        /** Queued traffic records are written at least this often, in one transaction. */
        flushIntervalMs: z.number().int().min(5).max(10_000).default(50),
        /** ...or as soon as this many are queued. */
        flushBatchSize: z.number().int().min(1).max(10_000).default(256),
      })
      .strict()
      .prefault({}),
    /** Upper bound of a break-glass window; CLAWNEX_BREAKGLASS_MAX_MINUTES wins when set. */
    breakGlassMaxMinutes: z.number().int().min(1).max(24 * 60).default(60),
  })
  .strict();

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
