// Turns product events into queued deliveries. Handlers await the database inserts, and producers
// await emit() before answering their request, so a delivery is durable before the triggering
// request is acknowledged. Sandbox events reach sandbox webhooks only, and production events
// production webhooks only.
import type { EventBus, ScanCompletedEvent } from "../app/events.ts";
import { FLEET_EVENT_TYPES, type FleetEvent } from "../fleet/events.ts";
import type { AlertCreatedEvent } from "./events.ts";
import type { WebhookService } from "./webhook-service.ts";

function scanMetadata(event: ScanCompletedEvent): Record<string, unknown> {
  // The core passes the stored record (ScanRecord), whose metadata says where a scan came from.
  const metadata = (event.scan as { metadata?: unknown }).metadata;
  return typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
}

/** Scans made for sandbox tasks (source "sandbox.*" or metadata.sandbox) belong to the sandbox. */
export function isSandboxScan(event: ScanCompletedEvent): boolean {
  return event.source.startsWith("sandbox") || scanMetadata(event).sandbox === true;
}

/** shield.blocked carries identifiers and numbers only: never the scanned text or excerpts. */
export function shieldBlockedData(event: ScanCompletedEvent): Record<string, unknown> {
  const { scan } = event;
  const metadata = scanMetadata(event);
  const id = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    scan_id: scan.id,
    verdict: scan.verdict,
    score: scan.score,
    mode: scan.mode,
    enforced: scan.enforced,
    rule_ids: [...new Set(scan.detections.map((d) => d.rule_id))],
    source: event.source,
    direction: scan.direction,
    key_id: event.keyId,
    agent_id: event.agentId ?? id(metadata.agent_id),
    task_id: id(metadata.task_id),
    session_id: event.sessionId ?? null,
    instance_id: event.instanceId ?? null,
    scanned_at: scan.created_at,
  };
}

export function subscribeWebhookEvents(events: EventBus, service: WebhookService): () => void {
  const unsubscribers: Array<() => void> = [];
  for (const type of FLEET_EVENT_TYPES) {
    unsubscribers.push(
      events.on(type, async (event: FleetEvent) => {
        await service.publish({ workspace: event.workspace, sandbox: event.sandbox }, type, event.data, event.occurredAt);
      }),
    );
  }
  unsubscribers.push(
    events.on("scan.completed", async (event) => {
      if (event.scan.verdict !== "BLOCK") return;
      await service.publish({ workspace: event.workspace, sandbox: isSandboxScan(event) }, "shield.blocked", shieldBlockedData(event), event.scan.created_at);
    }),
  );
  unsubscribers.push(
    events.on("alert.created", async (event: AlertCreatedEvent) => {
      await service.publish({ workspace: event.workspace, sandbox: false }, "alert.created", event.data, event.occurredAt);
    }),
  );
  return () => {
    for (const off of unsubscribers) off();
  };
}
