// Bus events the SOC consumes from producers that do not declare them yet, and the ones it
// emits besides `alert.created` (declared by src/webhooks/events.ts). The payload types below
// are the contract: a producer that adds the same event must use the same type.
import type { OpenClawFleetEvent } from "../openclaw/events.ts";

export interface IncidentEvent {
  workspace: string;
  /** The incident exactly as GET /api/v1/incidents/{id} returns it (without its events). */
  data: Record<string, unknown>;
  occurredAt: string;
}

declare module "../app/events.ts" {
  interface EventMap {
    /** Expected from the openclaw poller when an instance reports another version (details: {from, to}). */
    "openclaw.instance.version_changed": OpenClawFleetEvent;
    /** Emitted by the SOC when a correlation rule opens an incident. */
    "incident.created": IncidentEvent;
  }
}
