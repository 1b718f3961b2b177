// The soc module: turns every security signal into events, raises and dedupes alerts, correlates
// events into incidents, and serves them (API, NDJSON, syslog, Prometheus). Other modules reach it
// through the bus ("soc.finding", "soc.event") or findSocIngest(services.modules): see ./ingest.ts.
import { resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { CoreServices } from "../app/services.ts";
import { ConfigError } from "../errors.ts";
import { AlertService } from "./alerts/alert-service.ts";
import { AuditFeed } from "./audit-feed.ts";
import { createSocEngine, type SocEngine } from "./engine.ts";
import { SyslogForwarder } from "./export/forwarder.ts";
import { SeqCursor } from "./feed.ts";
import { socRoutes } from "./http/routes.ts";
import { IncidentService } from "./incidents/incident-service.ts";
import type { SocModuleHandle } from "./ingest.ts";
import { AuditTail } from "./jobs/audit-tail.ts";
import { pruneEvents } from "./jobs/retention.ts";
import { expireSuppressions } from "./jobs/suppressions.ts";
import { SocMetrics } from "./metrics.ts";
import { loadSocRules, type SocRuleSet } from "./rulebook/load.ts";
import { SocRuleError } from "./rulebook/schema.ts";
import { CostSpikeDetector } from "./signals/cost-spike.ts";
import { subscribe } from "./subscriptions.ts";
import "./events.ts";

export interface SocModule extends SocModuleHandle {
  engine: SocEngine;
  alerts: AlertService;
  incidents: IncidentService;
  metrics: SocMetrics;
  /** Waits until every event submitted so far is stored and alerted on. */
  flush(): Promise<void>;
  forwarder: SyslogForwarder | undefined;
  auditTail: AuditTail;
}

const RETENTION_EVERY_MS = 6 * 3_600_000;
const SUPPRESSION_CHECK_MS = 60_000;
/** Event sources used as metric labels; anything else (a module's own ingest) counts as "other". */
const SOC_SOURCES = new Set(["shield", "auth", "fleet", "openclaw", "gateway", "audit", "posture", "trust"]);

function rulesOf(core: CoreServices): SocRuleSet {
  try {
    return loadSocRules(resolve(core.config.dataDir, core.config.soc.rulesDir), core.config.soc.disabledRules);
  } catch (err) {
    if (err instanceof SocRuleError) throw new ConfigError(err.message);
    throw err;
  }
}

export async function createSocModule(core: CoreServices): Promise<SocModule> {
  const cfg = core.config.soc;
  const db = core.store.db;
  let log: (err: unknown, what: string) => void = () => {};
  const onError = (what: string) => (err: unknown) => log(err, what);
  let forwarder: SyslogForwarder | undefined;
  let engine: SocEngine | undefined;
  const metrics = new SocMetrics(db, () => ({ soc_events: engine?.pipeline.depth ?? 0, syslog_backlog: forwarder?.pending ?? 0 }));
  engine = createSocEngine({
    db,
    audit: core.audit,
    bus: core.events,
    rules: rulesOf(core),
    execTools: cfg.execTools,
    batchSize: cfg.batchSize,
    clock: () => new Date(),
    onError: onError("soc pipeline failed"),
    onCommitted: ({ events, created, incidents }) => {
      for (const e of events) metrics.socEvents.inc({ source: SOC_SOURCES.has(e.source) ? e.source : "other" });
      for (const a of created) metrics.alertsRaised.inc({ severity: a.severity });
      for (const i of incidents) metrics.incidentsOpened.inc({ severity: i.severity });
    },
  });
  const soc = engine;
  const alerts = new AlertService(db, core.audit, new SeqCursor(core.cursors, "alerts"));
  const incidents = new IncidentService(db, core.audit, new SeqCursor(core.cursors, "incidents"), (id, status) => {
    if (status === "resolved") soc.correlator.release(id);
  });
  const audit = new AuditFeed(core.audit, new SeqCursor(core.cursors, "audit"));
  const auditTail = new AuditTail(core.audit, core.settings, soc.pipeline, cfg.auditTailIntervalMs, onError("soc audit tail failed"));
  if (cfg.syslog.enabled) {
    forwarder = new SyslogForwarder({ db, settings: core.settings, alerts, audit, config: cfg.syslog, includePromptText: cfg.export.includePromptText, onError: onError("syslog forwarding failed") });
  }
  const unsubscribe = subscribe({
    bus: core.events,
    pipeline: soc.pipeline,
    metrics,
    shield: { minDetectionSeverity: cfg.minDetectionSeverity, execTools: new Set(cfg.execTools) },
    costSpike: new CostSpikeDetector(cfg.costSpike),
    onError: onError("soc event rejected"),
  });
  const timers: NodeJS.Timeout[] = [];

  return {
    name: "soc",
    ingest: soc.pipeline,
    engine: soc,
    alerts,
    incidents,
    metrics,
    forwarder,
    auditTail,
    flush: () => soc.pipeline.flush(),
    routes: socRoutes({ core, alerts, incidents, audit, pipeline: soc.pipeline, metrics, includePromptText: cfg.export.includePromptText, loopbackMetricsWithoutKey: cfg.metrics.loopbackWithoutKey }),
    async start(app: FastifyInstance) {
      log = (err, what) => app.log.error({ err }, what);
      const warmed = await soc.warm();
      app.log.info({ events: warmed.events, incidents: warmed.incidents, alertRules: soc.alerts.rules.length, correlationRules: soc.correlator.rules.length }, "soc ready");
      await auditTail.start();
      await forwarder?.start();
      const prune = () => void pruneEvents(db, cfg.eventRetentionDays, new Date()).catch(onError("soc retention failed"));
      prune();
      const unsuppress = () => void expireSuppressions(core.audit, new Date()).catch(onError("soc suppression expiry failed"));
      timers.push(setInterval(prune, RETENTION_EVERY_MS), setInterval(unsuppress, SUPPRESSION_CHECK_MS));
      for (const t of timers) t.unref();
    },
    async close() {
      unsubscribe();
      for (const t of timers) clearInterval(t);
      await auditTail.close();
      await soc.pipeline.close();
      await forwarder?.close();
    },
  };
}
