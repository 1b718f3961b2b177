// Events the openclaw module puts on the core bus (src/app/events.ts), for the SOC module,
// webhooks and anything else that subscribes. Watcher detections need no event of their own:
// they are recorded as scans (source "watcher") and arrive as `scan.completed`.

export interface OpenClawFleetEvent {
  id: string;
  workspace: string;
  instanceId: string;
  instanceName: string;
  agentId: string | null;
  /** ISO-8601 time of the change. */
  at: string;
  details: Record<string, unknown>;
}

export const OPENCLAW_FLEET_EVENT_TYPES = [
  "openclaw.instance.disconnected",
  "openclaw.instance.reconnected",
  "openclaw.agent.disconnected",
  "openclaw.agent.connected",
] as const;

export type OpenClawFleetEventType = (typeof OPENCLAW_FLEET_EVENT_TYPES)[number];

declare module "../app/events.ts" {
  interface EventMap {
    "openclaw.instance.disconnected": OpenClawFleetEvent;
    "openclaw.instance.reconnected": OpenClawFleetEvent;
    "openclaw.agent.disconnected": OpenClawFleetEvent;
    "openclaw.agent.connected": OpenClawFleetEvent;
  }
}
