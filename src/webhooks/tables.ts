// Kysely shapes of the webhooks module's tables (created in src/store/migrations/0006_webhooks.ts).
// Timestamps are ISO-8601 UTC strings, JSON columns text, flags 0/1 integers, as in the core.

export interface WebhooksTable {
  id: string;
  workspace: string;
  /** 1 for webhooks registered through /api/v1/sandbox/webhooks: they receive sandbox events only. */
  sandbox: number;
  url: string;
  /** JSON array of event types ("*" for all). */
  events: string;
  description: string | null;
  enabled: number;
  /** Why delivery stopped by itself (e.g. the receiver answered 410 Gone); null otherwise. */
  disabled_reason: string | null;
  /** The signing secret, AES-256-GCM encrypted with the data dir's key (see secret-box.ts). */
  secret_encrypted: string;
  /** The secret the last rotation replaced (sealed like secret_encrypted): it co-signs until its expiry. */
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  workspace: string;
  /** Event id: the payload's `id` and the `webhook-id` header, the same on every retry. */
  event_id: string;
  event_type: string;
  /** The exact JSON body sent on every attempt (signatures cover these bytes). */
  payload: string;
  /** pending | succeeded | failed */
  status: string;
  attempt_count: number;
  /** When the next attempt is due; null once the delivery is finished. */
  next_attempt_at: string | null;
  /** A worker's claim on an attempt in flight; a crashed worker's claim lapses. */
  locked_until: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  workspace: string;
  /** 1-based attempt number within its delivery. */
  attempt: number;
  started_at: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  succeeded: number;
}

export interface WebhooksTables {
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
