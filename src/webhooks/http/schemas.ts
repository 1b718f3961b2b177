// Wire shapes of the webhook API (zod: validated in, serialized out, and the OpenAPI document).
import { z } from "zod";
import { MAX_URL_LENGTH } from "../delivery/url-policy.ts";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from "../events.ts";

export const eventTypeSchema = z.enum([...WEBHOOK_EVENT_TYPES, ALL_EVENTS], {
  message: `unknown event type; valid types: ${[...WEBHOOK_EVENT_TYPES, ALL_EVENTS].join(", ")}`,
});

const eventsSchema = z.array(eventTypeSchema).min(1, "subscribe to at least one event type").max(WEBHOOK_EVENT_TYPES.length + 1);
const urlSchema = z.string().min(1).max(MAX_URL_LENGTH).describe("http(s) URL the events are POSTed to; must resolve to public addresses unless CLAWNEX_WEBHOOK_ALLOW_PRIVATE=true");
const descriptionSchema = z.string().max(500).nullable();

export const createWebhookSchema = z
  .object({
    url: urlSchema,
    events: eventsSchema.describe('Event types to receive ("*" for all)'),
    description: descriptionSchema.optional(),
    enabled: z.boolean().optional().describe("Default true"),
  })
  .strict();

export const updateWebhookSchema = z
  .object({
    url: urlSchema.optional(),
    events: eventsSchema.optional(),
    description: descriptionSchema.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/** One week: long enough for any receiver's deploy cycle, short enough that a leaked old secret dies. */
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 24 * 3600;
export const DEFAULT_SECRET_OVERLAP_SECONDS = 24 * 3600;

export const rotateSecretSchema = z
  .object({
    previous_secret_expires_in: z
      .number()
      .int()
      .min(0)
      .max(MAX_SECRET_OVERLAP_SECONDS)
      .default(DEFAULT_SECRET_OVERLAP_SECONDS)
      .describe("Seconds during which the replaced secret still co-signs deliveries next to the new one (default 86400 = 24 h; 0 retires it at once, e.g. after a leak)"),
  })
  .strict();

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable().describe("Why delivery stopped by itself (e.g. the receiver answered 410 Gone)"),
    previous_secret_expires_at: z
      .string()
      .nullable()
      .describe("After a rotation with an overlap: until when the replaced secret still co-signs every delivery (each signature header then lists two signatures); null otherwise"),
    sandbox: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Webhook" });

export const webhookWithSecretSchema = webhookSchema
  .extend({ secret: z.string().describe("The signing secret (whsec_...): shown only in this response; store it now") })
  .meta({ id: "WebhookWithSecret" });

export const attemptSchema = z
  .object({
    attempt: z.number().int(),
    started_at: z.string(),
    status_code: z.number().int().nullable(),
    latency_ms: z.number(),
    error: z.string().nullable(),
    succeeded: z.boolean(),
  })
  .meta({ id: "WebhookAttempt" });

export const deliveryStatusSchema = z.enum(["pending", "succeeded", "failed"]);

export const deliverySchema = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    event_id: z.string().describe("The payload's id and the webhook-id header: the same on every attempt"),
    event_type: z.string(),
    status: deliveryStatusSchema,
    attempt_count: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
    attempts: z.array(attemptSchema),
  })
  .meta({ id: "WebhookDelivery" });

export const deliveryDetailSchema = deliverySchema.extend({ payload: z.unknown().describe("The event exactly as delivered") }).meta({ id: "WebhookDeliveryDetail" });

export const listQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const deliveriesQuerySchema = listQuerySchema.extend({ status: deliveryStatusSchema.optional() }).strict();

export const idParams = z.object({ id: z.string().min(1).max(100) });
export const deliveryParams = idParams.extend({ deliveryId: z.string().min(1).max(100) });

export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      data: z.array(item),
      next_cursor: z.string().nullable(),
      has_more: z.boolean(),
    })
    .meta({ id });
