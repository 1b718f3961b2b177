// The events webhooks deliver. Fleet events are declared by src/fleet/events.ts; the security
// events are ClawNex's own: `shield.blocked` is derived here from the core `scan.completed`, and
// `alert.created` is declared here for the SOC module to emit:
//   await core.events.emit("alert.created", { workspace, data: alert, occurredAt })
import { FLEET_EVENT_TYPES } from "../fleet/events.ts";

export interface AlertCreatedEvent {
  workspace: string;
  /** The alert exactly as the API returns it. */
  data: Record<string, unknown>;
  /** ISO-8601 time the alert was raised. */
  occurredAt: string;
}

declare module "../app/events.ts" {
  interface EventMap {
    "alert.created": AlertCreatedEvent;
  }
}

export const SECURITY_EVENT_TYPES = ["shield.blocked", "alert.created"] as const;

/** Every event type a webhook can subscribe to ("*" subscribes to all of them). */
export const WEBHOOK_EVENT_TYPES = [...FLEET_EVENT_TYPES, ...SECURITY_EVENT_TYPES] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by POST /webhooks/{id}/test, whatever the webhook subscribes to. */
export const TEST_EVENT_TYPE = "webhook.test";

export const ALL_EVENTS = "*";
