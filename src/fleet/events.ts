// Fleet events for webhooks and other subscribers (the contract with src/webhooks). Each is
// emitted with `await core.events.emit(...)` before the triggering HTTP response is sent, so a
// subscriber that persists a delivery row makes delivery durable. Sandbox resources carry
// sandbox: true and reach sandbox webhooks only.
export interface FleetEvent {
  workspace: string;
  /** The resource exactly as the API returns it. */
  data: Record<string, unknown>;
  /** ISO-8601 time of the change. */
  occurredAt: string;
  sandbox: boolean;
}

export const FLEET_EVENT_TYPES = [
  "agent.created",
  "agent.updated",
  "agent.deleted",
  "task.created",
  "task.started",
  "task.completed",
  "task.failed",
  "task.cancelled",
  "task.output_received",
] as const;

export type FleetEventType = (typeof FLEET_EVENT_TYPES)[number];

declare module "../app/events.ts" {
  interface EventMap {
    "agent.created": FleetEvent;
    "agent.updated": FleetEvent;
    "agent.deleted": FleetEvent;
    "task.created": FleetEvent;
    "task.started": FleetEvent;
    "task.completed": FleetEvent;
    "task.failed": FleetEvent;
    "task.cancelled": FleetEvent;
    "task.output_received": FleetEvent;
  }
}
