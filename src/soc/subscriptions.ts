// Where the SOC listens: the core bus events of every module, normalised into SOC events and
// handed to the pipeline. Producer events (scans, denials, fleet changes) are not awaited: the
// producer's request must not wait for alerting. `soc.finding` and `soc.event` are awaited: their
// emit() resolves once the SOC has stored the event (the ingest contract in ./ingest.ts).
import type { EventBus } from "../app/events.ts";
import { FLEET_EVENT_TYPES } from "../fleet/events.ts";
import { OPENCLAW_FLEET_EVENT_TYPES } from "../openclaw/events.ts";
import type { SocMetrics } from "./metrics.ts";
import type { SocEventInput } from "./model.ts";
import type { SocPipeline } from "./pipeline/pipeline.ts";
import { accessEvent } from "./signals/access.ts";
import { CostSpikeDetector } from "./signals/cost-spike.ts";
import { fleetAgentEvent, fleetTaskEvent, openclawEvent } from "./signals/fleet.ts";
import { shieldEvents, type ShieldSignalOptions } from "./signals/shield.ts";

export interface SubscriptionDeps {
  bus: EventBus;
  pipeline: SocPipeline;
  metrics: SocMetrics;
  shield: ShieldSignalOptions;
  costSpike: CostSpikeDetector;
  onError(err: unknown): void;
}

/** Scan sources ClawNex itself sets; the scan API lets clients name their own, which must not become metric labels. */
const KNOWN_SOURCES = new Set(["api", "cli", "gateway", "litellm", "watcher", "task", "sandbox.task", "mcp"]);
const sourceLabel = (source: string) => (KNOWN_SOURCES.has(source) ? source : "other");

export function subscribe(deps: SubscriptionDeps): () => void {
  const { bus, pipeline, metrics } = deps;
  const submit = (input: SocEventInput | null) => {
    if (input) pipeline.ingestEvent(input).catch(deps.onError);
  };
  const off: Array<() => void> = [];

  off.push(
    bus.on("scan.completed", (payload) => {
      const { scan } = payload;
      const source = sourceLabel(payload.source);
      metrics.scans.inc({ source, direction: scan.direction, verdict: scan.verdict });
      metrics.scanLatency.observe({ source }, scan.latency_ms / 1000);
      if (scan.enforced) metrics.blocks.inc({ source, direction: scan.direction });
      for (const input of shieldEvents(payload, deps.shield)) submit(input);
    }),
  );
  off.push(
    bus.on("access.denied", (denied) => {
      metrics.accessDenied.inc({ status: String(denied.status) });
      submit(accessEvent(denied));
    }),
  );
  off.push(
    bus.on("traffic.recorded", ({ traffic }) => {
      metrics.gatewayRequests.inc({ outcome: traffic.outcome });
      if (traffic.upstream_ms !== null) metrics.gatewayUpstream.observe(traffic.upstream_ms / 1000);
      submit(deps.costSpike.observe({ workspace: traffic.workspace, agent: traffic.agent_id, keyId: traffic.key_id, ts: traffic.ts, costUsd: traffic.cost_usd, trafficId: traffic.id }));
    }),
  );
  for (const type of FLEET_EVENT_TYPES) {
    if (type === "agent.created" || type === "agent.updated" || type === "agent.deleted") off.push(bus.on(type, (event) => submit(fleetAgentEvent(type, event))));
    if (type === "task.failed") off.push(bus.on(type, (event) => submit(fleetTaskEvent(event))));
  }
  for (const type of [...OPENCLAW_FLEET_EVENT_TYPES, "openclaw.instance.version_changed"] as const) {
    off.push(bus.on(type, (event) => submit(openclawEvent(type, event))));
  }
  off.push(
    bus.on("soc.finding", async (finding) => {
      await pipeline.ingestFinding(finding);
    }),
  );
  off.push(
    bus.on("soc.event", async (event) => {
      await pipeline.ingestEvent(event);
    }),
  );
  return () => {
    for (const o of off) o();
  };
}
