// Zod schemas of the gateway's HTTP API (they also generate its OpenAPI description). Chat bodies
// are checked for the fields the gateway reads; everything else passes through to the upstream.
import { z } from "zod";

export const chatMessageSchema = z.looseObject({
  role: z.string().min(1).max(64),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional(),
});

export const chatRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(256),
    messages: z.array(chatMessageSchema).min(1).max(100_000),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    tools: z.array(z.looseObject({})).max(10_000).optional(),
  })
  .meta({ id: "ChatCompletionRequest", description: "OpenAI chat completions request; unknown fields are relayed to the upstream." });

export const chatResponseSchema = z
  .looseObject({
    id: z.string(),
    object: z.string(),
    created: z.number(),
    model: z.string(),
    choices: z.array(z.unknown()),
    usage: z.unknown().optional(),
  })
  .meta({ id: "ChatCompletionResponse", description: "OpenAI chat completion; with stream: true, an SSE stream of chat.completion.chunk events ending in data: [DONE]." });

export const openAIErrorSchema = z
  .object({
    error: z.looseObject({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
  })
  .meta({ id: "OpenAIError" });

export const openAIErrors = { 400: openAIErrorSchema, 401: openAIErrorSchema, 403: openAIErrorSchema, 404: openAIErrorSchema, 413: openAIErrorSchema, 429: openAIErrorSchema, 500: openAIErrorSchema, 502: openAIErrorSchema, 503: openAIErrorSchema, 504: openAIErrorSchema };

export const modelListSchema = z.object({
  object: z.literal("list"),
  data: z.array(z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() })),
});

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 time").transform((v) => new Date(v).toISOString());

export const trafficQuerySchema = z
  .object({
    since: isoTime.optional(),
    until: isoTime.optional(),
    model: z.string().max(256).optional(),
    verdict: z.enum(["ALLOW", "REVIEW", "BLOCK"]).optional(),
    key_id: z.string().max(100).optional(),
    agent_id: z.string().max(200).optional(),
    route: z.string().max(100).optional(),
    outcome: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const trafficRecordSchema = z
  .object({
    id: z.string(),
    ts: z.string(),
    workspace: z.string(),
    key_id: z.string().nullable(),
    agent_id: z.string().nullable(),
    task_id: z.string().nullable(),
    source: z.string(),
    request_id: z.string().nullable(),
    route: z.string().nullable(),
    provider: z.string().nullable(),
    model: z.string(),
    upstream_model: z.string().nullable(),
    stream: z.boolean(),
    status: z.number(),
    outcome: z.string(),
    error_code: z.string().nullable(),
    tokens_in: z.number().nullable(),
    tokens_out: z.number().nullable(),
    tokens_estimated: z.boolean(),
    cost_usd: z.number().nullable(),
    cost_source: z.string().nullable(),
    upstream_ms: z.number().nullable(),
    overhead_ms: z.number().nullable(),
    ttft_ms: z.number().nullable(),
    mode: z.string(),
    break_glass: z.boolean(),
    inbound_verdict: z.string().nullable(),
    inbound_scan_id: z.string().nullable(),
    outbound_verdict: z.string().nullable(),
    outbound_scan_id: z.string().nullable(),
    redactions: z.number(),
    attempts: z.number(),
    external_id: z.string().nullable(),
  })
  .meta({ id: "TrafficRecord" });

export const trafficPageSchema = z.object({ data: z.array(trafficRecordSchema), next_cursor: z.string().nullable() });

const costGroupSchema = z.object({ key: z.string(), requests: z.number(), tokens_in: z.number(), tokens_out: z.number(), cost_usd: z.number(), unpriced: z.number() });
export const costQuerySchema = z.object({ since: isoTime.optional(), until: isoTime.optional() }).strict();
export const costSummarySchema = z
  .object({
    since: z.string().nullable(),
    until: z.string().nullable(),
    total: costGroupSchema.omit({ key: true }),
    by_day: z.array(costGroupSchema),
    by_model: z.array(costGroupSchema),
    by_provider: z.array(costGroupSchema),
    by_key: z.array(costGroupSchema),
  })
  .meta({ id: "CostSummary" });

const modeInput = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(["OBSERVE", "BLOCK"]));
export const keyModeBodySchema = z.object({ mode: modeInput.nullable(), reason: z.string().max(500).optional() }).strict();
export const keyModeSchema = z.object({ key_id: z.string(), mode: z.enum(["OBSERVE", "BLOCK"]), updated_at: z.string(), updated_by: z.string() });
export const keyModeChangeSchema = z.object({ key_id: z.string(), previous: z.enum(["OBSERVE", "BLOCK"]).nullable(), mode: z.enum(["OBSERVE", "BLOCK"]).nullable() });

export const breakGlassStartSchema = z.object({ minutes: z.number().int().min(1), reason: z.string().min(3).max(500) }).strict();
export const breakGlassEndSchema = z.object({ reason: z.string().max(500).optional() }).strict();
export const breakGlassStateSchema = z.object({ id: z.string(), started_at: z.string(), expires_at: z.string(), reason: z.string(), started_by: z.string() }).meta({ id: "BreakGlass" });
export const breakGlassStatusSchema = z.object({ active: breakGlassStateSchema.nullable(), max_minutes: z.number() });

export const guardrailRequestSchema = z.looseObject({
  texts: z.array(z.string()).max(10_000).default([]),
  input_type: z.enum(["request", "response"]).default("request"),
  tools: z.array(z.looseObject({})).max(10_000).optional(),
  tool_calls: z.array(z.looseObject({})).max(10_000).optional(),
  structured_messages: z.array(z.looseObject({})).max(100_000).optional(),
  litellm_call_id: z.string().max(200).nullable().optional(),
  model: z.string().max(256).nullable().optional(),
});
export const guardrailResponseSchema = z.object({
  action: z.enum(["NONE", "BLOCKED", "GUARDRAIL_INTERVENED"]),
  blocked_reason: z.string().optional(),
  texts: z.array(z.string()).optional(),
});

export const litellmLogSchema = z.looseObject({
  id: z.string().max(200).optional(),
  litellm_call_id: z.string().max(200).optional(),
  model: z.string().max(256).nullable().optional(),
  model_group: z.string().max(256).nullable().optional(),
  custom_llm_provider: z.string().max(100).nullable().optional(),
  prompt_tokens: z.number().nullable().optional(),
  completion_tokens: z.number().nullable().optional(),
  response_cost: z.number().nullable().optional(),
  status: z.string().max(40).nullable().optional(),
  startTime: z.number().nullable().optional(),
  endTime: z.number().nullable().optional(),
  completionStartTime: z.number().nullable().optional(),
  stream: z.boolean().nullable().optional(),
});
export const litellmLogBodySchema = z.union([litellmLogSchema, z.array(litellmLogSchema).max(10_000)]);
