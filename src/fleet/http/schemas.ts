// Wire schemas of the fleet API (zod): request validation and the OpenAPI document both come
// from these. Named schemas (.meta({ id })) become reusable OpenAPI components.
import { z } from "zod";
import { authErrors, errorEnvelopeSchema } from "../../http/schemas/common.ts";
import { AGENT_STATUSES, RESTART_POLICIES } from "../agents/agent-types.ts";
import { TASK_STATES } from "../tasks/task-types.ts";

export const fleetErrors = { ...authErrors, 404: errorEnvelopeSchema, 409: errorEnvelopeSchema, 422: errorEnvelopeSchema };

const METADATA_MAX_BYTES = 16 * 1024;

const metadata = z
  .record(z.string().min(1).max(64), z.unknown())
  .refine((m) => Object.keys(m).length <= 50, "metadata holds at most 50 keys")
  .refine((m) => JSON.stringify(m).length <= METADATA_MAX_BYTES, `metadata must serialise to at most ${METADATA_MAX_BYTES} bytes`)
  .describe("Free-form key/value data (at most 50 keys, 16 KiB), returned as given.");

const isoTimestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO-8601 timestamp")
  .transform((v) => new Date(v).toISOString());

export const listQueryBase = {
  limit: z.coerce.number().int().min(1).max(100).default(20).describe("Page size, 1 to 100."),
  cursor: z.string().min(1).max(2048).optional().describe("next_cursor from the previous page, unchanged."),
  order: z.enum(["desc", "asc"]).default("desc").describe("By creation time: newest first (desc, default) or oldest first."),
  created_after: isoTimestamp.optional().describe("Only resources created after this time."),
  created_before: isoTimestamp.optional().describe("Only resources created before this time."),
};

export function listEnvelope<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      data: z.array(item),
      next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
      has_more: z.boolean(),
    })
    .meta({ id });
}

export const idParams = z.object({ id: z.string().min(1).max(100) });

// ---- agents

const label = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/=-]{0,63}$/, "labels are 1-64 characters: letters, digits and . _ : / = -");
const name = z.string().trim().min(1).max(200);
const model = z.string().trim().min(1).max(200).describe("A model name, routed like the gateway's (the gateway picks the provider).");

const constraintsInput = z
  .object({
    max_tokens: z.number().int().min(1).max(1_000_000).nullable().optional().describe("Sent as max_tokens on every model call."),
    timeout_seconds: z.number().min(1).max(86_400).nullable().optional().describe("A task running longer is stopped and failed."),
    max_cost_usd: z.number().min(0).max(1_000_000).nullable().optional().describe("A task whose recorded cost exceeds this fails."),
    concurrency: z.number().int().min(1).max(64).nullable().optional().describe("Tasks of this agent running at once (default 1)."),
  })
  .strict();

export const agentCreateSchema = z
  .object({
    name,
    model,
    description: z.string().max(2000).nullable().optional(),
    status: z.enum(AGENT_STATUSES).optional().describe("paused agents keep their tasks pending."),
    labels: z.array(label).max(50).optional(),
    skills: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    constraints: constraintsInput.optional(),
    restart_policy: z.enum(RESTART_POLICIES).optional().describe("A task running when ClawNex stopped: fail it (default) or retry it."),
    max_attempts: z.number().int().min(1).max(10).optional().describe("Attempts a task gets under the retry policy (default 3)."),
    metadata: metadata.optional(),
  })
  .strict();

export const agentPatchSchema = agentCreateSchema.partial().strict();

export const agentSchema = z
  .object({
    id: z.string(),
    object: z.literal("agent"),
    name: z.string(),
    model: z.string(),
    description: z.string().nullable(),
    status: z.enum(AGENT_STATUSES),
    labels: z.array(z.string()),
    skills: z.array(z.string()),
    constraints: z.object({ max_tokens: z.number().nullable(), timeout_seconds: z.number().nullable(), max_cost_usd: z.number().nullable(), concurrency: z.number() }),
    restart_policy: z.enum(RESTART_POLICIES),
    max_attempts: z.number(),
    metadata: z.record(z.string(), z.unknown()),
    sandbox: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Agent" });

export const agentListQuery = z.object({ ...listQueryBase, status: z.enum(AGENT_STATUSES).optional(), label: label.optional().describe("Only agents carrying this label.") }).strict();

// ---- tasks

export const taskCreateSchema = z
  .object({
    agent_id: z.string().min(1).max(100),
    instructions: z.string().min(1).max(200_000),
    file_ids: z.array(z.string().min(1).max(100)).max(20).optional().describe("Files to attach (clean or flagged, not quarantined)."),
    metadata: metadata.optional(),
  })
  .strict();

export const taskCancelSchema = z.object({ reason: z.string().max(500).optional() }).strict().nullish();

export const taskSchema = z
  .object({
    id: z.string(),
    object: z.literal("task"),
    agent_id: z.string(),
    instructions: z.string(),
    file_ids: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    state: z.enum(TASK_STATES),
    attempts: z.number(),
    transitions: z.array(z.object({ state: z.enum(TASK_STATES), at: z.string(), reason: z.string().nullable() })),
    outputs: z.array(z.object({ id: z.string(), kind: z.literal("text"), content_type: z.string(), content: z.string(), created_at: z.string() })),
    error: z.object({ code: z.string(), message: z.string(), scan_id: z.string().nullable() }).nullable(),
    model: z.string().nullable(),
    timing: z.object({
      created_at: z.string(),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
      queued_ms: z.number().nullable(),
      run_ms: z.number().nullable(),
    }),
    usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).nullable(),
    cost_usd: z.number().nullable(),
    sandbox: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Task" });

export const taskListQuery = z.object({ ...listQueryBase, state: z.enum(TASK_STATES).optional(), agent_id: z.string().min(1).max(100).optional() }).strict();

// ---- files

export const fileSchema = z
  .object({
    id: z.string(),
    object: z.literal("file"),
    name: z.string().describe("The uploaded file's name, for display (storage never uses it)."),
    size: z.number(),
    sha256: z.string(),
    content_type: z.string().describe("As declared by the uploader."),
    detected_type: z.string().describe("As detected from the content's magic bytes."),
    scan_status: z.enum(["clean", "flagged", "quarantined"]),
    scan: z.record(z.string(), z.unknown()).describe("Why: reasons, Shield verdict and scan ids, clamd answer."),
    sandbox: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: "File" });

export const fileUploadBody = z
  .object({ file: z.string().meta({ format: "binary" }).describe("The file (one part named 'file'; at most 100 MB).") })
  // The multipart stream is read by the handler, so the validator sees no parsed body.
  .nullish()
  .describe("multipart/form-data");

export const fileListQuery = z.object({ ...listQueryBase, scan_status: z.enum(["clean", "flagged", "quarantined"]).optional() }).strict();
