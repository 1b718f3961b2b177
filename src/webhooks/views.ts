// The wire shapes of webhooks and deliveries, and the mapping from database rows to them.
import { ALL_EVENTS } from "./events.ts";
import type { AttemptRow, DeliveryRow, DeliveryStatus } from "./store/delivery-store.ts";
import type { WebhookRow } from "./store/webhook-store.ts";

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  /** Until when the secret replaced by the last rotation still co-signs deliveries; null when none does. */
  previous_secret_expires_at: string | null;
  sandbox: boolean;
  created_at: string;
  updated_at: string;
}

export interface AttemptView {
  attempt: number;
  started_at: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  succeeded: boolean;
}

export interface DeliveryView {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  attempts: AttemptView[];
}

export function toWebhookView(row: WebhookRow, now: Date): WebhookView {
  const overlap = row.previous_secret_encrypted !== null && row.previous_secret_expires_at !== null && Date.parse(row.previous_secret_expires_at) > now.getTime();
  return {
    id: row.id,
    url: row.url,
    events: parseEvents(row.events),
    description: row.description,
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    previous_secret_expires_at: overlap ? row.previous_secret_expires_at : null,
    sandbox: row.sandbox === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toAttemptView(row: AttemptRow): AttemptView {
  return { attempt: row.attempt, started_at: row.started_at, status_code: row.status_code, latency_ms: row.latency_ms, error: row.error, succeeded: row.succeeded === 1 };
}

export function toDeliveryView(row: DeliveryRow, attempts: AttemptRow[]): DeliveryView {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status as DeliveryStatus,
    attempt_count: row.attempt_count,
    next_attempt_at: row.next_attempt_at,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    created_at: row.created_at,
    updated_at: row.updated_at,
    completed_at: row.completed_at,
    attempts: attempts.map(toAttemptView),
  };
}

export function parseEvents(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function subscribes(row: WebhookRow, eventType: string): boolean {
  const events = parseEvents(row.events);
  return events.includes(eventType) || events.includes(ALL_EVENTS);
}

/** Origin only: webhook URLs often carry a token in their path (Slack, Teams), audit must not. */
export function destination(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid url)";
  }
}
