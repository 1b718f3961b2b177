// The host posture module: scheduled local security checks, stored runs, GET /api/v1/posture,
// and each run's findings handed to the SOC (which folds repeats into one alert per finding).
import type { FastifyBaseLogger } from "fastify";
import type { EventBus } from "../../app/events.ts";
import type { AppModule } from "../../app/module.ts";
import type { CoreServices } from "../../app/services.ts";
import type { FindingInput } from "../ingest.ts";
import { loadAdvisoryTable } from "./advisories.ts";
import type { PostureFinding } from "./findings.ts";
import { postureRoutes } from "./http/routes.ts";
import { localHost, scanInputFromConfig } from "./scan-input.ts";
import { type PostureReport, runPostureScan } from "./scanner.ts";
import { Scheduler } from "./scheduler.ts";
import { PostureService } from "./service.ts";
import { PostureStore } from "./store.ts";

export interface PostureModule extends AppModule {
  name: "posture";
  service: PostureService;
}

/** Each finding as a SOC finding of this host (the instance is the host name: posture is per machine). */
async function ingestFindings(events: EventBus, findings: readonly PostureFinding[], report: PostureReport): Promise<void> {
  for (const f of findings) {
    const finding: FindingInput = { source: "posture", checkId: f.checkId, severity: f.severity, title: f.title, evidence: f.evidence, remediation: f.remediation, instance: report.host.hostname, at: report.scannedAt };
    await events.emit("soc.finding", finding);
  }
}

/** State dirs of instances registered through the API or CLI (the config file's are read directly). */
async function registeredStateDirs(core: CoreServices): Promise<string[]> {
  try {
    const rows = await core.store.db.selectFrom("openclaw_instances").select("state_dir").where("state_dir", "is not", null).execute();
    return rows.map((r) => r.state_dir).filter((d): d is string => typeof d === "string");
  } catch {
    return [];
  }
}

export async function createPostureModule(core: CoreServices): Promise<PostureModule> {
  const config = core.config.posture;
  // Loaded (and validated) once at start: a broken table fails start-up, not a scan at 3 a.m.
  const advisories = loadAdvisoryTable();
  let log: FastifyBaseLogger | undefined;
  const service = new PostureService({
    store: new PostureStore(core.store.db),
    keepRuns: config.keepRuns,
    scan: async () => runPostureScan(localHost(core.config), scanInputFromConfig(core.config, { advisories, extraStateDirs: await registeredStateDirs(core) }), { disabled: config.disabledChecks }),
    ingest: config.ingest ? (findings, report) => ingestFindings(core.events, findings, report) : undefined,
    onIngestError: (err) => log?.warn({ err }, "posture findings could not be handed to the SOC"),
  });
  const scheduler = new Scheduler(
    async () => {
      const run = await service.run("schedule");
      log?.info({ runId: run.id, summary: run.report.summary, durationMs: run.report.durationMs }, "posture scan finished");
    },
    { initialDelayMs: config.initialDelaySeconds * 1000, intervalMs: config.intervalMinutes * 60_000, onError: (err) => log?.error({ err }, "scheduled posture scan failed") },
  );
  return {
    name: "posture",
    service,
    routes: postureRoutes(core, service),
    async start(app) {
      log = app.log.child({ module: "posture" });
      if (config.enabled) scheduler.start();
    },
    async close() {
      await scheduler.stop();
    },
  };
}
