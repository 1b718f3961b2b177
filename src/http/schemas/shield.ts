import { z } from "zod";

export const directionInput = z
  .enum(["inbound", "outbound", "input", "output"])
  .transform((d) => (d === "input" ? "inbound" : d === "output" ? "outbound" : d));

export const scanRequestSchema = z
  .object({
    text: z.string({ message: "text is required and must be a string" }),
    source: z.string().min(1).max(100).optional(),
    direction: directionInput.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const detectionSchema = z.object({
  rule_id: z.string(),
  title: z.string(),
  category: z.string(),
  family: z.string(),
  severity: z.enum(["critical", "high", "medium", "low"]),
  confidence: z.number(),
  tags: z.array(z.string()),
  sensitive: z.boolean(),
  span: z.object({ start: z.number().int(), end: z.number().int() }),
  excerpt: z.string(),
  decoded_from: z.array(z.string()),
  action: z.enum(["allow", "review", "block"]).optional(),
});

export const scanResultSchema = z
  .object({
    id: z.string(),
    verdict: z.enum(["ALLOW", "REVIEW", "BLOCK"]),
    score: z.number(),
    detections: z.array(detectionSchema),
    mode: z.enum(["OBSERVE", "BLOCK"]),
    enforced: z.boolean(),
    direction: z.enum(["inbound", "outbound"]),
    source: z.string(),
    latency_ms: z.number(),
    text_sha256: z.string(),
    text_length: z.number().int(),
    invisible: z.object({ zero_width: z.number().int(), bidi: z.number().int(), tag: z.number().int() }),
    truncated: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "ScanResult" });

export const modeSchema = z.object({ mode: z.enum(["OBSERVE", "BLOCK"]) });
export const modeChangeSchema = z
  .object({
    mode: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(["OBSERVE", "BLOCK"])),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const ruleSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  family: z.string(),
  category: z.string(),
  severity: z.enum(["critical", "high", "medium", "low"]),
  confidence: z.number(),
  direction: z.enum(["inbound", "outbound", "both"]),
  tags: z.array(z.string()),
  origin: z.string(),
  action: z.enum(["allow", "review", "block"]).optional(),
});

export const storedScanSchema = z
  .object({
    id: z.string(),
    ts: z.string(),
    workspace: z.string(),
    key_id: z.string().nullable(),
    source: z.string(),
    direction: z.string(),
    verdict: z.string(),
    score: z.number(),
    mode: z.string(),
    enforced: z.boolean(),
    text_sha256: z.string(),
    text_length: z.number(),
    raw_text: z.string().nullable(),
    detections: z.array(z.unknown()),
    metadata: z.unknown(),
    latency_ms: z.number(),
  })
  .meta({ id: "StoredScan" });
