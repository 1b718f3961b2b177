// Prometheus metrics for GET /metrics (prom-client, one registry per server so tests can run
// several in one process). Counters are fed by the bus events and an HTTP hook; the alert,
// incident and queue gauges are read when scraped. No label carries an agent, key or workspace
// name: the numbers are fleet-wide and cannot be used to enumerate tenants.
import type { Kysely } from "kysely";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Database } from "../store/schema.ts";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class SocMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<"method" | "route" | "status_code">;
  readonly httpDuration: Histogram<"method" | "route">;
  readonly scans: Counter<"source" | "direction" | "verdict">;
  readonly blocks: Counter<"source" | "direction">;
  readonly scanLatency: Histogram<"source">;
  readonly gatewayRequests: Counter<"outcome">;
  readonly gatewayUpstream: Histogram;
  readonly accessDenied: Counter<"status">;
  readonly socEvents: Counter<"source">;
  readonly alertsRaised: Counter<"severity">;
  readonly incidentsOpened: Counter<"severity">;

  constructor(db: Kysely<Database>, queues: () => Record<string, number>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "clawnex_process_" });
    this.httpRequests = new Counter({ name: "clawnex_http_requests_total", help: "HTTP requests answered, by route template and status code.", labelNames: ["method", "route", "status_code"], registers });
    this.httpDuration = new Histogram({ name: "clawnex_http_request_duration_seconds", help: "HTTP request handling time.", labelNames: ["method", "route"], buckets: LATENCY_BUCKETS, registers });
    this.scans = new Counter({ name: "clawnex_shield_scans_total", help: "Shield scans recorded, by source, direction and verdict.", labelNames: ["source", "direction", "verdict"], registers });
    this.blocks = new Counter({ name: "clawnex_shield_blocks_total", help: "BLOCK verdicts that were enforced (content stopped).", labelNames: ["source", "direction"], registers });
    this.scanLatency = new Histogram({ name: "clawnex_shield_scan_duration_seconds", help: "Shield engine time per scan.", labelNames: ["source"], buckets: LATENCY_BUCKETS, registers });
    this.gatewayRequests = new Counter({ name: "clawnex_gateway_requests_total", help: "Model calls through the gateway, by outcome.", labelNames: ["outcome"], registers });
    this.gatewayUpstream = new Histogram({ name: "clawnex_gateway_upstream_duration_seconds", help: "Upstream provider time per gateway call.", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers });
    this.accessDenied = new Counter({ name: "clawnex_access_denied_total", help: "Requests refused by authentication, scope or rate limit.", labelNames: ["status"], registers });
    this.socEvents = new Counter({ name: "clawnex_soc_events_total", help: "Security events stored by the SOC, by source.", labelNames: ["source"], registers });
    this.alertsRaised = new Counter({ name: "clawnex_alerts_raised_total", help: "Alerts created (not counting events folded into existing alerts).", labelNames: ["severity"], registers });
    this.incidentsOpened = new Counter({ name: "clawnex_incidents_opened_total", help: "Incidents opened by correlation rules.", labelNames: ["severity"], registers });

    new Gauge({
      name: "clawnex_alerts",
      help: "Alerts not resolved, by status and severity (read from the store when scraped).",
      labelNames: ["status", "severity"],
      registers,
      async collect() {
        this.reset();
        const rows = await db.selectFrom("soc_alerts").select(["status", "severity", (eb) => eb.fn.countAll<string | number>().as("n")]).where("status", "in", ["open", "acknowledged", "suppressed"]).groupBy(["status", "severity"]).execute();
        for (const r of rows) this.set({ status: r.status, severity: r.severity }, Number(r.n));
      },
    });
    new Gauge({
      name: "clawnex_incidents",
      help: "Incidents not resolved, by status (read from the store when scraped).",
      labelNames: ["status"],
      registers,
      async collect() {
        this.reset();
        const rows = await db.selectFrom("soc_incidents").select(["status", (eb) => eb.fn.countAll<string | number>().as("n")]).where("status", "in", ["open", "acknowledged", "suppressed"]).groupBy("status").execute();
        for (const r of rows) this.set({ status: r.status }, Number(r.n));
      },
    });
    new Gauge({
      name: "clawnex_queue_depth",
      help: "Items waiting in in-process queues (SOC events, syslog backlog).",
      labelNames: ["queue"],
      registers,
      collect() {
        this.reset();
        for (const [queue, depth] of Object.entries(queues())) this.set({ queue }, depth);
      },
    });
  }
}
